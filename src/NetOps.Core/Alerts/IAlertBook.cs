namespace NetOps.Core.Alerts;

/// <summary>A request to silence alerts, from the page or the REST API.</summary>
public sealed record SilenceRequest(IReadOnlyList<Matcher> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment);

/// <summary>How one receiver is doing, as the alerts page and /readyz show it.</summary>
public sealed record ReceiverHealth(string Name, string Kind, int Pending, DateTimeOffset? LastDeliveredAt, string? LastError, DateTimeOffset? LastErrorAt)
{
    public bool Healthy => LastError is null || (LastDeliveredAt is { } ok && LastErrorAt is { } failed && ok > failed);
}

/// <summary>Why a command on the alert book was refused.</summary>
public sealed class AlertCommandException(string message) : Exception(message)
{
    public AlertCommandException()
        : this("the command was refused")
    {
    }

    public AlertCommandException(string message, Exception innerException)
        : this(message + ": " + innerException.Message)
    {
    }
}

/// <summary>
/// The alerts as people see and handle them: open alerts, silences, receivers, and the commands (acknowledge,
/// silence, expire). Implemented by the alerting role; the dashboard and the REST API use it.
/// </summary>
public interface IAlertBook
{
    /// <summary>Firing and acknowledged alerts, most severe and newest first.</summary>
    IReadOnlyList<Alert> Open { get; }

    /// <summary>Silences that are active or pending (start in the future).</summary>
    IReadOnlyList<Silence> Silences { get; }

    IReadOnlyList<ReceiverHealth> Receivers { get; }

    Alert? Find(string id);

    /// <summary>Acknowledges an open alert; null when there is no such alert. Refuses a resolved one.</summary>
    Task<Alert?> AcknowledgeAsync(string id, string by, string? comment, CancellationToken cancellationToken);

    /// <summary>Creates a silence; <see cref="AlertCommandException"/> names what is wrong with the request.</summary>
    Task<Silence> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken);

    /// <summary>Ends a silence now; null when there is no such silence.</summary>
    Task<Silence?> ExpireSilenceAsync(string id, string by, CancellationToken cancellationToken);

    /// <summary>Alerts open at any time in the range, newest first.</summary>
    Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>The newest audit lines (who did what to which alert or silence), newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="changed"/> after alerts, silences or receivers changed (coalesced). Dispose to stop.</summary>
    IDisposable Subscribe(Action changed);
}
