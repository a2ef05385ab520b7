using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetOps.Core.State;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>One all-in-one host with the simulated fleet and one Chromium, shared by the topology browser tests.</summary>
public sealed class SharedDashboard : IAsyncLifetime
{
    /// <summary>Device-supplied text a hostile or careless admin put into a switch: its ifAlias must show as text.</summary>
    public const string HostileAlias = "<img src=x onerror=alert(1)>";

    public AllInOneHost Host { get; } = new()
    {
        // acc-nord's spare port Gi1/0/8 gets a description, which the simulated switch serves as its ifAlias.
        InventoryEdit = (file, text) => file != "rainbow.yaml" ? text : text.Replace(
            "Gi1/0/6, Gi1/0/7, Gi1/0/8]\n\n  - id: sw-burggymnasium",
            "Gi1/0/6, Gi1/0/7, { name: Gi1/0/8, description: \"" + HostileAlias + "\" }]\n\n  - id: sw-burggymnasium",
            StringComparison.Ordinal),
    };
    public Browser Browser { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Host.InitializeAsync(), Browser.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>The topology in a real browser: groups, filters and search, detail charts, the wall that never freezes.</summary>
public sealed class TopologyBrowserTests(SharedDashboard dashboard) : IClassFixture<SharedDashboard>
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Topology_StartsCollapsed_DrillsDown_FiltersFade_SearchCentresAndHighlights()
    {
        var page = await OpenAsync("topology", new() { Width = 1500, Height = 1000 });
        var nord = page.Locator("div.topo-group[data-entity='group:ray:nord']");
        await Assertions.Expect(nord).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("div.topo-group[data-entity='group:event:kerwe']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:sw-burggymnasium']")).ToHaveCountAsync(0);
        await Assertions.Expect(nord).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        await Screenshot(page, "topology-collapsed");

        await nord.Locator("button.expand").ClickAsync();
        var burg = page.Locator("div.topo-node[data-entity='device:sw-burggymnasium']");
        await Assertions.Expect(burg).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("button.chip[data-group='ray:nord']")).ToBeVisibleAsync();

        // Filters fade what does not match: the ost ray's access switch stays, nord's fades.
        await page.Locator("select.filter-site").SelectOptionAsync("ray:ost");
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:acc-ost']")).ToHaveAttributeAsync("data-dimmed", "false");
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:acc-nord']")).ToHaveAttributeAsync("data-dimmed", "true");
        await Assertions.Expect(burg).ToHaveAttributeAsync("data-dimmed", "true");
        await page.Locator("select.filter-site").SelectOptionAsync("");
        await Assertions.Expect(burg).ToHaveAttributeAsync("data-dimmed", "false");

        // Search opens the stadium's ray, highlights the switch and brings it to the middle of the canvas.
        await page.Locator("form.search input").FillAsync("Fritz-Walter");
        await page.Locator("form.search input").PressAsync("Enter");
        var stadion = page.Locator("div.topo-node[data-entity='device:sw-stadion']");
        await Assertions.Expect(stadion).ToHaveAttributeAsync("data-highlighted", "true");
        var canvas = (await page.Locator(".diagram-canvas").BoundingBoxAsync())!;
        await Eventually.TrueAsync(async () =>
        {
            var box = await stadion.BoundingBoxAsync();
            return box is not null && Math.Abs(box.X + box.Width / 2 - (canvas.X + canvas.Width / 2)) < 40 &&
                   Math.Abs(box.Y + box.Height / 2 - (canvas.Y + canvas.Height / 2)) < 40;
        }, TimeSpan.FromSeconds(10), "the found switch centred");

        await page.Locator("button.expand-all").ClickAsync();
        await Assertions.Expect(page.Locator("div.topo-group")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:mogli-01-sw']")).ToBeVisibleAsync();
        await Screenshot(page, "topology-expanded");
    }

