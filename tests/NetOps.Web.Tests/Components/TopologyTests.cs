using System.Collections.Immutable;
using Blazor.Diagrams.Core.Geometry;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Components.Controls.Topology;
using NetOps.Web.Components.Pages;
using NetOps.Web.History;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Tests.Components;

/// <summary>The topology's groups, filters, search and link styles, and the detail page, rendered in-process with bUnit.</summary>
public sealed class TopologyTests : IAsyncLifetime, IDisposable
{
    private const string Hostile = "<img src=x onerror=alert(1)>";
    private static readonly DateTimeOffset Now = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _context = new();
    private readonly InProcessStateFeed _feed = new();
    private readonly LiveStateView _live;
    private long _version;

    public TopologyTests()
    {
        // The pages show what the login may see: an operator sees everything.
        _context.AddAuthorization().SetAuthorized("op").SetRoles(NetOps.Core.Security.NetOpsRoles.Operator);
        _live = new LiveStateView(_feed, TimeProvider.System, TimeSpan.FromMilliseconds(10));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _live.DisposeAsync();

    public void Dispose() => _context.Dispose();

    /// <summary>A small Rainbow: core, two rays with an access switch and two sites each; MOGLI nodes at two events and one in storage.</summary>
    private static FleetInventory Fleet()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        Device Dev(string id, DeviceClass c, string? site, string? node = null) => new(id, id.ToUpperInvariant(), c, site, node, snmp,
            [new PortPlan("p1", "planned uplink"), new PortPlan("p2"), new PortPlan("p3")]);
        var sites = new[]
        {
            new Site("rathaus", "Rathaus"), new Site("pop-n", "PoP Nord", "nord"), new Site("burg", "Burggymnasium", "nord"),
            new Site("wache", "Feuerwache", "nord"), new Site("pop-o", "PoP Ost", "ost"), new Site("swk", "Stadtwerke", "ost"), new Site("asg", "ASG", "ost"),
        };
        var devices = new[]
        {
            Dev("core", DeviceClass.Core, "rathaus"), Dev("acc-n", DeviceClass.Access, "pop-n"), Dev("acc-o", DeviceClass.Access, "pop-o"),
            Dev("sw-burg", DeviceClass.Site, "burg"), Dev("sw-wache", DeviceClass.Site, "wache"), Dev("sw-swk", DeviceClass.Site, "swk"),
            Dev("sw-asg", DeviceClass.Site, "asg"), Dev("m1-sw", DeviceClass.MobileSwitch, null, "m1"), Dev("m2-sw", DeviceClass.MobileSwitch, null, "m2"),
            Dev("m3-sw", DeviceClass.MobileSwitch, null, "m3"),
        };
        Link L(string id, string a, string b) => new(id, id, new LinkEnd(a, "p1"), new LinkEnd(b, "p2"));
        var links = new[]
        {
            L("core-n", "core", "acc-n"), L("core-o", "core", "acc-o"), L("n-burg", "acc-n", "sw-burg"), L("n-wache", "acc-n", "sw-wache"),
            L("o-swk", "acc-o", "sw-swk"), L("o-asg", "acc-o", "sw-asg"), L("m1-up", "m1-sw", "sw-burg"), L("m2-up", "m2-sw", "sw-swk"),
        };
        var kerwe = new Event("kerwe", "Lautrer Kerwe", Now.AddDays(-1), Now.AddDays(2), [new Zone("stift", "Stiftsplatz")]);
        var fest = new Event("fest", "Altstadtfest", Now.AddDays(-1), Now.AddDays(2), [new Zone("martin", "Martinsplatz")]);
        var nodes = new[]
        {
            new MobileNode("m1", "MOGLI 1", "m1-sw", TimeSpan.FromSeconds(10), [new Assignment("kerwe", "stift", Now.AddDays(-1), Now.AddDays(2))]),
            new MobileNode("m2", "MOGLI 2", "m2-sw", TimeSpan.FromSeconds(10), [new Assignment("fest", "martin", Now.AddDays(-1), Now.AddDays(2))]),
            new MobileNode("m3", "MOGLI 3", "m3-sw", TimeSpan.FromSeconds(10), []),
        };
        return new FleetInventory(sites, devices, links, nodes, [], [kerwe, fest]);
    }

