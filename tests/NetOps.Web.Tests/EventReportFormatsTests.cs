using System.Collections.Immutable;
using System.Text;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Api;

namespace NetOps.Web.Tests;

/// <summary>The report's CSV as RFC 4180 asks (quotes, doubled quotes, CRLF) in UTF-8 with a byte order mark; the HTML inert.</summary>
public sealed class EventReportFormatsTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Csv_QuotesWhatNeedsIt_KeepsUmlauts_AndEndsEveryRowWithCrLf()
    {
        var bytes = EventReportFormats.Csv(Report(), ReasonText.Berlin);

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        var rows = text.Split("\r\n");
        Assert.Equal("", rows[^1]);
        Assert.StartsWith("record,zone,entity,name,kind,availability_percent", rows[0], StringComparison.Ordinal);
        Assert.Contains("zone,Bühne,zone:stage,Bühne,zone,50,", text, StringComparison.Ordinal);
        // A comma and quotes in a name: the field quoted, its quotes doubled; a line break inside a reason stays in its field.
        Assert.Contains("availability,Bühne,endpoint:cam-1,\"Camera, \"\"stage\"\"\",camera,50,7200,3600,", text, StringComparison.Ordinal);
        Assert.Contains("\"cut\r\nat the gate\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_ShowsNamesAsText()
    {
        var html = EventReportFormats.Html(Report() with { Lines = [Line("<script>alert(1)</script>")] }, ReasonText.Berlin);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Bühne", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_HasUplinkBatteryAndAlertRecords_InTheOneTable_EveryRowAsWideAsTheHeader()
    {
        var text = Encoding.UTF8.GetString(EventReportFormats.Csv(Full(), ReasonText.Berlin)[3..]);
        var rows = Rows(text);

        Assert.All(rows, r => Assert.Equal(rows[0].Count, r.Count));
        var header = rows[0];
        string Cell(List<string> row, string column) => row[header.IndexOf(column)];
        var uplink = rows.Single(r => r[0] == "uplink");
        Assert.Equal(("node:n-1", "75", "2400", "1800", "600", "0"),
            (uplink[2], Cell(uplink, "availability_percent"), Cell(uplink, "observed_s"), Cell(uplink, "reachable_s"), Cell(uplink, "lte_s"), Cell(uplink, "no_uplink_s")));
        var battery = rows.Single(r => r[0] == "battery");
        Assert.Equal(("2026-06-05T16:10:00Z", "2026-06-05T16:30:00Z", "1200", "ended", "64"),
            (Cell(battery, "start"), Cell(battery, "end"), Cell(battery, "duration_s"), Cell(battery, "state"), Cell(battery, "lowest_battery_percent")));
        var alert = rows.Single(r => r[0] == "alert");
        // The summary's comma, quotes and line break stay in their field; the acknowledger's umlaut as it is.
        Assert.Equal(("Bühne", "endpoint:cam-1", "camera-offline", "resolved", "Kamera \"Bühne\", offline\r\nseit 16:05", "critical", "2026-06-05T16:06:00Z", "jörg"),
            (Cell(alert, "zone"), Cell(alert, "entity"), Cell(alert, "name"), Cell(alert, "state"), Cell(alert, "reason"), Cell(alert, "severity"),
             Cell(alert, "acknowledged_at"), Cell(alert, "acknowledged_by")));
        Assert.Equal(("2026-06-05T16:05:00Z", "2026-06-05T16:09:00Z", "240"), (Cell(alert, "start"), Cell(alert, "end"), Cell(alert, "duration_s")));
        Assert.Contains("\"Kamera \"\"Bühne\"\", offline\r\nseit 16:05\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_HasUplinkBatteryAndAlertSections_AsText()
    {
        var report = Full();
        var html = EventReportFormats.Html(report with { Alerts = [.. report.Alerts.Select(a => a with { Acknowledgement = a.Acknowledgement! with { By = "<b>jörg</b>" } })] },
            ReasonText.Berlin);

        Assert.Contains("<h2>Battery episodes</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-battery=\"node:n-1\">", html, StringComparison.Ordinal);
        Assert.Contains("64 %", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-uplink=\"node:n-1\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-alert=\"a-1\">", html, StringComparison.Ordinal);
        Assert.Contains("by &lt;b&gt;jörg&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>jörg", html, StringComparison.Ordinal);
        Assert.Contains("Kamera &quot;Bühne&quot;, offline", html, StringComparison.Ordinal);
        // Without an alert source the report says why it lists none.
        Assert.Contains("runs no alerting", EventReportFormats.Html(Report(), ReasonText.Berlin), StringComparison.Ordinal);
    }

    /// <summary>RFC 4180 read back: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> Rows(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.Empty(row);
        return rows;
    }

    private static EventReport Full()
    {
        var node = EntityRef.Node("n-1");
        var alert = new Alert("a-1", "camera-offline", "endpoint:cam-1", AlertSeverity.Critical, AlertStatus.Resolved, Start.AddMinutes(5),
            Start.AddMinutes(9), Start.AddMinutes(9))
        {
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add(AlertLabels.Name, "camera-offline").Add("zone", "stage").Add(AlertLabels.Kind, "endpoint"),
            Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(AlertAnnotations.Summary, "Kamera \"Bühne\", offline\r\nseit 16:05"),
            Acknowledgement = new Acknowledgement("jörg", Start.AddMinutes(6), null),
        };
        return Report() with
        {
            BatteryEpisodes = [new BatteryEpisode("Bühne", node, "Node 1", Start.AddMinutes(10), Start.AddMinutes(30), 64, false)],
            Uplinks = [new UplinkTime("Bühne", node, "Node 1", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10), TimeSpan.Zero, TimeSpan.FromMinutes(5))],
            Alerts = [alert],
            AlertsTruncated = false,
        };
    }

    private static EventReport Report() =>
        new(new Event("kerwe", "Kerwe", Start, Start.AddDays(1), [new Zone("stage", "Bühne")]), Start, Start.AddHours(2), [Line("Camera, \"stage\"")]);

    private static ReportLine Line(string name)
    {
        var camera = EntityRef.Endpoint("cam-1");
        var outage = new Outage(camera, Start.AddHours(1), Start.AddHours(2), StateValue.Down, new Reason("cut\r\nat the gate"));
        return new ReportLine("stage", "Bühne", camera, name, "camera",
            new Availability(camera, TimeSpan.FromHours(2), TimeSpan.FromHours(1), [outage]));
    }
}