    [Fact]
    public async Task DetailPages_DrawHistoryCharts_AndPorts()
    {
        var node = await OpenAsync("nodes/mogli-01?range=00:02:00", new() { Width = 1300, Height = 1100 }, ready: "div.detail");
        await Assertions.Expect(node.Locator("figure[data-chart='battery'] svg.chart path.series")).ToBeVisibleAsync(new() { Timeout = Ms(Live) });

        var device = await OpenAsync("devices/acc-nord?range=00:02:00", new() { Width = 1300, Height = 1400 }, ready: "div.detail");
        await Assertions.Expect(device.Locator("tr[data-entity='port:acc-nord/Te1/1/1']")).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        // The ifAlias the switch reports is shown as text, never as markup: no image, no script ran.
        var dialogs = 0;
        device.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await Assertions.Expect(device.Locator("tr[data-entity='port:acc-nord/Gi1/0/8'] td.alias")).ToHaveTextAsync(SharedDashboard.HostileAlias,
            new() { Timeout = Ms(Live) });
        Assert.Equal(0, await device.Locator("div.detail img").CountAsync());
        Assert.Equal(0, dialogs);
        // Always answering is a flat line (no height, so not "visible" to Playwright): it is there and has a path.
        await Assertions.Expect(device.Locator("figure[data-chart='answering SNMP'] svg.chart path.series")).ToHaveAttributeAsync("d", new Regex("^M[0-9.]+,[0-9.]+ L"),
            new() { Timeout = Ms(Live) });
        // Charts load once per visit: look again until the port counters have two windows to make a rate from.
        await Eventually.TrueAsync(async () =>
        {
            await device.ReloadAsync();
            await Assertions.Expect(device.Locator("div.detail")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
            return await device.Locator("figure[data-chart='traffic in per port'] path.series").CountAsync() > 0;
        }, Live, "a traffic chart");
        await Screenshot(device, "detail-device", fullPage: true);
    }

    [Fact]
    public async Task WallMode_ReloadsItself_WhenReconnectingFails_AndIsLiveAgain()
    {
        var broken = false;
        var page = await dashboard.Host.NewPageAsync(dashboard.Browser.Instance, new() { ViewportSize = new() { Width = 1600, Height = 900 } });
        var sockets = new List<IWebSocketRoute>();
        await page.RouteWebSocketAsync(new Regex("/_blazor"), ws =>
        {
            if (broken)
            {
                _ = ws.CloseAsync();
                return;
            }

            sockets.Add(ws);
            sockets.Add(ws.ConnectToServer());
        });
        await page.RouteAsync(new Regex("/_blazor/negotiate"), route => broken ? route.AbortAsync() : route.ContinueAsync());
        // The reload fetches the page again: from then on the network works, as after a server restart.
        page.Request += (_, request) =>
        {
            if (broken && request.IsNavigationRequest)
            {
                broken = false;
            }
        };

        await page.GotoAsync(new Uri(dashboard.Host.BaseAddress, "topology?wall=1").ToString());
        var wall = page.Locator("div.topology.wall");
        await Assertions.Expect(wall).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("g.diagram-link path").First).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:core-rathaus']")).ToHaveAttributeAsync("data-state", "up",
            new() { Timeout = Ms(Live) });
        await Screenshot(page, "wall-dark");

        // The theme is a toggle the browser remembers.
        await page.Locator("div.wall-bar button.theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
        await page.Locator("div.wall-bar button.theme-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");

        await page.EvaluateAsync("() => window.beforeTheBreak = true");
        broken = true;
        foreach (var socket in sockets)
        {
            await socket.CloseAsync();
        }

        await page.WaitForFunctionAsync("() => window.beforeTheBreak === undefined", null, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("div.topology.wall")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:core-rathaus']")).ToHaveAttributeAsync("data-state", "up",
            new() { Timeout = Ms(Live) });
    }

    [Fact]
    public async Task Coverage_ShowsEveryCameraOfAnEvent_AndAnUnpluggedCameraTurnsDownLive_WithItsPort()
    {
        var page = await OpenAsync("events/kerwe", new() { Width = 1300, Height = 1300 }, ready: "div.coverage");
        var camera = page.Locator("tr[data-entity='endpoint:mogli-01-cam1']");
        await Assertions.Expect(camera).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("section.zone[data-zone='stiftsplatz'] tr[data-entity^='endpoint:']")).ToHaveCountAsync(4);
        await Screenshot(page, "coverage", fullPage: true);

        await dashboard.Host.PostAsync("api/simulator/endpoints/mogli-01-cam1/unplug");
        try
        {
            await Assertions.Expect(camera).ToHaveAttributeAsync("data-state", "down", new() { Timeout = Ms(Live) });
            await Assertions.Expect(camera.Locator("td.reason")).ToContainTextAsync("ge-0/0/1 on mogli-01-sw down");
        }
        finally
        {
            await dashboard.Host.PostAsync("api/simulator/endpoints/mogli-01-cam1/restore");
        }

