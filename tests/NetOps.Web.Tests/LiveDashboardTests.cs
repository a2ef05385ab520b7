using System.Text.Json;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>End to end: simulated switches and nodes, real SNMP and MQTT, the state engine, a real browser.</summary>
public sealed class LiveDashboardTests : IAsyncLifetime
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(20);
    private readonly AllInOneHost _host = new();
    private readonly Browser _browser = new();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_host.InitializeAsync(), _browser.InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task LinkCutInSimulator_TurnsDownOnOpenPage_AndRecovers()
    {
        var inventory = await _host.InventoryAsync();
        var planned = inventory.GetProperty("links").EnumerateArray().First();
        var link = planned.GetProperty("id").GetString()!;
        var ends = new[] { "a", "b" }.Select(end => planned.GetProperty(end).GetProperty("deviceId").GetString()!).ToList();
        var page = await OpenDashboardAsync();
        var row = page.Locator($"tr[data-entity='link:{link}']");

        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        await Screenshot(page, "overview");

        await _host.PostAsync($"api/simulator/links/{link}/cut");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "down", new() { Timeout = Ms(Live) });
        await Assertions.Expect(row.Locator("td.reason")).ToContainTextAsync("down since");
        // The near end reports the cut first; restore only once the far end's poll, sent into the cut, came back
        // unanswered (its switch shows unknown behind the link). Restored before, that poll's timeout lands after the
        // restore and turns the link unknown right after the page showed it up, and the API read below sees that
        // (StateEngineTests.CutShorterThanTheFarEndsPoll_LinkUpOnRestore_TurnsUnknownWhenThatPollTimesOut).
        var farEnd = page.Locator(string.Join(", ", ends.Select(d => $"tr[data-entity='device:{d}']")))
            .Filter(new() { HasText = $"behind link {link}" });
        await Assertions.Expect(farEnd).ToHaveAttributeAsync("data-state", "unknown", new() { Timeout = Ms(Live) });
        await Screenshot(page, "link-down");

        await _host.PostAsync($"api/simulator/links/{link}/restore");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
        Assert.Equal("up", await _host.StateOfAsync($"link:{link}"));
    }

    [Fact]
    public async Task FibreCutToARay_ShowsOneRootCause_AndTheSitesBehindItAsUnknown()
    {
        var page = await OpenDashboardAsync();
        var site = page.Locator("tr[data-entity='device:sw-burggymnasium']");
        await Assertions.Expect(site).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });

        await _host.PostAsync("api/simulator/links/core-acc-nord/cut");

        await Assertions.Expect(site).ToHaveAttributeAsync("data-state", "unknown", new() { Timeout = Ms(Live) });
        await Assertions.Expect(site.Locator("td.reason")).ToContainTextAsync("behind link core-acc-nord");
        await Assertions.Expect(page.Locator("tr[data-entity='link:core-acc-nord']")).ToHaveAttributeAsync("data-state", "down");
        // One root cause: no device is down because of the cut.
        await Assertions.Expect(page.Locator("tr[data-entity^='device:'][data-state='down']")).ToHaveCountAsync(0);

        await _host.PostAsync("api/simulator/links/core-acc-nord/restore");
        await Assertions.Expect(site).ToHaveAttributeAsync("data-state", "up", new() { Timeout = Ms(Live) });
    }

    [Fact]
    public async Task Topology_DrawsEveryLink_AndACutTurnsItRedWithoutReload()
    {
        var page = await _host.NewPageAsync(_browser.Instance, new() { ViewportSize = new() { Width = 1500, Height = 1100 } });
        await page.GotoAsync(new Uri(_host.BaseAddress, "topology").ToString());
        await Assertions.Expect(page.Locator("div.topology")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        // Links are drawn only after the JS reported node sizes.
        var links = page.Locator("g.diagram-link path");
        await Assertions.Expect(links.First).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
        // The default view folds the sites of each ray and the nodes of each event: every link of that view is drawn.
        var drawn = int.Parse((await page.Locator("div.topology").GetAttributeAsync("data-links"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("g.diagram-link path.health-link")).ToHaveCountAsync(drawn, new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("div.topo-node[data-entity='device:core-rathaus']")).ToHaveAttributeAsync("data-state", "up",
            new() { Timeout = Ms(Live) });
        var red = page.Locator("g.diagram-link path[stroke='#f85149']");
        await Assertions.Expect(red).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });

        await _host.PostAsync("api/simulator/links/core-acc-nord/cut");
        await Assertions.Expect(red.First).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
        await Screenshot(page, "topology-cut");

        await _host.PostAsync("api/simulator/links/core-acc-nord/restore");
        await Assertions.Expect(red).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });
    }

    [Fact]
    public async Task NodeSwitchedOff_ShowsOfflineOnOpenPage_AndComesBack()
    {
        var inventory = await _host.InventoryAsync();
        var node = DeployedNode(inventory);
        var page = await OpenDashboardAsync();
        var row = page.Locator($"tr[data-entity='node:{node}']");
        await Assertions.Expect(row).Not.ToHaveAttributeAsync("data-state", "unknown", new() { Timeout = Ms(Live) });

        await _host.PostAsync($"api/simulator/nodes/{node}/off");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "down", new() { Timeout = Ms(Live) });
        await Assertions.Expect(row.Locator("td.reason")).ToContainTextAsync("offline");

        await _host.PostAsync($"api/simulator/nodes/{node}/on");
        await Assertions.Expect(row).Not.ToHaveAttributeAsync("data-state", "down", new() { Timeout = Ms(Live) });
    }

    [Fact]
    public async Task InventoryEdits_BadIsRefusedWithBanner_GoodAppliesWithoutRestart()
    {
        var page = await OpenDashboardAsync();
        var banner = page.Locator(".banner.refused");
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        var bad = Path.Combine(_host.InventoryDirectory, "zz-edit.yaml");
        await File.WriteAllTextAsync(bad, "links:\n  - { id: bad-link, name: Bad, a: { device: nowhere, port: x1 }, b: { device: core-rathaus, port: Te1/0/12 } }\n");
        await Assertions.Expect(banner).ToContainTextAsync("zz-edit.yaml:2: links[0].a.device", new() { Timeout = Ms(Live) });
        await Assertions.Expect(page.Locator("tr[data-entity='link:bad-link']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("tr[data-entity='device:core-rathaus']")).ToHaveCountAsync(1);

        await File.WriteAllTextAsync(bad, "devices:\n  - { id: sw-edit, name: Edited In, class: site, site: rathaus, address: 127.77.9.9, snmp: { credential: rainbow-ro }, ports: [Gi0/1] }\n");
        await Assertions.Expect(page.Locator("tr[data-entity='device:sw-edit']")).ToHaveCountAsync(1, new() { Timeout = Ms(Live) });
        await Assertions.Expect(banner).ToHaveCountAsync(0);
    }

    private async Task<IPage> OpenDashboardAsync()
    {
        var page = await _host.NewPageAsync(_browser.Instance, new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_host.BaseAddress.ToString());
        // Prerendered HTML is not interactive: wait for the circuit's first render.
        await Assertions.Expect(page.Locator("div.overview")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        Assert.Empty(errors);
        return page;
    }

    private static string DeployedNode(JsonElement inventory)
    {
        var now = DateTimeOffset.UtcNow;
        return inventory.GetProperty("nodes").EnumerateArray()
            .First(n => n.GetProperty("assignments").EnumerateArray().Any(a =>
                a.GetProperty("from").GetDateTimeOffset() <= now && a.GetProperty("until").GetDateTimeOffset() > now))
            .GetProperty("id").GetString()!;
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
