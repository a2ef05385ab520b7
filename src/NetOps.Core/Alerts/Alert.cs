using System.Collections.Immutable;

namespace NetOps.Core.Alerts;

/// <summary>How urgent an alert is; critical alerts escalate when nobody acknowledges them.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Where an alert is in its life. Silenced and in-maintenance are not states: they only stop notifications.</summary>
public enum AlertStatus
{
    Firing,
    Acknowledged,
    Resolved,
}

/// <summary>Who took an alert on, when, and what they said.</summary>
public sealed record Acknowledgement(string By, DateTimeOffset At, string? Comment);

/// <summary>
/// One alert: a rule's condition on one subject (an entity such as "link:core-acc-nord", or a zone such as
/// "zone:kerwe-2026/main-stage"), from the time it fired until it resolved. A resolved alert that fires again within the
/// grace period re-opens (same <see cref="Id"/>, <see cref="Reopened"/> counts up).
/// </summary>
public sealed record Alert(
    string Id,
    string Rule,
    string Subject,
    AlertSeverity Severity,
    AlertStatus Status,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Alertmanager-style labels: alertname, severity, subject, kind, and the rule's own labels.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>summary, description, runbook_url, affected: the human side of the alert.</summary>
    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public Acknowledgement? Acknowledgement { get; init; }

    /// <summary>Subjects that are down or unknown behind this alert's subject and are not alerted on their own.</summary>
    public ImmutableArray<string> Affected { get; init; } = [];

    /// <summary>The silence that holds this alert's notifications back, while one does.</summary>
    public string? SilencedBy { get; init; }

    /// <summary>The maintenance window that holds this alert's notifications back, while one does.</summary>
    public string? InMaintenance { get; init; }

    /// <summary>True while the subject flaps: one "flapping" notification was sent and the rest are held until it is stable.</summary>
    public bool Flapping { get; init; }

    /// <summary>How many times this alert fired again within the grace period after it resolved.</summary>
    public int Reopened { get; init; }

    /// <summary>When a critical alert's escalation was sent, once.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>When a notification for this alert was last handed to the receivers (for the repeat interval).</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>Alertmanager's fingerprint: a stable hash of rule and subject, the same for every occurrence.</summary>
    public string Fingerprint => FingerprintOf(Rule, Subject);

    public bool IsOpen => Status != AlertStatus.Resolved;

    /// <summary>Neither silenced, in maintenance nor flapping: its changes reach the receivers.</summary>
    public bool Notifies => SilencedBy is null && InMaintenance is null && !Flapping;

    public string? Summary => Annotations.GetValueOrDefault(AlertAnnotations.Summary);

    /// <summary>16 hex digits of FNV-1a over rule and subject: stable across processes and restarts.</summary>
    public static string FingerprintOf(string rule, string subject)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in rule + "\0" + subject)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Annotation names, as Prometheus users know them.</summary>
public static class AlertAnnotations
{
    public const string Summary = "summary";
    public const string Description = "description";
    public const string Runbook = "runbook_url";
    public const string Affected = "affected";
}

/// <summary>Label names every NetOps alert carries.</summary>
public static class AlertLabels
{
    public const string Name = "alertname";
    public const string Severity = "severity";
    public const string Subject = "subject";
    public const string Kind = "kind";
}
