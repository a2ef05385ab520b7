using System.Collections.Immutable;
using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Components.Pages;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Tests.Components;

/// <summary>The site plan on an event's coverage page: zones shaded by coverage, nodes by GPS, live.</summary>
public sealed class SitePlanTests : IAsyncDisposable
{
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly BunitContext _context = new();
    private readonly InProcessStateFeed _feed = new();
    private readonly LiveStateView _live;
    private readonly string _directory = Directory.CreateTempSubdirectory("netops-siteplan-").FullName;

    public SitePlanTests()
    {
        _live = new LiveStateView(_feed, TimeProvider.System);
        File.WriteAllText(Path.Combine(_directory, "kerwe.svg"), """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 700"/>""");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _live.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(100, PlanShade.Good)]
    [InlineData(90, PlanShade.Good)]
    [InlineData(89.9, PlanShade.Partial)]
    [InlineData(50, PlanShade.Partial)]
    [InlineData(49.9, PlanShade.Poor)]
    [InlineData(0, PlanShade.Poor)]
    public void ZoneShade_IsGreenFrom90_AmberFrom50_RedBelow(double percent, PlanShade shade) =>
        Assert.Equal(shade, SitePlanView.ShadeOf(percent));

    [Fact]
    public void ZoneShade_IsGrey_WhenNothingIsExpected()
    {
        var camera = new Core.Inventory.Endpoint("cam-1", "Camera", EndpointKind.Camera, "02:00:00:00:00:01", "n1", null, []);
        var zone = new Zone("stift", "Stiftsplatz");

        // Nothing planned, and planned but not deployed yet (before setup): grey, not "100 %" green or "0 %" red.
        Assert.Equal(PlanShade.None, SitePlanView.ShadeOf(new Core.Events.ZoneCoverage(zone, [], [])));
        Assert.Equal(PlanShade.None, SitePlanView.ShadeOf(new Core.Events.ZoneCoverage(zone, [], [new EndpointCoverage(camera, false, null)])));
        Assert.Equal(PlanShade.Poor, SitePlanView.ShadeOf(new Core.Events.ZoneCoverage(zone, [], [new EndpointCoverage(camera, true, null)])));
    }

