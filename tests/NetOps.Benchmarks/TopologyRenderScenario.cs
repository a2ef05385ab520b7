using System.Net;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// The topology in Debian's Chromium against the built host: time to the first complete render (every link of the view
/// drawn) of the default collapsed view of a generated 2,000-device fleet, of the fully expanded 200- and 2,000-device
/// views, and the delay from a state change (the poll that saw a cut fibre) to the red link on screen (demo fleet with
/// the simulator). Options: --repeats N (default 3), --devices N (default 2000), --small N (default 200).
/// Needs `dotnet build -c Release src/NetOps.Host` first.
/// </summary>
public sealed class TopologyRenderScenario : IBenchScenario
{
    public string Name => "topology-render";

    public string Description => "Chromium: first complete render of the collapsed/expanded topology (200, 2,000 devices), state change → colour";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var repeats = Option(args, "--repeats", 3);
        var large = Option(args, "--devices", 2000);
        var small = Option(args, "--small", 200);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        });

        foreach (var devices in new[] { small, large })
        {
            var fleet = GeneratedFleet(devices);
            await using var host = await Host.StartAsync(fleet, simulator: false, cancellationToken);
            Directory.Delete(fleet, recursive: true);
            var collapsed = new List<double>();
            var expanded = new List<double>();
            var elements = "";
            for (var run = -1; run < repeats; run++)
            {
                var page = await host.NewPageAsync(browser);
                var clock = Stopwatch.StartNew();
                await page.GotoAsync(new Uri(host.BaseAddress, "topology").ToString());
                await AllDrawnAsync(page);
                var first = clock.Elapsed.TotalMilliseconds;
                var collapsedCount = await CountsAsync(page);
                clock.Restart();
                await page.Locator("button.expand-all").ClickAsync();
                await Eventually.TrueAsync(async () => await page.Locator("div.topo-group").CountAsync() == 0, TimeSpan.FromMinutes(3), "expanded");
                await AllDrawnAsync(page);
                var all = clock.Elapsed.TotalMilliseconds;
                elements = $"collapsed {collapsedCount}, expanded {await CountsAsync(page)}";
                await page.CloseAsync();
                if (run >= 0)
                {
                    collapsed.Add(first);
                    expanded.Add(all);
                }
            }

            Console.WriteLine($"{devices} devices ({elements} nodes/links)");
            Console.WriteLine($"  collapsed view, load to every link drawn:  {Stats.Describe(collapsed, "0")} ms");
            Console.WriteLine($"  expand all, click to every link drawn:     {Stats.Describe(expanded, "0")} ms");
        }

        await using (var demo = await Host.StartAsync(Path.Combine(RepoPaths.Root, "config", "inventory"), simulator: true, cancellationToken))
        {
            var page = await demo.NewPageAsync(browser);
            await page.GotoAsync(new Uri(demo.BaseAddress, "topology").ToString());
            await AllDrawnAsync(page);
            var delays = new List<double>();
            for (var run = 0; run < repeats; run++)
            {
                await Eventually.TrueAsync(async () => await demo.StateAsync("link:core-acc-nord") is ("up", _), TimeSpan.FromSeconds(30), "link up");
                await page.EvaluateAsync("""
                    () => { window.redAt = null; const target = document.querySelector('.diagram-canvas');
                      const o = new MutationObserver(() => { if (!window.redAt && document.querySelector("path.health-link[data-entity='link:core-acc-nord'][data-state='down']")) { window.redAt = Date.now(); o.disconnect(); } });
                      o.observe(target, { subtree: true, attributes: true, childList: true }); }
                    """);
                await demo.PostAsync("api/simulator/links/core-acc-nord/cut");
                await page.WaitForFunctionAsync("() => window.redAt !== null", null, new() { Timeout = 30_000 });
                var redAt = await page.EvaluateAsync<double>("() => window.redAt");
                var (_, since) = await demo.StateAsync("link:core-acc-nord");
                delays.Add(redAt - since.ToUnixTimeMilliseconds());
                await demo.PostAsync("api/simulator/links/core-acc-nord/restore");
            }

            Console.WriteLine($"state change (poll that saw the cut) → red link on screen: {Stats.Describe(delays, "0")} ms");
        }

        return 0;
    }

    private static async Task AllDrawnAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("div.topology")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 180_000 });
        await Eventually.TrueAsync(async () =>
        {
            var wanted = int.Parse((await page.Locator("div.topology").GetAttributeAsync("data-links"))!, CultureInfo.InvariantCulture);
            return wanted > 0 && await page.Locator("g.diagram-link path.health-link").CountAsync() == wanted;
        }, TimeSpan.FromMinutes(3), "every link drawn");
    }

    private static async Task<string> CountsAsync(IPage page) =>
        $"{await page.Locator("div.topology").GetAttributeAsync("data-nodes")}/{await page.Locator("div.topology").GetAttributeAsync("data-links")}";

    /// <summary>A star of N devices: one core, 20 rays with an access switch, sites spread over the rays, 5 % MOGLI nodes at 4 events.</summary>
    private static string GeneratedFleet(int devices)
    {
        var directory = Path.Combine(Path.GetTempPath(), "netops-bench-fleet-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        const int rays = 20;
        var mobile = devices / 20;
        var sites = devices - 1 - rays - mobile;
        var text = new StringBuilder();
        text.Append("fleet_defaults:\n  snmp: { version: v2c, port: ").Append(FreePort.Udp()).Append(" }\n");
        text.Append("events:\n");
        for (var e = 0; e < 4; e++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: ev{e}, name: Event {e}, start: now-1d, end: now+2d, zones: [{{ id: z, name: Zone }}] }}\n");
        }

        text.Append("sites:\n  - { id: rathaus, name: Rathaus }\n");
        for (var r = 0; r < rays; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: pop{r}, name: PoP {r}, ray: r{r} }}\n");
        }

        for (var s = 0; s < sites; s++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: site{s}, name: Site {s}, ray: r{s % rays} }}\n");
        }

        text.Append("devices:\n  - { id: core, name: Core, class: core, site: rathaus, address: 127.0.0.1, snmp: { credential: rainbow-ro }, ports: [")
            .AppendJoin(", ", Enumerable.Range(0, rays).Select(r => "c" + r)).Append("] }\n");
        var links = new StringBuilder("links:\n");
        for (var r = 0; r < rays; r++)
        {
            var down = string.Join(", ", Enumerable.Range(0, sites).Where(s => s % rays == r).Select(s => "d" + s));
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: acc{r}, name: Access {r}, class: access, site: pop{r}, address: 127.0.0.1, snmp: {{ credential: rainbow-ro }}, ports: [up, {down}] }}\n");
            links.Append(CultureInfo.InvariantCulture, $"  - {{ id: core-acc{r}, name: Core-Access {r}, a: {{ device: core, port: c{r} }}, b: {{ device: acc{r}, port: up }} }}\n");
        }

        for (var s = 0; s < sites; s++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: sw{s}, name: Site switch {s}, class: site, site: site{s}, address: 127.0.0.1, snmp: {{ credential: rainbow-ro }}, ports: [up, m] }}\n");
            links.Append(CultureInfo.InvariantCulture, $"  - {{ id: acc-sw{s}, name: Access-Site {s}, a: {{ device: acc{s % rays}, port: d{s} }}, b: {{ device: sw{s}, port: up }} }}\n");
        }

        var nodes = new StringBuilder("nodes:\n");
        for (var m = 0; m < mobile; m++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ id: m{m}-sw, name: Mobile {m}, class: mobile-switch, node: m{m}, address: 127.0.0.1, snmp: {{ credential: rainbow-ro }}, ports: [up] }}\n");
            links.Append(CultureInfo.InvariantCulture, $"  - {{ id: m{m}-up, name: Mobile uplink {m}, a: {{ device: m{m}-sw, port: up }}, b: {{ device: sw{m * 7 % sites}, port: m }} }}\n");
            nodes.Append(CultureInfo.InvariantCulture, $"  - {{ id: m{m}, name: MOGLI {m}, device: m{m}-sw, report_interval: 10s, assignments: [{{ event: ev{m % 4}, zone: z, from: now-1d, until: now+2d }}] }}\n");
        }

        File.WriteAllText(Path.Combine(directory, "fleet.yaml"), text.Append(links).Append(nodes).ToString());
        return directory;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The all-in-one host on free ports; without the simulator its collector polls rarely (nothing answers).</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly ExternalProcess _process;
        private readonly string _data;

        private Host(ExternalProcess process, Uri baseAddress, string data)
        {
            _process = process;
            BaseAddress = baseAddress;
            _data = data;
            Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        }

        /// <summary>The admin's login cookie: every route needs a login.</summary>
        public CookieContainer Cookies { get; } = new();

        /// <summary>A page of a new browser context carrying the login cookie.</summary>
        public async Task<IPage> NewPageAsync(IBrowser browser)
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
            await page.Context.AddCookiesAsync(Cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie
            {
                Name = c.Name,
                Value = c.Value,
                Domain = c.Domain,
                Path = c.Path,
            }));
            return page;
        }

        public Uri BaseAddress { get; }
        public HttpClient Http { get; }

        public static async Task<Host> StartAsync(string inventory, bool simulator, CancellationToken cancellationToken)
        {
            var data = Path.Combine(Path.GetTempPath(), "netops-bench-host-" + Guid.NewGuid().ToString("N")[..8]);
            var copy = Path.Combine(data, "inventory");
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(inventory))
            {
                var text = File.ReadAllText(file);
                // The demo fleet's SNMP port is one line: a free one keeps this apart from anything else running.
                File.WriteAllText(Path.Combine(copy, Path.GetFileName(file)), text.Replace("port: 16161", "port: " + FreePort.Udp(), StringComparison.Ordinal));
            }

            DemoPlans.CopyTo(copy);

            var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Tcp()}/");
            var output = RepoPaths.Output("NetOps.Host");
            var process = ExternalProcess.Start("dotnet", [
                Path.Combine(output, "NetOps.Host.dll"), "--urls", baseAddress.ToString().TrimEnd('/'),
                "--Inventory:Directory", copy, "--Inventory:SecretsFile", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"),
                "--Mqtt:Port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture), "--Storage:DataDirectory", Path.Combine(data, "store"),
                "--Simulator:Enabled", simulator ? "true" : "false", "--Simulator:NodeReportInterval", "00:00:01",
                "--Collector:PollInterval", simulator ? "00:00:01" : "01:00:00", "--Collector:Timeout", "00:00:00.500",
                "--Serilog:WriteTo:1:Args:path", Path.Combine(data, "logs", "netops-.log"),
            ], workingDirectory: output);
            var host = new Host(process, baseAddress, data);
            await Eventually.TrueAsync(async () =>
            {
                process.ThrowIfExited();
                using var response = await host.Http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromMinutes(2), "host ready\n" + process.Output);
            await HostLogin.LogInAsync(baseAddress, host.Cookies, Path.Combine(data, "store"), "admin", "Bench-admin-password-1");
            return host;
        }

        public async Task PostAsync(string path)
        {
            using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content: null);
            response.EnsureSuccessStatusCode();
        }

        public async Task<(string? Value, DateTimeOffset ObservedAt)> StateAsync(string entity)
        {
            var document = await Http.GetFromJsonAsync<JsonElement>(new Uri("api/state", UriKind.Relative));
            foreach (var state in document.GetProperty("states").EnumerateArray())
            {
                if (state.GetProperty("entity").GetString() == entity)
                {
                    return (state.GetProperty("value").GetString(), state.GetProperty("since").GetDateTimeOffset());
                }
            }

            return (null, default);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _process.DisposeAsync();
            Directory.Delete(_data, recursive: true);
        }
    }
}
