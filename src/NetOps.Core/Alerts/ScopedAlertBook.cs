using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Alerts;

/// <summary>
/// The alert book as a scoped login (a coordinator) sees it: the alerts whose subject is in the scope
/// (<see cref="ScopeRules.ContainsSubject"/>), read-only; silences, receivers and the audit trail are operations'
/// business and stay empty.
/// </summary>
public sealed class ScopedAlertBook(IAlertBook book, Scope scope, Func<FleetInventory> inventory, TimeProvider time) : IAlertBook
{
    public IReadOnlyList<Alert> Open => [.. book.Open.Where(Visible)];

    public IReadOnlyList<Silence> Silences => [];

    public IReadOnlyList<ReceiverHealth> Receivers => [];

    public Alert? Find(string id) => book.Find(id) is { } alert && Visible(alert) ? alert : null;

    public Task<Alert?> AcknowledgeAsync(string id, string by, string? comment, CancellationToken cancellationToken) =>
        throw new AlertCommandException("this login may only read alerts");

    public Task<Silence> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken) =>
        throw new AlertCommandException("this login may only read alerts");

    public Task<Silence?> ExpireSilenceAsync(string id, string by, CancellationToken cancellationToken) =>
        throw new AlertCommandException("this login may only read alerts");

    /// <summary>The scope's alerts among the <paramref name="limit"/> newest of the range: fewer than the limit where others were left out.</summary>
    public async Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        [.. (await book.HistoryAsync(from, until, limit, cancellationToken).ConfigureAwait(false)).Where(Visible)];

    public Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([]);

    public IDisposable Subscribe(Action changed) => book.Subscribe(changed);

    private bool Visible(Alert alert) => inventory().ContainsSubject(scope, alert.Subject, time.GetUtcNow());

    /// <summary>The book itself for <see cref="Scope.All"/>, otherwise a scoped view of it.</summary>
    public static IAlertBook For(IAlertBook book, Scope scope, Func<FleetInventory> inventory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.IsAll ? book : new ScopedAlertBook(book, scope, inventory, time);
    }
}
