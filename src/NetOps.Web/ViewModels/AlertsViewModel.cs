using NetOps.Core.Alerts;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>One list of open alerts on the alerts page: its anchor, its title and what it says when empty.</summary>
public sealed record AlertSection(string Key, string Title, string Empty, IReadOnlyList<Alert> Alerts);

/// <summary>A silence as the alerts page lists it.</summary>
public sealed record SilenceRow(Silence Silence, bool Pending, string Matchers, string Starts, string Ends);

/// <summary>
/// The alerts page: open alerts split into firing, acknowledged and silenced (disjoint: a silenced or in-maintenance
/// alert is listed as silenced whatever its status), active and pending silences, receivers (failing ones first), and
/// from the operational database the last day's resolved alerts and the newest audit lines.
/// </summary>
public sealed class AlertsViewModel(IAlertBook book, ReasonText text, TimeProvider time)
{
    public const int HistoryLimit = 200;
    public const int AuditLimit = 50;
    private static readonly TimeSpan HistorySpan = TimeSpan.FromHours(24);

    public IReadOnlyList<AlertSection> Sections { get; private set; } = [];
    public int FiringCount { get; private set; }
    public IReadOnlyList<SilenceRow> Silences { get; private set; } = [];
    public IReadOnlyList<ReceiverHealth> Receivers { get; private set; } = [];
    public IReadOnlyList<ReceiverHealth> Failing { get; private set; } = [];

    /// <summary>Alerts that resolved within the last day, newest first.</summary>
    public IReadOnlyList<Alert> History { get; private set; } = [];
    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    /// <summary>Why the history or the audit trail could not be read, if it could not.</summary>
    public string? StoredError { get; private set; }

    /// <summary>Open alerts, silences and receivers: what the book holds in memory.</summary>
    public void Load()
    {
        var open = book.Open;
        var firing = open.Where(AlertText.IsFiring).ToList();
        Sections =
        [
            new("firing", "Firing", "Nothing is firing.", firing),
            new("acknowledged", "Acknowledged", "No acknowledged alert.",
                [.. open.Where(a => a.Status == AlertStatus.Acknowledged && !AlertText.IsMuted(a))]),
            new("silenced", "Silenced and in maintenance", "No alert is silenced.", [.. open.Where(AlertText.IsMuted)]),
        ];
        FiringCount = firing.Count;

        var now = time.GetUtcNow();
        Silences = [.. book.Silences.Where(s => s.EndsAt > now).Select(s => new SilenceRow(s, s.StartsAt > now,
            string.Join(", ", s.Matchers), text.Local(s.StartsAt), text.Local(s.EndsAt)))];
        Receivers = [.. book.Receivers.OrderBy(r => r.Healthy).ThenBy(r => r.Name, StringComparer.Ordinal)];
        Failing = [.. Receivers.Where(r => !r.Healthy)];
    }

    /// <summary>The last day's resolved alerts and the newest audit lines, from the operational database.</summary>
    public async Task LoadStoredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var history = await book.HistoryAsync(now - HistorySpan, now, HistoryLimit, cancellationToken);
            History = [.. history.Where(a => !a.IsOpen)];
            Audit = await book.AuditAsync(AuditLimit, cancellationToken);
            StoredError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The open alerts still show; the page says why the rest is missing instead of failing the circuit.
            StoredError = e.Message;
        }
    }
}