    private static EntityState State(EntityRef entity, StateValue value, string code = ReasonCodes.NoEvidence) =>
        new(entity, value, Reason.Of(code, ("device", "d"), ("port", "p")), Now, Now, "test#1", TimeSpan.FromMinutes(5));

    private async Task PublishAsync(params EntityState[] states)
    {
        await _feed.PublishAsync(new StateDelta(++_version, states, []), default);
        _live.Start();
        await _live.Loaded.WaitAsync(TimeSpan.FromSeconds(5));
        await NetOps.Testing.Eventually.TrueAsync(() => states.All(s => Equals(_live.Get(s.Entity), s)), TimeSpan.FromSeconds(5), "states applied");
    }

    private TopologyViewModel Model() => new(_live, ReasonText.Berlin, Fleet(), Now);

    [Fact]
    public async Task DefaultView_IsCollapsed_GroupsExpandAndCollapse()
    {
        await PublishAsync(State(EntityRef.Device("sw-wache"), StateValue.Down), State(EntityRef.Device("sw-burg"), StateValue.Up));
        var model = Model();

        Assert.Equal(["device:acc-n", "device:acc-o", "device:core", "group:event:-", "group:event:fest", "group:event:kerwe", "group:ray:nord", "group:ray:ost"],
            model.Nodes.Select(n => n.Key).Order(StringComparer.Ordinal));
        var nord = Assert.IsType<GroupNode>(model.Node("group:ray:nord"));
        Assert.Equal(StateValue.Down, nord.State);
        Assert.Equal(1, nord.Counts[StateValue.Down]);
        Assert.Equal(1, nord.Counts[StateValue.Up]);
        // Both links into the folded ray are drawn as one, and the MOGLI uplink into it folds between the two groups.
        Assert.NotNull(model.Link("fold:device:acc-n|group:ray:nord"));
        Assert.Equal(["n-burg", "n-wache"], model.Link("fold:device:acc-n|group:ray:nord")!.Members);
        Assert.NotNull(model.Link("fold:group:event:kerwe|group:ray:nord"));

        nord.Expand!();
        Assert.Null(model.Node("group:ray:nord"));
        Assert.Equal(StateValue.Down, model.Node("device:sw-wache")!.State);
        Assert.NotNull(model.Link("link:n-wache"));
        Assert.NotNull(model.Link("fold:device:sw-burg|group:event:kerwe"));

        model.Collapse("ray:nord");
        Assert.NotNull(model.Node("group:ray:nord"));
        Assert.Null(model.Node("device:sw-wache"));
    }

    [Fact]
    public async Task GroupWidget_ShowsCountsAsText_AndDrillsDownOnClick()
    {
        await PublishAsync(State(EntityRef.Device("sw-wache"), StateValue.Down));
        var model = Model();
        var group = (GroupNode)model.Node("group:ray:nord")!;

        var rendered = _context.Render<GroupNodeWidget>(p => p.Add(w => w.Node, group));
        Assert.Equal("down", rendered.Find("div.topo-group").GetAttribute("data-state"));
        Assert.Equal("1", rendered.Find(".tally.state-down").TextContent);
        rendered.Find("button.expand").Click();

        Assert.Contains("ray:nord", model.Expanded);
        Assert.NotNull(model.Node("device:sw-burg"));
    }

    [Fact]
    public async Task Filters_FadeWhatDoesNotMatch_GroupsMatchThroughTheirMembers()
    {
        await PublishAsync(State(EntityRef.Device("sw-wache"), StateValue.Down), State(EntityRef.Device("core"), StateValue.Up),
            State(EntityRef.Device("sw-swk"), StateValue.Up));
        var model = Model();

        model.SetFilter(new TopologyFilter(Health: HealthFilter.Down));
        Assert.False(model.Node("group:ray:nord")!.Dimmed);
        Assert.True(model.Node("group:ray:ost")!.Dimmed);
        Assert.True(model.Node("device:core")!.Dimmed);
        Assert.True(model.Link("link:core-n")!.Dimmed);

        model.SetFilter(new TopologyFilter(Site: "ray:ost"));
        Assert.True(model.Node("group:ray:nord")!.Dimmed);
        Assert.False(model.Node("device:acc-o")!.Dimmed);
        // MOGLI 2 is patched into Stadtwerke (ray ost): its event counts for the ray.
        Assert.False(model.Node("group:event:fest")!.Dimmed);
        Assert.True(model.Node("group:event:kerwe")!.Dimmed);

        model.SetFilter(new TopologyFilter(Event: "kerwe"));
        Assert.False(model.Node("group:event:kerwe")!.Dimmed);
        Assert.True(model.Node("group:event:fest")!.Dimmed);

        model.SetFilter(new TopologyFilter());
        Assert.DoesNotContain(model.Nodes, n => n.Dimmed);
    }

