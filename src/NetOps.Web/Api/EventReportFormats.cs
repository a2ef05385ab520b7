using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.State;

namespace NetOps.Web.Api;

/// <summary>
/// The after-event report as a spreadsheet (CSV: RFC 4180, UTF-8 with a byte order mark so spreadsheets read the zones'
/// umlauts) and as a printable HTML document (the browser's print to PDF gives a clean page). Every name is text.
/// </summary>
internal static class EventReportFormats
{
    private static readonly string[] Header =
        ["record", "zone", "entity", "name", "kind", "availability_percent", "observed_s", "reachable_s", "start", "end", "duration_s", "state", "reason",
         "severity", "acknowledged_at", "acknowledged_by", "lowest_battery_percent", "lte_s", "no_uplink_s"];

    public static byte[] Csv(EventReport report, ReasonText text)
    {
        var csv = new StringBuilder();
        Row(csv, Header);
        foreach (var (id, name, percent) in report.Zones)
        {
            Row(csv, ["zone", name, "zone:" + id, name, "zone", Percent(percent), "", "", Iso(report.WatchedFrom), Iso(report.Until), "", "", ""]);
        }

        foreach (var line in report.Lines)
        {
            var a = line.Availability;
            Row(csv, ["availability", line.ZoneName, line.Entity.ToString(), line.Name, line.Kind, Percent(a.Percent), Seconds(a.Observed),
                Seconds(a.Reachable), Iso(report.WatchedFrom), Iso(report.Until), "", "", ""]);
        }

        foreach (var (line, outage) in report.Outages)
        {
            Row(csv, ["outage", line.ZoneName, line.Entity.ToString(), line.Name, line.Kind, "", "", "", Iso(outage.Start), Iso(outage.End),
                Seconds(outage.Duration), outage.Value.ToString().ToLowerInvariant(), text.Render(outage.Reason)]);
        }

        // One table for every record, told apart by its first column (a spreadsheet filters on it); the columns after reason
        // belong to the later records. An uplink row reads like an availability row: availability_percent is the time on
        // fibre of observed_s, the time its uplink was known; reachable_s is the time on fibre.
        foreach (var u in report.Uplinks)
        {
            Row(csv, ["uplink", u.ZoneName, u.Node.ToString(), u.Name, "node", Percent(u.FibrePercent), Seconds(u.Known), Seconds(u.Fibre),
                Iso(report.WatchedFrom), Iso(report.Until), "", "", "", "", "", "", "", Seconds(u.Lte), Seconds(u.None)]);
        }

        foreach (var b in report.BatteryEpisodes)
        {
            Row(csv, ["battery", b.ZoneName, b.Node.ToString(), b.Name, "node", "", "", "", Iso(b.Start), Iso(b.End), Seconds(b.Duration),
                b.Ongoing ? "ongoing" : "ended", "", "", "", "", Percent(b.LowestPercent)]);
        }

        foreach (var alert in report.Alerts)
        {
            var resolved = Resolved(alert);
            Row(csv, ["alert", ZoneOf(report, alert), alert.Subject, NameOf(alert), alert.Labels.GetValueOrDefault(AlertLabels.Kind) ?? "", "", "", "",
                Iso(alert.StartsAt), resolved is { } r ? Iso(r) : "", resolved is { } end ? Seconds(end - alert.StartsAt) : "",
                alert.Status.ToString().ToLowerInvariant(), alert.Summary ?? "", alert.Severity.ToString().ToLowerInvariant(),
                alert.Acknowledgement is { } ack ? Iso(ack.At) : "", alert.Acknowledgement?.By ?? ""]);
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    public static string Html(EventReport report, ReasonText text)
    {
        // Every character as itself (umlauts stay readable in the source), markup characters encoded.
        var html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        string E(string value) => html.Encode(value);
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(report.Event.Name)).Append(" · report</title>")
            .Append("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}")
            .Append("th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left}td.n{text-align:right}h2{margin-top:1.5rem}")
            .Append("@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}</style></head><body>");
        page.Append("<h1>").Append(E(report.Event.Name)).Append("</h1><p>Live time ").Append(E(text.Full(report.From))).Append(" – ")
            .Append(E(text.Full(report.Until))).Append(". Availability is the time a thing was up or degraded over the time it was expected")
            .Append(report.WatchedFrom > report.From ? ", counted from " + E(text.Full(report.WatchedFrom)) + ", when NetOps first recorded the event's things" : "")
            .Append(".</p>");
        page.Append("<h2>Zones</h2><table><thead><tr><th>Zone</th><th>Availability of its cameras and sensors</th></tr></thead><tbody>");
        foreach (var (id, name, percent) in report.Zones)
        {
            page.Append("<tr data-zone=\"").Append(E(id)).Append("\"><td>").Append(E(name)).Append("</td><td class=\"n\">").Append(E(PercentText(percent))).Append("</td></tr>");
        }

        page.Append("</tbody></table><h2>Nodes, cameras and sensors</h2><table><thead><tr><th>Zone</th><th>Name</th><th>Kind</th><th>Availability</th><th>Outages</th></tr></thead><tbody>");
        foreach (var line in report.Lines)
        {
            page.Append("<tr data-entity=\"").Append(E(line.Entity.ToString())).Append("\"><td>").Append(E(line.ZoneName)).Append("</td><td>").Append(E(line.Name))
                .Append("</td><td>").Append(E(line.Kind)).Append("</td><td class=\"n\">").Append(E(PercentText(line.Availability.Percent)))
                .Append("</td><td class=\"n\">").Append(line.Availability.Outages.Count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        page.Append("</tbody></table><h2>Outages</h2><table><thead><tr><th>Name</th><th>Zone</th><th>From</th><th>To</th><th>Duration</th><th>Why</th></tr></thead><tbody>");
        foreach (var (line, outage) in report.Outages)
        {
            page.Append("<tr><td>").Append(E(line.Name)).Append("</td><td>").Append(E(line.ZoneName)).Append("</td><td>").Append(E(text.Full(outage.Start)))
                .Append("</td><td>").Append(E(text.Full(outage.End))).Append("</td><td class=\"n\">").Append(E(Duration(outage.Duration)))
                .Append("</td><td>").Append(E(text.Render(outage.Reason))).Append("</td></tr>");
        }

        page.Append("</tbody></table><h2>Node uplinks</h2><p>Time on fibre of the time a node's uplink was known; on battery a node reports its battery, not its uplink.</p>")
            .Append("<table><thead><tr><th>Node</th><th>Zone</th><th>On fibre</th><th>Fibre</th><th>LTE</th><th>No uplink</th><th>Not known</th></tr></thead><tbody>");
        foreach (var u in report.Uplinks)
        {
            page.Append("<tr data-uplink=\"").Append(E(u.Node.ToString())).Append("\"><td>").Append(E(u.Name)).Append("</td><td>").Append(E(u.ZoneName))
                .Append("</td><td class=\"n\">").Append(E(PercentText(u.FibrePercent))).Append("</td><td class=\"n\">").Append(E(Duration(u.Fibre)))
                .Append("</td><td class=\"n\">").Append(E(Duration(u.Lte))).Append("</td><td class=\"n\">").Append(E(Duration(u.None)))
                .Append("</td><td class=\"n\">").Append(E(Duration(u.Untold))).Append("</td></tr>");
        }

        page.Append("</tbody></table><h2>Battery episodes</h2>");
        if (report.BatteryEpisodes.Count == 0)
        {
            page.Append("<p>No node ran on battery.</p>");
        }
        else
        {
            page.Append("<table><thead><tr><th>Node</th><th>Zone</th><th>From</th><th>To</th><th>Duration</th><th>Lowest battery</th></tr></thead><tbody>");
            foreach (var b in report.BatteryEpisodes)
            {
                page.Append("<tr data-battery=\"").Append(E(b.Node.ToString())).Append("\"><td>").Append(E(b.Name)).Append("</td><td>").Append(E(b.ZoneName))
                    .Append("</td><td>").Append(E(text.Full(b.Start))).Append("</td><td>").Append(b.Ongoing ? "still on battery" : E(text.Full(b.End)))
                    .Append("</td><td class=\"n\">").Append(E(Duration(b.Duration))).Append("</td><td class=\"n\">")
                    .Append(E(b.LowestPercent is { } p ? p.ToString("0", CultureInfo.InvariantCulture) + " %" : "not reported")).Append("</td></tr>");
            }

            page.Append("</tbody></table>");
        }

        page.Append("<h2>Alerts</h2>");
        page.Append(report.AlertsTruncated switch
        {
            null => "<p>This process runs no alerting: the report lists no alerts.</p>",
            true => "<p>Only the newest " + EventReport.AlertLimit.ToString(CultureInfo.InvariantCulture) + " alerts of the fleet in the live time were read: older ones of this event may be missing.</p>",
            false when report.Alerts.Count == 0 => "<p>No alert was raised for the event's things.</p>",
            false => "",
        });
        if (report.Alerts.Count > 0)
        {
            page.Append("<table><thead><tr><th>Raised</th><th>Alert</th><th>Subject</th><th>Zone</th><th>Severity</th><th>Acknowledged</th><th>Resolved</th><th>Summary</th></tr></thead><tbody>");
            foreach (var alert in report.Alerts)
            {
                page.Append("<tr data-alert=\"").Append(E(alert.Id)).Append("\"><td>").Append(E(text.Full(alert.StartsAt))).Append("</td><td>").Append(E(NameOf(alert)))
                    .Append("</td><td>").Append(E(alert.Subject)).Append("</td><td>").Append(E(ZoneOf(report, alert))).Append("</td><td>")
                    .Append(E(alert.Severity.ToString().ToLowerInvariant())).Append("</td><td>")
                    .Append(alert.Acknowledgement is { } ack ? E(text.Full(ack.At)) + " by " + E(ack.By) : "").Append("</td><td>")
                    .Append(Resolved(alert) is { } r ? E(text.Full(r)) : "open").Append("</td><td>").Append(E(alert.Summary ?? "")).Append("</td></tr>");
            }

            page.Append("</tbody></table>");
        }

        return page.Append("</body></html>").ToString();
    }

    private static string NameOf(Alert alert) => alert.Labels.GetValueOrDefault(AlertLabels.Name) ?? alert.Rule;

    private static DateTimeOffset? Resolved(Alert alert) => alert.Status == AlertStatus.Resolved ? alert.EndsAt : null;

    /// <summary>The zone's name where the alert names one (its zone label, or a zone subject "zone:event/zone").</summary>
    private static string ZoneOf(EventReport report, Alert alert)
    {
        var id = alert.Labels.GetValueOrDefault("zone")
            ?? (alert.Subject.StartsWith("zone:" + report.Event.Id + "/", StringComparison.Ordinal) ? alert.Subject[(report.Event.Id.Length + 6)..] : null);
        return id is null ? "" : report.Event.Zones.FirstOrDefault(z => z.Id == id)?.Name ?? id;
    }

    /// <summary>
    /// RFC 4180: fields with a comma, quote or line break in quotes, quotes doubled, lines ended by CRLF; every row as wide
    /// as the header (the columns a record does not use are empty).
    /// </summary>
    private static void Row(StringBuilder csv, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < Header.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var field = i < fields.Count ? fields[i] : "";
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                csv.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                csv.Append(field);
            }
        }

        csv.Append("\r\n");
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? percent) => percent is { } p ? Math.Round(p, 2).ToString(CultureInfo.InvariantCulture) : "";

    private static string PercentText(double? percent) => percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "not expected";

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s" : $"{span.TotalSeconds:0} s";
}