        await Assertions.Expect(camera).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("div.coverage h2 .phase")).ToHaveAttributeAsync("data-phase", "live");

        // The printable report of the live time so far has the camera's outage, read from the recorded history.
        var report = page.Locator("p.report a", new() { HasTextString = "printable" });
        var href = await report.GetAttributeAsync("href");
        Assert.Equal("api/events/kerwe/report", href);
        await Eventually.TrueAsync(async () =>
        {
            await page.GotoAsync(new Uri(dashboard.Host.BaseAddress, href!).ToString());
            return await page.Locator("tr[data-entity='endpoint:mogli-01-cam1'] td.n").Nth(1).InnerTextAsync() != "0";
        }, Live, "the report to list the camera's outage");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Lautrer Kerwe");
        await Screenshot(page, "event-report", fullPage: true);
    }

    [Fact]
    public async Task SitePlan_ShadesZonesByCoverage_PlacesNodesByTheirGps_AndAnUnpluggedCameraDropsItsZoneLive()
    {
        var page = await OpenAsync("events/kerwe", new() { Width = 1300, Height = 1100 }, ready: "div.coverage");
        var plan = page.Locator("figure.site-plan svg");
        await Assertions.Expect(plan.Locator("g.zone")).ToHaveCountAsync(3);
        var markt = plan.Locator("g.zone[data-zone='marktstrasse']");
        await Assertions.Expect(markt).ToHaveAttributeAsync("data-coverage", "100", new() { Timeout = Ms(Live) });
        await Assertions.Expect(markt).ToHaveAttributeAsync("data-shade", "good");
        await Assertions.Expect(markt.Locator("text")).ToHaveTextAsync("Marktstraße 3 of 3");

        // Every node of the event stands where its GPS says, which the simulator puts inside its zone's polygon.
        foreach (var (node, zone) in new[] { ("mogli-01", "stiftsplatz"), ("mogli-02", "schillerplatz"), ("mogli-03", "marktstrasse") })
        {
            var marker = plan.Locator($"g.marker[data-entity='node:{node}']");
            await Assertions.Expect(marker).ToHaveAttributeAsync("data-source", "gps", new() { Timeout = Ms(Live) });
            await Assertions.Expect(marker).ToHaveAttributeAsync("data-state", "up");
            var inside = await page.EvaluateAsync<bool>("""
                ([node, zone]) => {
                    const marker = document.querySelector(`g.marker[data-entity='node:${node}']`).getBoundingClientRect();
                    const polygon = document.querySelector(`g.zone[data-zone='${zone}'] polygon`);
                    const x = marker.x + marker.width / 2, y = marker.y + marker.height / 2;
                    return document.elementsFromPoint(x, y).includes(polygon);
                }
                """, new[] { node, zone });
            Assert.True(inside, $"{node} is drawn outside its zone {zone}");
        }

        // The cameras the plan places by hand stay there; the others gather round their node.
        await Assertions.Expect(plan.Locator("g.marker[data-entity='endpoint:mogli-01-cam1']")).ToHaveAttributeAsync("data-source", "hand");
        await Assertions.Expect(plan.Locator("g.marker[data-entity='endpoint:mogli-03-cam1']")).ToHaveAttributeAsync("data-source", "node");

        await dashboard.Host.PostAsync("api/simulator/endpoints/mogli-03-cam1/unplug");
        try
        {
            await Assertions.Expect(markt).ToHaveAttributeAsync("data-coverage", "66", new() { Timeout = Ms(Live) });
            await Assertions.Expect(markt).ToHaveAttributeAsync("data-shade", "partial");
            await Assertions.Expect(markt.Locator("text")).ToHaveTextAsync("Marktstraße 2 of 3");
            await Assertions.Expect(plan.Locator("g.marker[data-entity='endpoint:mogli-03-cam1']")).ToHaveAttributeAsync("data-state", "down");
            // The README's picture: one zone amber for the camera that is down, the others green.
            await Screenshot(page, "site-plan");
        }
        finally
        {
            await dashboard.Host.PostAsync("api/simulator/endpoints/mogli-03-cam1/restore");
        }

        await Assertions.Expect(markt).ToHaveAttributeAsync("data-coverage", "100", new() { Timeout = Ms(Live) });

        // The API gives the same places.
        var ev = await dashboard.Host.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("api/events/kerwe", UriKind.Relative));
        var mogli01 = ev.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("id").GetString() == "stiftsplatz")
            .GetProperty("nodes").EnumerateArray().Single();
        Assert.Equal("gps", mogli01.GetProperty("plan").GetProperty("source").GetString());
    }

    [Fact]
    public async Task EventEditor_CreatesAnEvent_WhosePageMovesItLiveByHand()
    {
        var page = await OpenAsync("events/new", new() { Width = 1300, Height = 1000 }, ready: "div.event-edit");
        var berlin = ReasonText.Berlin.Zone;
        string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, berlin).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var start = DateTimeOffset.UtcNow.AddDays(5);

        await page.Locator("input[name=id]").FillAsync("stadtlauf");
        await page.Locator("input[name=name]").FillAsync("Stadtlauf");
        await page.Locator("input[name=start]").FillAsync(Local(start));
        await page.Locator("input[name=end]").FillAsync(Local(start.AddHours(8)));
        await page.Locator("input[name=name]").ClickAsync();
        await Assertions.Expect(page.Locator("input[name=start]")).ToHaveValueAsync(Local(start));
        await page.Locator("input[name=zone-id]").FillAsync("ziel");
        await page.Locator("input[name=zone-name]").FillAsync("Ziel am Rathaus");
        await page.Locator("button.add-node").ClickAsync();
        await page.Locator("select[name=node]").SelectOptionAsync("mogli-06");
        await page.Locator("select[name=node-zone]").SelectOptionAsync("ziel");
        await page.Locator("input[name=node-from]").FillAsync(Local(start.AddDays(-1)));
        await page.Locator("input[name=node-until]").FillAsync(Local(start.AddDays(1)));
        await Screenshot(page, "event-edit");
        await page.Locator("button.save").ClickAsync();

        // Saved, the event's page: planned, with its zone, its node, and the operator's buttons.
        await Assertions.Expect(page.Locator("div.coverage h2")).ToContainTextAsync("Stadtlauf", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("div.coverage h2 .phase")).ToHaveAttributeAsync("data-phase", "planned");
        await Assertions.Expect(page.Locator("section.zone[data-zone='ziel'] h3")).ToContainTextAsync("Ziel am Rathaus");
        await Assertions.Expect(page.Locator("section.zone[data-zone='ziel']")).ToContainTextAsync("MOGLI 06");

        // Go live: a first click asks, the second moves it; the button for what is now behind it is gone.
        await page.Locator("div.event-controls button[data-phase='live']").ClickAsync();
        await page.Locator("div.event-controls button.confirm[data-phase='live']").ClickAsync();
        await Assertions.Expect(page.Locator("div.coverage h2 .phase")).ToHaveAttributeAsync("data-phase", "live", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("div.event-controls button[data-phase='setup']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("div.event-controls button[data-phase='teardown']")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task DraggedNode_KeepsItsPlaceAfterAReload_UntilTheLayoutIsReset()
    {
        var page = await OpenAsync("topology", new() { Width = 1500, Height = 1000 });
        var core = page.Locator("div.diagram-node:has(div.topo-node[data-entity='device:core-rathaus'])");
        var computed = await PositionAsync(core);
        var box = (await core.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width / 2 + 140, box.Y + box.Height / 2 + 90, new() { Steps = 10 });
        await page.Mouse.UpAsync();

        await Eventually.TrueAsync(async () => await SavedLayoutAsync(page) is { } json && json.Contains("core-rathaus", StringComparison.Ordinal),
            Live, "the dragged position saved in this browser");
        var dragged = await PositionAsync(core);
        Assert.True(Distance(computed, dragged) > 50, $"moved from {computed} to {dragged}");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("div.topology")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        await Eventually.TrueAsync(async () => Distance(await PositionAsync(core), dragged) < 1, Live, "the saved position restored after a reload");

        await page.Locator("button.reset-layout").ClickAsync();
        await Eventually.TrueAsync(async () => Distance(await PositionAsync(core), computed) < 1, Live, "the computed position back after a reset");
        Assert.Null(await SavedLayoutAsync(page));
    }

    /// <summary>Where the diagram placed a node, in diagram coordinates (its left/top style), independent of zoom.</summary>
    private static async Task<(double X, double Y)> PositionAsync(ILocator node)
    {
        var style = await node.GetAttributeAsync("style") ?? "";
        double Px(string name) => double.Parse(Regex.Match(style, name + @":\s*(-?[0-9.]+)px").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (Px("left"), Px("top"));
    }

    private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2));

    private static Task<string?> SavedLayoutAsync(IPage page) => page.EvaluateAsync<string?>("() => localStorage.getItem('netops.layout.topology')");

    private async Task<IPage> OpenAsync(string path, ViewportSize viewport, string ready = "div.topology")
    {
        var page = await dashboard.Host.NewPageAsync(dashboard.Browser.Instance, new() { ViewportSize = viewport });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(dashboard.Host.BaseAddress, path).ToString());
        await Assertions.Expect(page.Locator(ready)).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        if (ready == "div.topology")
        {
            await Assertions.Expect(page.Locator("g.diagram-link path").First).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
        }

        Assert.Empty(errors);
        return page;
    }

    /// <summary>Screenshots of the main pages go to docs/screenshots, where the README shows them.</summary>
    private static async Task Screenshot(IPage page, string name, bool fullPage = false)
    {
        var folder = Path.Combine(RepoPaths.Root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
