using System.Globalization;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// A web-only process (<c>--NetOps:Roles web</c>) beside the process that polls, keeps the state and writes the history:
/// it shows that history and the trap log from the shared data directory, and the state over MQTT. The writer runs the
/// roles collector, engine and simulator with its embedded broker: the all-in-one default keeps its state in-process and
/// publishes none over MQTT, so a web-only process has no state to follow beside it.
/// </summary>
public sealed class WebOnlyTests : IAsyncLifetime
{
    private readonly int _trapPort = FreePort.Udp();
    private readonly AllInOneHost _writer;
    private AllInOneHost? _web;

    public WebOnlyTests()
    {
        _writer = new AllInOneHost("--NetOps:Roles", "collector,engine,simulator", "--Mqtt:Embedded", "true",
            "--State:SnapshotInterval", "00:00:02", "--Traps:Enabled", "true",
            "--Traps:Endpoint", $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "--Traps:Credentials:0", "rainbow-ro");
    }

    public async Task InitializeAsync()
    {
        await _writer.InitializeAsync();
        _web = new AllInOneHost("--NetOps:Roles", "web", "--Mqtt:Embedded", "false",
            "--Mqtt:Port", _writer.MqttPort.ToString(CultureInfo.InvariantCulture), "--Storage:DataDirectory", _writer.DataDirectory);
        await _web.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        await _writer.DisposeAsync();
    }

    [Fact]
    public async Task WebOnlyProcess_ShowsTheHistoryAndTheTrapsTheEngineStored()
    {
        var web = _web!;
        using var inventory = JsonDocument.Parse((await web.InventoryAsync()).GetRawText());
        var device = inventory.RootElement.GetProperty("devices").EnumerateArray().First(d => d.GetProperty("class").GetString() == "core");
        var deviceId = device.GetProperty("id").GetString()!;
        var host = device.GetProperty("snmp").GetProperty("host").GetString()!;

        // History: the engine's polls, read from the file the other process writes.
        await Eventually.TrueAsync(async () =>
        {
            using var history = await GetJsonAsync(web, $"api/history/device/reachable?device={deviceId}&range=00:10:00&window=00:00:01");
            return history.RootElement.EnumerateArray().Any(s => s.GetProperty("points").GetArrayLength() > 0);
        }, TimeSpan.FromSeconds(30), $"{deviceId}'s polls in the web-only process's /api/history\n{Outputs()}");

        // The detail page draws its charts from the same store (prerendered: the charts are in the first response). On a
        // loaded machine the first render may take longer than one request's timeout: ask again until a deadline.
        var page = "";
        await Eventually.TrueAsync(async () =>
        {
            page = await web.Http.GetStringAsync(new Uri($"devices/{deviceId}", UriKind.Relative));
            return page.Contains("data-loaded=\"true\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), $"the detail page of {deviceId} rendered with its charts\n{Outputs()}");
        Assert.DoesNotContain("keeps no history", page, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"answering SNMP\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-chart=\"answering SNMP\" data-points=\"0\"", page, StringComparison.Ordinal);

        // A trap received by the other process, stored by its engine, listed here; the counts only a receiver knows are null.
        var community = File.ReadAllLines(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"))
            .First(l => l.StartsWith("rainbow-ro:", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        await using (var snmptrap = ExternalProcess.Start("snmptrap", ["-v2c", "-c", community, "-m", "", "-M", "", $"--clientaddr={host}",
            $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "", ".1.3.6.1.6.3.1.1.5.1", ".1.3.6.1.2.1.1.5.0", "s", "web-only-test"]))
        {
            Assert.Equal(0, await snmptrap.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        // Receiver, engine and store in one process, the reader in another: on a loaded machine (a full test run beside
        // builds) the path took longer than 20 s once, as the web process's own start took 27 s; the same deadline as the page's.
        JsonElement? trap = null;
        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = await web.Http.GetStringAsync(new Uri("api/traps", UriKind.Relative));
            using var traps = JsonDocument.Parse(text);
            trap = traps.RootElement.GetProperty("recent").EnumerateArray()
                .Where(n => n.GetProperty("deviceId").GetString() == deviceId && n.GetProperty("kind").GetString() == "cold-start")
                .Select(n => n.Clone()).Cast<JsonElement?>().FirstOrDefault();
            return trap is not null;
        }, TimeSpan.FromSeconds(60), $"the coldStart of {deviceId} in the web-only process's /api/traps\n{Outputs()}");

        var notification = trap!.Value;
        Assert.Equal(".1.3.6.1.6.3.1.1.5.1", notification.GetProperty("trapOid").GetString());
        Assert.Equal(host, notification.GetProperty("sender").GetString());
        Assert.Equal("V2c", notification.GetProperty("version").GetString());
        Assert.Contains(notification.GetProperty("varbinds").EnumerateArray(),
            v => v.GetProperty("oid").GetString() == ".1.3.6.1.2.1.1.5.0" && v.GetProperty("value").GetString()!.Contains("web-only-test", StringComparison.Ordinal));
        using (var traps = JsonDocument.Parse(text))
        {
            Assert.Equal(JsonValueKind.Null, traps.RootElement.GetProperty("received").ValueKind);
            Assert.Equal(JsonValueKind.Null, traps.RootElement.GetProperty("unknownSenders").ValueKind);
        }

        Assert.DoesNotContain(community, text, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(_writer.DataDirectory, "history.db*"))
        {
            // The database and its WAL: the community never reaches the store.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(community, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        // And the state, over MQTT from the engine.
        Assert.NotNull(await web.StateOfAsync($"device:{deviceId}"));
    }

    private static async Task<JsonDocument> GetJsonAsync(AllInOneHost host, string path) =>
        await JsonDocument.ParseAsync(await host.Http.GetStreamAsync(new Uri(path, UriKind.Relative)));

    private string Outputs() =>
        $"--- writer ---\n{Tail(_writer.Output)}\n--- web ---\n{Tail(_web?.Output ?? "")}";

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(30));
}
