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
/// The notifications a process received, for people to read (the dashboard's trap log, <c>GET /api/traps</c>):
/// counts, the most recent ones and the senders no inventory device matched. Nothing in it carries a secret.
/// </summary>
public interface ITrapLog
{
    /// <summary>Notifications received, counted by the receiver.</summary>
    long Received { get; }

    /// <summary>Datagrams that did not decode.</summary>
    long Malformed { get; }

    /// <summary>Notifications refused (unknown community or user).</summary>
    long Refused { get; }

    /// <summary>Notifications dropped because the ingest fell behind.</summary>
    long Dropped { get; }

    /// <summary>Notifications whose sender matched no inventory device.</summary>
    long UnknownSources { get; }

    /// <summary>The most recent notifications, newest first.</summary>
    IReadOnlyList<RecentNotification> Recent { get; }

    /// <summary>Senders matching no inventory device, most recent first.</summary>
    IReadOnlyList<UnknownSender> UnknownSenders { get; }
}