    [Fact]
    public async Task Search_ExpandsTheGroup_AndHighlightsTheNode()
    {
        await PublishAsync(State(EntityRef.Device("core"), StateValue.Up));
        var model = Model();

        Assert.Equal("device:sw-wache", model.Search("feuerwache"));
        Assert.Contains("ray:nord", model.Expanded);
        Assert.True(model.Node("device:sw-wache")!.Highlighted);

        Assert.Equal("device:m2-sw", model.Search("MOGLI 2"));
        Assert.False(model.Node("device:sw-wache")!.Highlighted);
        Assert.True(model.Node("device:m2-sw")!.Highlighted);
        Assert.Null(model.Search("nowhere at all"));

        var rendered = _context.Render<DeviceNodeWidget>(p => p.Add(w => w.Node, (DeviceNode)model.Node("device:m2-sw")!));
        Assert.Equal("true", rendered.Find("div.topo-node").GetAttribute("data-highlighted"));
    }

    [Fact]
    public async Task LinksAreStyledByDiscovery_DiscoveredOnlyLinksAppearBetweenTheDevicesTheyName()
    {
        EntityState Planned(string id, string discovery) =>
            State(EntityRef.Link(id), StateValue.Up) with { Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("discovery", discovery) };
        await PublishAsync(Planned("core-n", "confirmed"), Planned("core-o", "missing"), Planned("n-burg", "miswired"),
            State(EntityRef.Link("discovered:x1"), StateValue.Up) with
            {
                Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("discovery", "unexpected").Add("a", "ACC-N Gi1/0/9").Add("b", "core/" + Hostile),
            });
        var model = Model();
        model.Expand("ray:nord");

        Assert.Equal(Discovery.Confirmed, model.Link("link:core-n")!.Discovery);
        Assert.Equal(Discovery.Missing, model.Link("link:core-o")!.Discovery);
        Assert.Equal(Discovery.Miswired, model.Link("link:n-burg")!.Discovery);
        var discovered = model.Link("link:discovered:x1")!;
        Assert.Equal(Discovery.Unexpected, discovered.Discovery);
        Assert.Equal(TopologyViewModel.Discovered, discovered.Color);

        var dashes = new Dictionary<string, string?>();
        foreach (var key in new[] { "link:core-n", "link:core-o", "link:n-burg", "link:discovered:x1" })
        {
            var link = model.Link(key)!;
            MeasureEnds(model, link);
            var rendered = _context.Render<HealthLinkWidget>(p => p.Add(w => w.Link, link));
            var path = rendered.Find("path.health-link");
            dashes[key] = path.GetAttribute("stroke-dasharray");
            if (key == "link:n-burg")
            {
                Assert.Single(rendered.FindAll("g.miswired-marker"));
            }

            if (key == "link:discovered:x1")
            {
                // The ends as the device reported them are in the tooltip, as text.
                Assert.Empty(rendered.FindAll("img"));
                Assert.Contains(Hostile, path.QuerySelector("title")!.TextContent, StringComparison.Ordinal);
            }
        }

        Assert.Null(dashes["link:core-n"]);
        Assert.Equal("10 6", dashes["link:core-o"]);
        Assert.Equal("1 7", dashes["link:discovered:x1"]);
    }

    private static void MeasureEnds(TopologyViewModel model, HealthLink link)
    {
        // The browser measures nodes; here they get a size so the link has a path.
        model.Node(link.EndA)!.Size = new Size(100, 30);
        model.Node(link.EndB)!.Size = new Size(100, 30);
        link.Refresh();
    }

