using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// The all-in-one host (simulated fleet, embedded broker, state engine, dashboard) as its own process on free
/// ports, with a copy of the demo inventory whose SNMP port is free too and short poll intervals. A test's settings
/// (the last on the command line win) may make it run other roles ("--NetOps:Roles", "web"). A host that serves the
/// dashboard is logged into as <c>admin</c> the way a person does the first time: the generated password from the data
/// directory, then a new one (<see cref="AdminPassword"/>); <see cref="Http"/> and <see cref="NewPageAsync"/> carry the cookie.
/// </summary>
public sealed class AllInOneHost(params string[] settings) : IAsyncLifetime
{
    /// <summary>The admin's password once the host's first login changed the generated one.</summary>
    public const string AdminPassword = "Test-admin-password-1";

    private ExternalProcess? _process;

    /// <summary>Environment variables of the host process besides the test's own (NETOPS_SECRET_NAME, ...).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The login cookie (and the antiforgery cookie) of <see cref="Http"/>.</summary>
    public CookieContainer Cookies { get; } = new();

    /// <summary>Changes a test makes to the demo inventory before the host starts: (file name, text) → text.</summary>
    public Func<string, string, string>? InventoryEdit { get; init; }

    public string InventoryDirectory { get; } = Path.Combine(Path.GetTempPath(), "netops-test-" + Guid.NewGuid().ToString("N")[..8]);
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The port it serves HTTP on; known before it starts (an OpenID provider needs its redirect URI first).</summary>
    public int HttpPort { get; init; } = FreePort.Tcp();

    /// <summary>The port of its embedded broker (unless the test's settings name another).</summary>
    public int MqttPort { get; } = FreePort.Tcp();

    /// <summary>Where its history goes (unless the test's settings name another directory).</summary>
    public string DataDirectory => InventoryDirectory + "-data";
    public string Output => _process?.Output ?? "";

    public async Task InitializeAsync()
    {
        var snmpPort = FreePort.Udp();
        CopyDemoInventory(snmpPort);
        BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/");
        var output = RepoPaths.Output("NetOps.Host");
        _process = ExternalProcess.Start("dotnet", [
            Path.Combine(output, "NetOps.Host.dll"),
            "--urls", BaseAddress.ToString().TrimEnd('/'),
            "--Inventory:Directory", InventoryDirectory,
            "--Inventory:SecretsFile", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"),
            "--Mqtt:Port", MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Storage:DataDirectory", DataDirectory,
            "--Collector:PollInterval", "00:00:01",
            "--Collector:Timeout", "00:00:00.500",
            "--Simulator:NodeReportInterval", "00:00:01",
            "--Serilog:WriteTo:1:Args:path", Path.Combine(InventoryDirectory + "-logs", "netops-.log"),
            // A test's own settings come last: on the command line the last value of a key wins.
            .. settings,
        ], workingDirectory: output, environment: Environment);
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
        {
            _process.ThrowIfExited();
            using var response = await Http.GetAsync(new Uri("readyz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the all-in-one host to be ready\n" + Output);
        if (Setting("--NetOps:Roles") is not { } roles || roles.Contains("web", StringComparison.OrdinalIgnoreCase) || roles.Contains("all-in-one", StringComparison.OrdinalIgnoreCase))
        {
            await LogInAsync(Cookies, "admin", AdminPassword);
        }
    }

    /// <summary>
    /// For what must outlive a restart: runs <paramref name="before"/> on a host, stops it, starts another on the same data
    /// directory and runs <paramref name="after"/> on it with what the first returned. Both hosts stop, and the directory
    /// goes, even when the test fails.
    /// </summary>
    public static async Task AcrossARestartAsync<T>(Func<AllInOneHost, Task<T>> before, Func<AllInOneHost, T, Task> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var data = Path.Combine(Path.GetTempPath(), "netops-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            T kept;
            var first = new AllInOneHost("--Storage:DataDirectory", data);
            try
            {
                await first.InitializeAsync();
                kept = await before(first);
            }
            finally
            {
                await first.DisposeAsync();
            }

            var second = new AllInOneHost("--Storage:DataDirectory", data);
            try
            {
                await second.InitializeAsync();
                await after(second, kept);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>The data directory the host really uses (a test's setting wins over <see cref="DataDirectory"/>).</summary>
    public string EffectiveDataDirectory => Setting("--Storage:DataDirectory") ?? DataDirectory;

    private string? Setting(string key) => settings.Select((s, i) => (s, i)).Where(p => p.s == key && p.i + 1 < settings.Length)
        .Select(p => settings[p.i + 1]).LastOrDefault();

    /// <summary>Logs <paramref name="user"/> in through the login form (<see cref="HostLogin"/>); for <c>admin</c> on a fresh database, with the generated password changed to <paramref name="password"/>.</summary>
    public Task<string> LogInAsync(CookieContainer cookies, string user, string password) =>
        HostLogin.LogInAsync(BaseAddress, cookies, EffectiveDataDirectory, user, password);

    /// <summary>Reads the form's antiforgery token from <paramref name="page"/>, posts the fields, answers the redirect's target.</summary>
    public static Task<string> PostFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields) =>
        HostLogin.PostFormAsync(client, page, action, fields);

    /// <summary>A page of a new browser context that carries <see cref="Http"/>'s login cookie.</summary>
    public async Task<IPage> NewPageAsync(IBrowser browser, BrowserNewPageOptions options)
    {
        var page = await browser.NewPageAsync(options);
        await page.Context.AddCookiesAsync(Cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Url = BaseAddress.ToString(),
        }));
        return page;
    }

    /// <summary>The state value of one entity as the REST API reports it ("up", "down", ...).</summary>
    public async Task<string?> StateOfAsync(string entity)
    {
        using var document = await JsonDocument.ParseAsync(await Http.GetStreamAsync(new Uri("api/state", UriKind.Relative)));
        foreach (var state in document.RootElement.GetProperty("states").EnumerateArray())
        {
            if (state.GetProperty("entity").GetString() == entity)
            {
                return state.GetProperty("value").GetString();
            }
        }

        return null;
    }

    public async Task PostAsync(string path)
    {
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> InventoryAsync() =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri("api/inventory", UriKind.Relative));

    private void CopyDemoInventory(int snmpPort)
    {
        Directory.CreateDirectory(InventoryDirectory);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "config", "inventory")))
        {
            // The demo fleet's SNMP port is one line in each file's defaults; a free port keeps parallel runs apart.
            var text = Regex.Replace(File.ReadAllText(file), @"(?m)^(\s*port:\s*)16161\b", "${1}" + snmpPort);
            text = InventoryEdit?.Invoke(Path.GetFileName(file), text) ?? text;
            File.WriteAllText(Path.Combine(InventoryDirectory, Path.GetFileName(file)), text);
        }

        DemoPlans.CopyTo(InventoryDirectory);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(InventoryDirectory, recursive: true);
        foreach (var sibling in new[] { DataDirectory, InventoryDirectory + "-logs" })
        {
            if (Directory.Exists(sibling))
            {
                Directory.Delete(sibling, recursive: true);
            }
        }
    }
}
