using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
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
        ["record", "zone", "entity", "name", "kind", "availability_percent", "observed_s", "reachable_s", "start", "end", "duration_s", "state", "reason"];

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

        return page.Append("</tbody></table></body></html>").ToString();
    }

    /// <summary>RFC 4180: fields with a comma, quote or line break in quotes, quotes doubled, lines ended by CRLF.</summary>
    private static void Row(StringBuilder csv, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var field = fields[i];
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
