namespace NetOps.Core.Observations;

/// <summary>A notification as the trap ingest kept it for people to read: no community, no user secrets.</summary>
public sealed record RecentNotification(
    DateTimeOffset At,
    string Sender,
    string Version,
    string? DeviceId,
    NotificationKind Kind,
    string TrapOid,
    string? Port,
    IReadOnlyList<NotificationVarbind> Varbinds);

/// <summary>A sender whose notifications matched no inventory device.</summary>
public sealed record UnknownSender(string Address, long Count, DateTimeOffset LastSeen, string LastTrapOid);

/// <summary>
/// What a trap log reports: counts, the most recent notifications (newest first) and the senders no inventory device
/// matched. A count or list is null where this log cannot know it: only the receiving process counts datagrams it
/// refused or dropped and sees senders that match no device; a log read back from the history store knows the
/// notifications of inventory devices only.
/// </summary>
public sealed record TrapLogReport(
    long? Received,
    long? Malformed,
    long? Refused,
    long? Dropped,
    long? UnknownSources,
    IReadOnlyList<RecentNotification> Recent,
    IReadOnlyList<UnknownSender>? UnknownSenders);

/// <summary>
/// The notifications a process can show people (the dashboard's trap log, <c>GET /api/traps</c>): the receiver's own
/// log in a collector, or the notifications the engine stored, read back by a web-only process. Nothing in it carries
/// a secret.
/// </summary>
public interface ITrapLog
{
    /// <summary>The log as it is now (reading it may be I/O: the store).</summary>
    ValueTask<TrapLogReport> ReadAsync(CancellationToken cancellationToken);
}
