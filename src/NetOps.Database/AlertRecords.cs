using NetOps.Core.Alerts;

namespace NetOps.Database;

/// <summary>A row of <c>alerts</c>: one alert as the alert book last saved it. Times are UTC.</summary>
public sealed class AlertRecord
{
    /// <summary>The alert's id (its fingerprint), the same for every re-opening.</summary>
    public required string Id { get; set; }

    public required string Rule { get; set; }

    public required string Subject { get; set; }

    public AlertSeverity Severity { get; set; }

    public AlertStatus Status { get; set; }

    public DateTime StartsAt { get; set; }

    public DateTime? EndsAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>A JSON object (jsonb on PostgreSQL).</summary>
    public required string Labels { get; set; }

    /// <summary>A JSON object (jsonb on PostgreSQL).</summary>
    public required string Annotations { get; set; }

    public string? AckBy { get; set; }

    public DateTime? AckAt { get; set; }

    public string? AckComment { get; set; }

    /// <summary>A JSON array of subjects (jsonb on PostgreSQL).</summary>
    public required string Affected { get; set; }

    public string? SilencedBy { get; set; }

    public string? InMaintenance { get; set; }

    public bool Flapping { get; set; }

    public int Reopened { get; set; }

    public DateTime? EscalatedAt { get; set; }

    public DateTime? LastNotifiedAt { get; set; }
}

/// <summary>A row of <c>silences</c>. Times are UTC.</summary>
public sealed class SilenceRecord
{
    public required string Id { get; set; }

    /// <summary>A JSON array of matchers (jsonb on PostgreSQL).</summary>
    public required string Matchers { get; set; }

    public DateTime StartsAt { get; set; }

    public DateTime EndsAt { get; set; }

    public required string CreatedBy { get; set; }

    public required string Comment { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? ExpiredBy { get; set; }
}

/// <summary>A row of <c>notifications</c>: one queued notification for one receiver, kept until delivered. Times are UTC.</summary>
public sealed class NotificationRecord
{
    public long Id { get; set; }

    public required string Receiver { get; set; }

    public required string GroupKey { get; set; }

    public NotificationKind Kind { get; set; }

    /// <summary>The alerts as they were when the notification was queued, a JSON array (jsonb on PostgreSQL).</summary>
    public required string Alerts { get; set; }

    public DateTime CreatedAt { get; set; }

    public int Attempts { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>When the last attempt (failed or delivered) was made.</summary>
    public DateTime? LastAttemptAt { get; set; }
}

/// <summary>A row of <c>alert_audit</c>: who did what to which alert or silence. Times are UTC.</summary>
public sealed class AlertAuditRecord
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Target { get; set; }

    public required string Details { get; set; }
}
