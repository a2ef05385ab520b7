using System.Collections.Immutable;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Components.Controls;
using NetOps.Web.Components.Pages;

namespace NetOps.Web.Tests.Components;

/// <summary>The coverage page of an event: zones, their nodes, and every camera and sensor with its connectivity.</summary>
public sealed class CoverageTests : IAsyncDisposable
{
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly BunitContext _context = new();
    private readonly InProcessStateFeed _feed = new();
    private readonly LiveStateView _live;

    public CoverageTests()
    {
        // The pages show what the login may see: an operator sees everything.
        _context.AddAuthorization().SetAuthorized("op").SetRoles(NetOps.Core.Security.NetOpsRoles.Operator);
        _live = new LiveStateView(_feed, TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _live.DisposeAsync();
    }

    [Fact]
    public async Task Coverage_ListsEachZonesEndpointsWithTheirStateAndNote_AsText()
    {
        var inventory = Inventory();
        await PublishAsync(
            // Degraded (found on another port than planned) is connected, as the site plan and alerting count it.
            State(EntityRef.Endpoint("cam-1"), StateValue.Degraded, Reason.Of(ReasonCodes.EndpointRepatched)) with
            {
                Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("note", Hostile),
            },
            State(EntityRef.Endpoint("cam-2"), StateValue.Down, Reason.Of(ReasonCodes.PortOperDown, ("device", "n1-sw"), ("port", "ge-0/0/2"))),
            State(EntityRef.Node("n1"), StateValue.Up, Reason.Of(ReasonCodes.NodeReporting)));
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(inventory));
        _context.Services.AddSingleton<NetOps.Web.Events.EventCommands>();
        _context.Services.AddSingleton(_live);
        _context.Services.AddSingleton(TimeProvider.System);

        var page = _context.Render<Coverage>(p => p.Add(c => c.EventId, "kerwe"));

        Assert.Empty(page.FindAll("img"));
        var zone = page.Find("section.zone[data-zone='stift']");
        Assert.Contains("1 of 2 connected", zone.QuerySelector("h3")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("degraded", page.Find("tr[data-entity='endpoint:cam-1']").GetAttribute("data-state"));
        Assert.Equal(Hostile, page.Find("tr[data-entity='endpoint:cam-1'] td.note").TextContent);
        Assert.Equal("port ge-0/0/2 on n1-sw down", page.Find("tr[data-entity='endpoint:cam-2'] td.reason").TextContent);
        Assert.Equal("up", page.Find("tr[data-entity='node:n1']").GetAttribute("data-state"));
        // The other zone has no node planned, and the sensor of the node planned for another event is nowhere.
        Assert.Contains("No mobile node planned here", page.Find("section.zone[data-zone='markt']").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("tr[data-entity='endpoint:sensor-9']"));
    }

    [Fact]
    public async Task ZonePower_ShowsEachNodesPowerAndUplink_AndTheZonesGapsWithReasons()
    {
        await PublishAsync(
            State(EntityRef.Endpoint("cam-1"), StateValue.Up, Reason.Of(ReasonCodes.NoEvidence)),
            State(EntityRef.Endpoint("cam-2"), StateValue.Down, Reason.Of(ReasonCodes.PortOperDown, ("device", "n1-sw"), ("port", "ge-0/0/2"))),
            State(EntityRef.Node("n1"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery, ("battery_pct", 18))) with
            {
                Metrics = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, double>
                {
                    ["on_mains"] = 0, ["battery_pct"] = 18, ["runtime_left_s"] = 35 * 60, ["uplink"] = (double)NetOps.Core.Observations.UplinkKind.Lte,
                }),
            });
        // The zone's power and gaps component, from the page's view model (the page itself only places it).
        var model = new NetOps.Web.ViewModels.CoverageViewModel(_live, ReasonText.Berlin, TimeProvider.System);
        model.Refresh(Inventory(), "kerwe");
        var stift = model.Zones.Single(z => z.ZoneId == "stift");
        var markt = model.Zones.Single(z => z.ZoneId == "markt");
        var page = _context.Render<ZonePower>(p => p.Add(c => c.Nodes, stift.Power).Add(c => c.Gaps, stift.Gaps));

        var node = page.Find("tr[data-node='n1']");
        Assert.Equal(("battery", "critical", "lte"), (node.GetAttribute("data-power"), node.GetAttribute("data-level"), node.GetAttribute("data-uplink")));
        Assert.Equal("battery 18 %", node.QuerySelector("td.source")!.TextContent);
        Assert.Equal("35 min", node.QuerySelector("td.runtime")!.TextContent);
        Assert.Equal(
            [
                ("node:n1", "Node 1: on battery, 18 % (critical at or below 20 %), 35 min left (warning at or below 2 h 00 min); LTE fallback: the fibre uplink is down"),
                ("endpoint:cam-2", "Camera 2: port ge-0/0/2 on n1-sw down"),
            ],
            page.FindAll("li.gap").Select(li => (li.GetAttribute("data-entity"), li.TextContent)));
        Assert.Empty(markt.Gaps);
        Assert.Contains("No gaps", _context.Render<ZonePower>(p => p.Add(c => c.Nodes, markt.Power).Add(c => c.Gaps, markt.Gaps)).Markup,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Coverage_WithoutAnEvent_ListsTheEventsToChooseFrom()
    {
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(Inventory()));
        _context.Services.AddSingleton<NetOps.Web.Events.EventCommands>();
        _context.Services.AddSingleton(_live);
        _context.Services.AddSingleton(TimeProvider.System);

        var page = _context.Render<Coverage>();

        Assert.Equal(["kerwe", "fest"], page.FindAll("nav.events a").Select(a => a.GetAttribute("data-event")));
        Assert.Empty(page.FindAll("section.zone"));
    }

    private async Task PublishAsync(params EntityState[] states)
    {
        _live.Start();
        await _live.Loaded.WaitAsync(TimeSpan.FromSeconds(5));
        await _feed.PublishAsync(new StateDelta(1, states, []), default);
        await NetOps.Testing.Eventually.TrueAsync(() => states.All(s => _live.Get(s.Entity) is not null), TimeSpan.FromSeconds(5), "delta applied");
    }

    private static EntityState State(EntityRef entity, StateValue value, Reason reason) =>
        new(entity, value, reason, Now, Now, "engine", TimeSpan.FromMinutes(1));

    private static FleetInventory Inventory()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var kerwe = new Assignment("kerwe", "stift", Now.AddDays(-1), Now.AddDays(1));
        var later = new Assignment("fest", "platz", Now.AddDays(10), Now.AddDays(12));
        return new FleetInventory([],
            [new Device("n1-sw", "N1 switch", DeviceClass.MobileSwitch, null, "n1", snmp, [new PortPlan("ge-0/0/1"), new PortPlan("ge-0/0/2")])],
            [],
            [new MobileNode("n1", "Node 1", "n1-sw", TimeSpan.FromSeconds(10), [kerwe]),
             new MobileNode("n9", "Node 9", null, TimeSpan.FromSeconds(10), [later])],
            [new Core.Inventory.Endpoint("cam-1", Hostile, EndpointKind.Camera, "02:00:00:00:00:01", "n1", "ge-0/0/1", []),
             new Core.Inventory.Endpoint("cam-2", "Camera 2", EndpointKind.Camera, "02:00:00:00:00:02", "n1", "ge-0/0/2", []),
             new Core.Inventory.Endpoint("sensor-9", "Sensor 9", EndpointKind.Sensor, "02:00:00:00:00:09", "n9", null, [])],
            [new Event("kerwe", "Kerwe", Now.AddDays(-1), Now.AddDays(1), [new Zone("stift", "Stiftsplatz"), new Zone("markt", "Markt")]),
             new Event("fest", "Fest", Now.AddDays(10), Now.AddDays(12), [new Zone("platz", "Platz")])]);
    }
}
