using System.Text;
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