    [Fact]
    public async Task DetailPage_ShowsPortsMetricsAndChanges_DeviceTextAsText()
    {
        var port = State(EntityRef.Port("sw-burg", "p1"), StateValue.Up, ReasonCodes.PortOperUp) with
        {
            Metrics = ImmutableSortedDictionary<string, double>.Empty.Add("in_bps", 12_500_000).Add("utilisation_pct", 1.25)
                .Add("rx_dbm", -7.5).Add("optical_margin_db", 4.25).Add("in_errors_per_s", 3).Add("at_ms", 1),
            Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("alias", Hostile),
        };
        var device = State(EntityRef.Device("sw-burg"), StateValue.Up, ReasonCodes.DeviceResponding) with
        {
            Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("sysDescr", Hostile),
        };
        await PublishAsync(port, device);
        var down = device with { Value = StateValue.Down, Reason = Reason.Of(ReasonCodes.DeviceUnreachable, ("device", "sw-burg"), ("error", "timeout")) };
        await PublishAsync(down);
        // The page reads its last changes from the operational database: a real one (SQLite in a temporary directory).
        await using var database = await OperationalDatabase.StartAsync();
        await database.History.WriteAsync([new StateChange(down.Since, down.Entity, StateValue.Up, StateValue.Down, down.Reason)], default);

        _context.Services.AddSingleton(_live);
        _context.Services.AddSingleton<IStateHistory>(database.History);
        _context.Services.AddSingleton<IHistoryReader>(NoHistory.Instance);
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(Fleet()));
        _context.Services.AddSingleton(TimeProvider.System);
        var rendered = _context.Render<Detail>(p => p.Add(d => d.DeviceId, "sw-burg"));

        Assert.Empty(rendered.FindAll("img"));
        Assert.Equal("down", rendered.Find("div.detail").GetAttribute("data-state"));
        Assert.Equal(Hostile, rendered.Find("tr[data-entity='port:sw-burg/p1'] td.alias").TextContent);
        Assert.Equal(Hostile, rendered.Find("dd[data-fact='sysDescr']").TextContent.Trim());
        Assert.Equal("in 12.5 Mbit/s", rendered.Find("tr[data-entity='port:sw-burg/p1'] [data-metric='in_bps']").TextContent);
        Assert.Contains("-7.50 dBm", rendered.Find("[data-metric='rx_dbm']").TextContent, StringComparison.Ordinal);
        Assert.Contains("4.25 dB", rendered.Find("[data-metric='optical_margin_db']").TextContent, StringComparison.Ordinal);
        Assert.Contains("3 /s", rendered.Find("[data-metric='in_errors_per_s']").TextContent, StringComparison.Ordinal);
        Assert.Empty(rendered.FindAll("[data-metric='at_ms']"));
        Assert.Contains("sw-burg not responding (timeout)", rendered.Find("table.changes").TextContent, StringComparison.Ordinal);
        Assert.Contains("links/n-burg", rendered.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_DrawsOnePathPerSeries_WithLabelsInItsUnit()
    {
        var from = Now.AddHours(-1);
        var series = new List<ChartSeries>
        {
            new("Gi0/1", [(from.AddMinutes(10), 1e6), (from.AddMinutes(20), 3e6), (from.AddMinutes(30), 2e6)]),
            new(Hostile, [(from.AddMinutes(15), 5e5)]),
        };

        var rendered = _context.Render<NetOps.Web.Components.Controls.Chart>(p => p
            .Add(c => c.Title, "traffic").Add(c => c.Series, series).Add(c => c.From, from).Add(c => c.To, Now)
            .Add(c => c.Format, v => MetricText.Format("in_bps", v)));

        var paths = rendered.FindAll("path.series");
        Assert.Equal(2, paths.Count);
        Assert.StartsWith("M", paths[0].GetAttribute("d"), StringComparison.Ordinal);
        Assert.Contains("3.0 Mbit/s", rendered.Markup, StringComparison.Ordinal);
        Assert.Empty(rendered.FindAll("img"));
    }

    [Fact]
    public void CounterRates_AreBitsPerSecond_AndSkipResets()
    {
        var t = Now;
        var rates = ChartRanges.Rates([new(t, 0), new(t.AddSeconds(10), 1000), new(t.AddSeconds(20), 500), new(t.AddSeconds(30), 1500)]);
        Assert.Equal([800d, 800d], rates.Select(r => r.Item2));
    }
}
