using System.Collections.Immutable;
using Blazor.Diagrams.Core.Geometry;
using Bunit;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Components.Controls;
using NetOps.Web.Components.Controls.Topology;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Tests.Components;

/// <summary>Components rendered in-process with bUnit: what they show, and that device text is never markup.</summary>
public sealed class ComponentTests : IDisposable
{
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private readonly BunitContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void DeviceNode_ShowsItsNameAndReasonAsText_NeverAsMarkup()
    {
        var node = new DeviceNode("sw-x", DeviceClass.Site, new Point(0, 0)) { Title = Hostile, State = StateValue.Down, Reason = Hostile };

        var rendered = _context.Render<DeviceNodeWidget>(p => p.Add(w => w.Node, node));

        Assert.Empty(rendered.FindAll("img"));
        var div = rendered.Find("div.topo-node");
        Assert.Equal(Hostile, div.TextContent.Trim());
        Assert.Equal(Hostile, div.GetAttribute("title"));
        Assert.Equal("down", div.GetAttribute("data-state"));
        Assert.Contains("class-site", div.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void StateTable_RendersUntrustedReasonsAsText_WithTheStateOnEachRow()
    {
        var rows = new List<StateRow>
        {
            new(EntityRef.Link("l1"), "Link one", Hostile, StateValue.Down, Hostile, "14:02:00", ""),
            new(EntityRef.Device("d1"), "Device", "Site", StateValue.Up, "responding to SNMP", "14:00:00", "up 00:10:00"),
        };

        var rendered = _context.Render<StateTable>(p => p.Add(t => t.Rows, rows));

        Assert.Empty(rendered.FindAll("img"));
        Assert.Equal("down", rendered.Find("tr[data-entity='link:l1']").GetAttribute("data-state"));
        Assert.Equal(Hostile, rendered.Find("tr[data-entity='link:l1'] td.reason").TextContent);
        Assert.Equal("up", rendered.Find("tr[data-entity='device:d1'] .badge").TextContent);
    }

    [Fact]
    public async Task TopologyViewModel_ColoursLinksFromTheLiveView()
    {
        var feed = new InProcessStateFeed();
        await using var live = new LiveStateView(feed, TimeProvider.System);
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var inventory = new FleetInventory([new Site("s", "S")],
            [new Device("core", "Core", DeviceClass.Core, "s", null, snmp, [new PortPlan("p1")]),
             new Device("acc", "Acc", DeviceClass.Access, "s", null, snmp, [new PortPlan("p1")])],
            [new Link("core--acc", "Core – Acc", new("core", "p1"), new("acc", "p1"))], [], [], []);
        var model = new TopologyViewModel(live, ReasonText.Berlin, inventory);
        var link = model.Diagram.Links.OfType<HealthLink>().Single();
        Assert.Equal(TopologyViewModel.Unknown, link.Color);

        // The view model reads the live view as it is; here a delta arrives through the feed first.
        live.Start();
        await live.Loaded.WaitAsync(TimeSpan.FromSeconds(5));
        await feed.PublishAsync(new StateDelta(1, [new EntityState(EntityRef.Link("core--acc"), StateValue.Down, Reason.Of(ReasonCodes.LinkEndDown),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "engine", TimeSpan.FromMinutes(1)) { Metrics = ImmutableSortedDictionary<string, double>.Empty }], []), default);
        await NetOps.Testing.Eventually.TrueAsync(() => live.Get(EntityRef.Link("core--acc")) is not null, TimeSpan.FromSeconds(5), "delta applied");
        model.Refresh();

        Assert.Equal(TopologyViewModel.Down, link.Color);
        Assert.Equal(StateValue.Down, link.State);
    }
}
