namespace NetOps.Core.Alerts;

/// <summary>Why a notification goes out.</summary>
public enum NotificationKind
{
    Firing,
    Resolved,
    Repeat,
    Escalation,
    Flapping,
}

/// <summary>
/// One notification for one receiver: a group of alerts as they were when it was queued. Kept until delivered, so a
/// receiver that is down gets it once it is back, and a restart neither loses nor repeats it.
/// </summary>
public sealed record Notification(
    long Id,
    string Receiver,
    string GroupKey,
    NotificationKind Kind,
    IReadOnlyList<Alert> Alerts,
    DateTimeOffset CreatedAt)
{
    public int Attempts { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? LastError { get; init; }

    /// <summary>Alertmanager's group status: firing while any alert of the group is open.</summary>
    public bool Firing => Alerts.Any(a => a.IsOpen);
}

/// <summary>One line of the audit trail: who did what to which alert or silence, and when.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string Details)
{
    public long Id { get; init; }
}

/// <summary>What one step of the alert book changed, saved in one transaction.</summary>
public sealed record AlertChanges(
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<Silence> Silences,
    IReadOnlyList<Notification> Notifications,
    IReadOnlyList<AuditEntry> Audit)
{
    public static AlertChanges Empty { get; } = new([], [], [], []);

    public bool IsEmpty => Alerts.Count == 0 && Silences.Count == 0 && Notifications.Count == 0 && Audit.Count == 0;
}

/// <summary>How one receiver is doing: what waits for it and why the last attempt failed.</summary>
public sealed record ReceiverBacklog(string Receiver, int Pending, DateTimeOffset? OldestPendingAt, string? LastError, DateTimeOffset? LastAttemptAt);

/// <summary>
/// Where alerts, silences, queued notifications and the audit trail are kept (the operational database), so that a
/// restart loses no alert, acknowledgement or silence and sends nothing twice.
/// </summary>
public interface IAlertStore
{
    /// <summary>Every open alert and every alert resolved at or after <paramref name="resolvedSince"/> (to re-open within the grace period).</summary>
    Task<IReadOnlyList<Alert>> LoadAlertsAsync(DateTimeOffset resolvedSince, CancellationToken cancellationToken);

    /// <summary>Silences that end after <paramref name="endsAfter"/>.</summary>
    Task<IReadOnlyList<Silence>> LoadSilencesAsync(DateTimeOffset endsAfter, CancellationToken cancellationToken);

    /// <summary>
    /// Saves alerts and silences (insert or replace by id), queues notifications (their <see cref="Notification.Id"/> is
    /// assigned here) and appends audit entries, all or nothing.
    /// </summary>
    Task SaveAsync(AlertChanges changes, CancellationToken cancellationToken);

    /// <summary>Undelivered notifications due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<Notification>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long notificationId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt: the error, one more attempt, and when to try next.</summary>
    Task MarkFailedAsync(long notificationId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Per receiver: undelivered notifications and the last error.</summary>
    Task<IReadOnlyList<ReceiverBacklog>> BacklogAsync(CancellationToken cancellationToken);

    /// <summary>Alerts that started before <paramref name="until"/> and were open at or after <paramref name="from"/>, newest first.</summary>
    Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> audit entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken);
}
