using NetOps.Core.Alerts;

namespace NetOps.Web.Presentation;

/// <summary>How the pages group and word alerts: which count as firing, where a subject's page is, the status words.</summary>
public static class AlertText
{
    /// <summary>Firing and not held back by a silence or a maintenance window: what the header counts and the wall shows.</summary>
    public static bool IsFiring(Alert alert) => alert.Status == AlertStatus.Firing && !IsMuted(alert);

    /// <summary>Silenced or in a maintenance window: open, but its notifications are held back.</summary>
    public static bool IsMuted(Alert alert) => alert.SilencedBy is not null || alert.InMaintenance is not null;

    /// <summary>
    /// The page of an alert's subject: a device, link or node's detail page, the device page for a port (it lists its
    /// ports), the event's coverage for a zone. Null for subjects without a page (endpoints).
    /// </summary>
    public static string? Href(string subject)
    {
        var colon = subject.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == subject.Length - 1)
        {
            return null;
        }

        var id = subject[(colon + 1)..];
        return subject[..colon] switch
        {
            "device" => "devices/" + Uri.EscapeDataString(id),
            "link" => "links/" + Uri.EscapeDataString(id),
            "node" => "nodes/" + Uri.EscapeDataString(id),
            "port" when id.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash => "devices/" + Uri.EscapeDataString(id[..slash]),
            "zone" when id.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash => "events/" + Uri.EscapeDataString(id[..slash]),
            _ => null,
        };
    }

    public static string Severity(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    public static string Status(AlertStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>What holds an open alert's notifications back, in words ("silenced", "in maintenance", "flapping").</summary>
    public static IEnumerable<string> Holds(Alert alert)
    {
        if (alert.SilencedBy is not null)
        {
            yield return "silenced";
        }

        if (alert.InMaintenance is { } window)
        {
            yield return "in maintenance " + window;
        }

        if (alert.Flapping)
        {
            yield return "flapping";
        }
    }

    /// <summary>The summary, or rule and subject when the rule gave none.</summary>
    public static string Headline(Alert alert) => alert.Summary is { Length: > 0 } summary ? summary : $"{alert.Rule} {alert.Subject}";
}
