using System.Globalization;
using System.Net;
using System.Text;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// What a notification mail says: a subject on-call engineers know from Alertmanager
/// (<c>[FIRING:1] LinkDown link:core-acc-nord — summary</c>) and the same list of alerts as plain text and as HTML.
/// Alert text partly comes from devices (interface descriptions, sysName), so every value is HTML-encoded and only
/// http(s) URLs become links.
/// </summary>
internal static class AlertMail
{
    private const int MaxSubjectChars = 200;

    public static string Subject(Notification notification)
    {
        var alerts = notification.Alerts;
        var subject = new StringBuilder();
        subject.Append(notification.Kind switch
        {
            NotificationKind.Escalation => "[ESCALATION] ",
            NotificationKind.Flapping => "[FLAPPING] ",
            _ => "",
        });
        subject.Append(notification.Firing
            ? string.Create(CultureInfo.InvariantCulture, $"[FIRING:{alerts.Count(a => a.IsOpen)}]")
            : "[RESOLVED]");
        var group = AlertmanagerPayload.GroupLabels(alerts);
        var first = alerts.FirstOrDefault(a => a.IsOpen == notification.Firing) ?? alerts.FirstOrDefault();
        foreach (var label in (string[])[AlertLabels.Name, AlertLabels.Subject])
        {
            if ((group.GetValueOrDefault(label) ?? first?.Labels.GetValueOrDefault(label)) is { Length: > 0 } value)
            {
                subject.Append(' ').Append(value);
            }
        }

        if (first?.Summary is { Length: > 0 } summary)
        {
            subject.Append(" — ").Append(summary);
        }

        if (alerts.Count > 1)
        {
            subject.Append(CultureInfo.InvariantCulture, $" (+{alerts.Count - 1} more)");
        }

        // A header is one line: device text must not break it (or fold a header of its own into the mail).
        var line = string.Join(' ', new string([.. subject.ToString().Select(c => char.IsControl(c) ? ' ' : c)])
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= MaxSubjectChars ? line : line[..(MaxSubjectChars - 1)] + "…";
    }

    public static string Text(Notification notification, Uri? externalUrl)
    {
        var text = new StringBuilder();
        text.AppendLine(Headline(notification));
        if (Why(notification.Kind) is { } why)
        {
            text.AppendLine(why);
        }

        foreach (var alert in notification.Alerts)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"[{Severity(alert)}] {Title(alert)}");
            foreach (var (name, value, _) in Facts(alert, externalUrl))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {name + ":",-14}{value}");
            }
        }

        return text.ToString();
    }

    public static string Html(Notification notification, Uri? externalUrl)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family:sans-serif\">\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<h2 style=\"color:{(notification.Firing ? "#b00020" : "#1b5e20")}\">{Encode(Headline(notification))}</h2>\n");
        if (Why(notification.Kind) is { } why)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><strong>{Encode(why)}</strong></p>\n");
        }

        foreach (var alert in notification.Alerts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>[{Encode(Severity(alert))}] {Encode(Title(alert))}</h3>\n<table>\n");
            foreach (var (name, value, isLink) in Facts(alert, externalUrl))
            {
                var cell = isLink && IsWebLink(value)
                    ? $"<a href=\"{Encode(value)}\">{Encode(value)}</a>"
                    : Encode(value);
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><th align=\"left\" valign=\"top\" style=\"padding-right:1em\">{Encode(name)}</th><td>{cell}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Headline(Notification notification)
    {
        var open = notification.Alerts.Count(a => a.IsOpen);
        return notification.Firing
            ? string.Create(CultureInfo.InvariantCulture, $"FIRING: {open} alert{(open == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"RESOLVED: {notification.Alerts.Count} alert{(notification.Alerts.Count == 1 ? "" : "s")}");
    }

    private static string? Why(NotificationKind kind) => kind switch
    {
        NotificationKind.Escalation => "Escalation: a critical alert nobody acknowledged in time.",
        NotificationKind.Flapping => "Flapping: the condition keeps changing; further changes are held back until it is stable.",
        NotificationKind.Repeat => "Reminder: still firing and not acknowledged.",
        _ => null,
    };

    private static string Severity(Alert alert) => alert.Severity.ToString().ToUpperInvariant();

    private static string Title(Alert alert) => $"{alert.Rule} {alert.Subject}";

    /// <summary>The lines of one alert: name, value, and whether the value is meant as a link.</summary>
    private static IEnumerable<(string Name, string Value, bool IsLink)> Facts(Alert alert, Uri? externalUrl)
    {
        if (alert.Summary is { Length: > 0 } summary)
        {
            yield return ("Summary", summary, false);
        }

        if (alert.Annotations.GetValueOrDefault(AlertAnnotations.Description) is { Length: > 0 } description)
        {
            yield return ("Description", description, false);
        }

        yield return ("Subject", alert.Subject, false);
        yield return ("Since", Time(alert.StartsAt), false);
        if (!alert.IsOpen)
        {
            yield return ("Resolved", alert.EndsAt is { } endsAt ? Time(endsAt) : "yes", false);
        }

        if (alert.Affected.Length > 0 || alert.Annotations.ContainsKey(AlertAnnotations.Affected))
        {
            yield return ("Affected", alert.Affected.Length > 0 ? string.Join(", ", alert.Affected) : alert.Annotations[AlertAnnotations.Affected], false);
        }

        if (alert.Acknowledgement is { } ack)
        {
            yield return ("Acknowledged", $"by {ack.By} at {Time(ack.At)}{(string.IsNullOrEmpty(ack.Comment) ? "" : $": {ack.Comment}")}", false);
        }
        else if (alert.IsOpen)
        {
            yield return ("Acknowledged", "not yet", false);
        }

        if (alert.Annotations.GetValueOrDefault(AlertAnnotations.Runbook) is { Length: > 0 } runbook)
        {
            yield return ("Runbook", runbook, true);
        }

        if (AlertmanagerPayload.AlertLink(externalUrl, alert.Id) is { } link)
        {
            yield return ("Dashboard", link.AbsoluteUri, true);
        }
    }

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static bool IsWebLink(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
