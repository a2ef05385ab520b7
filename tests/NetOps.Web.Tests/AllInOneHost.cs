using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// The all-in-one host (simulated fleet, embedded broker, state engine, dashboard) as its own process on free
/// ports, with a copy of the demo inventory whose SNMP port is free too and short poll intervals. A test's settings
/// (the last on the command line win) may make it run other roles ("--NetOps:Roles", "web").
/// </summary>
public sealed class AllInOneHost(params string[] settings) : IAsyncLifetime
{
    private ExternalProcess? _process;

    /// <summary>Environment variables of the host process besides the test's own (NETOPS_SECRET_NAME, ...).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Changes a test makes to the demo inventory before the host starts: (file name, text) → text.</summary>
    public Func<string, string, string>? InventoryEdit { get; init; }

    public string InventoryDirectory { get; } = Path.Combine(Path.GetTempPath(), "netops-test-" + Guid.NewGuid().ToString("N")[..8]);
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The port of its embedded broker (unless the test's settings name another).</summary>
    public int MqttPort { get; } = FreePort.Tcp();

    /// <summary>Where its history goes (unless the test's settings name another directory).</summary>
    public string DataDirectory => InventoryDirectory + "-data";
    public string Output => _process?.Output ?? "";

    public async Task InitializeAsync()
    {
        var snmpPort = FreePort.Udp();
        CopyDemoInventory(snmpPort);
        var httpPort = FreePort.Tcp();
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
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
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
        {
            _process.ThrowIfExited();
            using var response = await Http.GetAsync(new Uri("readyz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the all-in-one host to be ready\n" + Output);
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
