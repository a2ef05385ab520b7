using System.Collections.Immutable;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Tests.Delivery;

/// <summary>Alerts and notifications as the alert book makes them, for the receivers' tests.</summary>
internal static class TestAlerts
{
    public static readonly Uri ExternalUrl = new("https://netops.example.org/ops/");

    private static long _notifications;

    public static Alert Firing(DateTimeOffset startsAt, string subject = "link:core-acc-nord", string rule = "LinkDown",
        string summary = "Link down", AlertSeverity severity = AlertSeverity.Critical, string? id = null) =>
        new(id ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 8)), rule, subject, severity, AlertStatus.Firing,
            startsAt, null, startsAt)
        {
            Labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [AlertLabels.Name] = rule,
                [AlertLabels.Severity] = severity.ToString().ToLowerInvariant(),
                [AlertLabels.Subject] = subject,
                [AlertLabels.Kind] = subject.Split(':')[0],
            }),
            Annotations = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [AlertAnnotations.Summary] = summary,
                [AlertAnnotations.Runbook] = "https://wiki.example.org/runbooks/link-down",
            }),
        };

    public static Alert Resolved(Alert alert, DateTimeOffset endsAt) =>
        alert with { Status = AlertStatus.Resolved, EndsAt = endsAt, UpdatedAt = endsAt };

    public static Alert Acknowledged(Alert alert, string by, DateTimeOffset at, string? comment = null) =>
        alert with { Status = AlertStatus.Acknowledged, Acknowledgement = new Acknowledgement(by, at, comment), UpdatedAt = at };

    /// <summary>A notification of the alerts' group, keyed as Alertmanager keys groups.</summary>
    public static Notification Notify(string receiver, NotificationKind kind, params Alert[] alerts) =>
        new(Interlocked.Increment(ref _notifications), receiver,
            $"{{}}:{{alertname=\"{alerts[0].Rule}\", subject=\"{alerts[0].Subject}\"}}", kind, alerts, alerts.Max(a => a.UpdatedAt));
}