    [Fact]
    public async Task Plan_PlacesTheNodeAtItsGpsPoint_AndADownCameraRecoloursItsZone_Live()
    {
        await PublishAsync(
            State(EntityRef.Node("n1"), StateValue.Up) with
            {
                Metrics = ImmutableSortedDictionary<string, double>.Empty.Add("lat", 49.4445).Add("lon", 7.7693),
            },
            State(EntityRef.Endpoint("cam-1"), StateValue.Up),
            State(EntityRef.Endpoint("cam-2"), StateValue.Up));
        Register(Inventory(withPlan: true));

        var page = _context.Render<Coverage>(p => p.Add(c => c.EventId, "kerwe"));

        var node = page.Find("g.marker[data-entity='node:n1']");
        Assert.Equal(("gps", "up"), (node.GetAttribute("data-source"), node.GetAttribute("data-state")));
        // 49.4445 N, 7.7693 E on a plan of 1000 × 700 spanning 49.4426–49.4458 N, 7.7650–7.7720 E.
        Assert.Equal("translate(614.3 284.4)", node.GetAttribute("transform"));
        Assert.Equal("hand", page.Find("g.marker[data-entity='endpoint:cam-1']").GetAttribute("data-source"));
        Assert.Equal("translate(120 100)", page.Find("g.marker[data-entity='endpoint:cam-1']").GetAttribute("transform"));
        Assert.Equal("node", page.Find("g.marker[data-entity='endpoint:cam-2']").GetAttribute("data-source"));
        // Device and inventory text is text: in the tooltip, never markup.
        Assert.Empty(page.FindAll("img"));
        Assert.StartsWith(Hostile + " (camera): up", page.Find("g.marker[data-entity='endpoint:cam-1'] title").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("data:image/svg+xml;base64,", page.Find("figure.site-plan image").GetAttribute("href"), StringComparison.Ordinal);
        var zone = page.Find("g.zone[data-zone='stift']");
        Assert.Equal(("100", "good"), (zone.GetAttribute("data-coverage"), zone.GetAttribute("data-shade")));
        Assert.Equal("Stiftsplatz 2 of 2", zone.QuerySelector("text")!.TextContent);
        Assert.Equal("560,240 680,235 690,335 565,340", zone.QuerySelector("polygon")!.GetAttribute("points"));

        await _feed.PublishAsync(new StateDelta(2, [State(EntityRef.Endpoint("cam-2"), StateValue.Down)], []), default);

        page.WaitForAssertion(() =>
        {
            var after = page.Find("g.zone[data-zone='stift']");
            Assert.Equal(("50", "partial"), (after.GetAttribute("data-coverage"), after.GetAttribute("data-shade")));
            Assert.Equal("Stiftsplatz 1 of 2", after.QuerySelector("text")!.TextContent);
            Assert.Equal("down", page.Find("g.marker[data-entity='endpoint:cam-2']").GetAttribute("data-state"));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task NodeWithoutGps_GoesWhereThePlanPlacesItByHand()
    {
        await PublishAsync(State(EntityRef.Node("n1"), StateValue.Up));
        Register(Inventory(withPlan: true, placeNode: true));

        var page = _context.Render<Coverage>(p => p.Add(c => c.EventId, "kerwe"));

        var node = page.Find("g.marker[data-entity='node:n1']");
        Assert.Equal(("hand", "translate(300 400)"), (node.GetAttribute("data-source"), node.GetAttribute("transform")));
    }

    [Fact]
    public async Task Coordinator_SeesOnTheirEventsPlan_OnlyWhatTheirPageShows_NotWhatItPlacesOfAnotherEvent()
    {
        await PublishAsync(State(EntityRef.Node("n1"), StateValue.Up), State(EntityRef.Node("n9"), StateValue.Up));
        Register(Inventory(withPlan: true, placeNode: true, otherEvent: true), NetOpsRoles.Coordinator, "kerwe");

        var page = _context.Render<Coverage>(p => p.Add(c => c.EventId, "kerwe"));

        Assert.NotEmpty(page.FindAll("g.marker[data-entity='node:n1']"));
        // Node 9 and its sensor are at the festival: placed on the Kerwe's plan by hand, and still not shown there.
        Assert.Empty(page.FindAll("g.marker[data-entity='node:n9']"));
        Assert.Empty(page.FindAll("g.marker[data-entity='endpoint:sensor-9']"));
    }

    [Fact]
    public async Task EventWithoutPlan_ShowsNoPlan()
    {
        await PublishAsync(State(EntityRef.Node("n1"), StateValue.Up));
        Register(Inventory(withPlan: false));

        var page = _context.Render<Coverage>(p => p.Add(c => c.EventId, "kerwe"));

        Assert.NotEmpty(page.FindAll("section.zone"));
        Assert.Empty(page.FindAll("figure.site-plan"));
    }

    private void Register(FleetInventory inventory, string role = NetOpsRoles.Operator, params string[] events)
    {
        _context.AddAuthorization().SetAuthorized("someone").SetRoles(role).SetClaims([.. events.Select(e => new Claim(NetOpsClaims.Event, e))]);
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(inventory));
        _context.Services.AddSingleton<NetOps.Web.Events.EventCommands>();
        _context.Services.AddSingleton(_live);
        _context.Services.AddSingleton(TimeProvider.System);
        _context.Services.AddSingleton<PlanImages>();
    }

    private async Task PublishAsync(params EntityState[] states)
    {
        _live.Start();
        await _live.Loaded.WaitAsync(TimeSpan.FromSeconds(5));
        await _feed.PublishAsync(new StateDelta(1, states, []), default);
        await NetOps.Testing.Eventually.TrueAsync(() => states.All(s => _live.Get(s.Entity) is not null), TimeSpan.FromSeconds(5), "delta applied");
    }

    private static EntityState State(EntityRef entity, StateValue value) =>
        new(entity, value, Reason.Of(ReasonCodes.NoEvidence), Now, Now, "engine", TimeSpan.FromMinutes(1));

    private FleetInventory Inventory(bool withPlan, bool placeNode = false, bool otherEvent = false)
    {
        var fest = new Assignment("fest", "platz", Now.AddDays(-1), Now.AddDays(1));
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var kerwe = new Assignment("kerwe", "stift", Now.AddDays(-1), Now.AddDays(1));
        var placements = new Dictionary<string, PlanPoint>(StringComparer.Ordinal) { ["cam-1"] = new(120, 100) };
        if (placeNode)
        {
            placements["n1"] = new PlanPoint(300, 400);
        }

        if (otherEvent)
        {
            placements["n9"] = new PlanPoint(400, 400);
            placements["sensor-9"] = new PlanPoint(420, 400);
        }

        var plan = new SitePlan("kerwe.svg", Path.Combine(_directory, "kerwe.svg"), 1000, 700, new PlanBounds(49.4426, 7.7650, 49.4458, 7.7720),
            new Dictionary<string, IReadOnlyList<PlanPoint>>(StringComparer.Ordinal) { ["stift"] = [new(560, 240), new(680, 235), new(690, 335), new(565, 340)] },
            placements);
        return new FleetInventory([],
            [new Device("n1-sw", "N1 switch", DeviceClass.MobileSwitch, null, "n1", snmp, [new PortPlan("ge-0/0/1"), new PortPlan("ge-0/0/2")])],
            [],
            [new MobileNode("n1", "Node 1", "n1-sw", TimeSpan.FromSeconds(10), [kerwe]),
             new MobileNode("n9", "Node 9", null, TimeSpan.FromSeconds(10), [fest])],
            [new Core.Inventory.Endpoint("cam-1", Hostile, EndpointKind.Camera, "02:00:00:00:00:01", "n1", "ge-0/0/1", []),
             new Core.Inventory.Endpoint("cam-2", "Camera 2", EndpointKind.Camera, "02:00:00:00:00:02", "n1", "ge-0/0/2", []),
             new Core.Inventory.Endpoint("sensor-9", "Sensor 9", EndpointKind.Sensor, "02:00:00:00:00:09", "n9", null, [])],
            [new Event("kerwe", "Kerwe", Now.AddDays(-1), Now.AddDays(1), [new Zone("stift", "Stiftsplatz")]) { Plan = withPlan ? plan : null },
             new Event("fest", "Fest", Now.AddDays(-1), Now.AddDays(1), [new Zone("platz", "Platz")])]);
    }
}
