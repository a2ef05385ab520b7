using System.Collections.Immutable;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Alerts;
using NetOps.Web.Components.Controls;
using NetOps.Web.Components.Pages;
using NetOps.Web.Presentation;

namespace NetOps.Web.Tests.Components;

/// <summary>The alert components in-process: device text shown as text, subjects linked to their pages, no alerting here said plainly.</summary>
public sealed class AlertComponentTests : IAsyncDisposable
{
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private readonly BunitContext _context = new();

    public AlertComponentTests()
    {
        // The pages show what the login may see: an operator sees everything.
        _context.AddAuthorization().SetAuthorized("op").SetRoles(NetOps.Core.Security.NetOpsRoles.Operator);
        _context.Services.AddSingleton<NetOps.Inventory.IInventoryProvider>(new NetOps.Inventory.FixedInventoryProvider(NetOps.Core.Inventory.FleetInventory.Empty));
        _context.Services.AddSingleton(TimeProvider.System);
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void AlertsPage_WithoutAlertingInTheProcess_SaysWhereAlertingRuns_AndTheHeaderCountsNothing()
    {
        var page = _context.Render<Alerts>();

        Assert.Contains("Alerting runs in another process", page.Find("div.alerts p.elsewhere").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-alert-id]"));

        var link = _context.Render<AlertsNavLink>();
        Assert.Contains("Alerts", link.Find("a").TextContent, StringComparison.Ordinal);
        Assert.Empty(link.FindAll("span.alert-count"));
    }

    [Fact]
    public void AlertRow_ShowsWhatCameFromDevicesAsText_LinksTheSubjectsPage_AndOffersNoCommandsWithoutABook()
    {
        var now = DateTimeOffset.UtcNow;
        var alert = new Alert("a1", "PortDown", "port:sw-x/Gi0/1", AlertSeverity.Warning, AlertStatus.Acknowledged, now.AddMinutes(-5), null, now)
        {
            Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(AlertAnnotations.Summary, Hostile).Add(AlertAnnotations.Affected, Hostile),
            Acknowledgement = new Acknowledgement(Hostile, now, Hostile),
            SilencedBy = "s1",
        };

        var row = _context.Render<AlertRow>(p => p.Add(r => r.Alert, alert));

        Assert.Empty(row.FindAll("img"));
        var div = row.Find("div.alert-row");
        Assert.Equal("a1", div.GetAttribute("data-alert-id"));
        Assert.Equal("acknowledged", div.GetAttribute("data-status"));
        Assert.Equal("true", div.GetAttribute("data-silenced"));
        Assert.Equal(Hostile, row.Find(".summary").TextContent);
        Assert.Equal(Hostile, row.Find(".affected").TextContent);
        Assert.Equal(Hostile, row.Find(".ack-by").TextContent);
        Assert.Equal("devices/sw-x", row.Find(".subject a").GetAttribute("href"));
        Assert.Contains("silenced", row.Find(".hold").TextContent, StringComparison.Ordinal);
        Assert.Empty(row.FindAll("button"));
    }

    [Theory]
    [InlineData("link:core-acc-nord", "links/core-acc-nord")]
    [InlineData("device:acc-nord", "devices/acc-nord")]
    [InlineData("node:mogli-01", "nodes/mogli-01")]
    [InlineData("port:acc-nord/Te1/1/1", "devices/acc-nord")]
    [InlineData("zone:kerwe-2026/main-stage", "events/kerwe-2026")]
    [InlineData("endpoint:cam-1", null)]
    [InlineData("nonsense", null)]
    public void AlertSubject_LinksToThePageThatShowsIt(string subject, string? href) => Assert.Equal(href, AlertText.Href(subject));
}
