using System.Globalization;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>A trap from net-snmp's snmptrap makes the host poll the device at once instead of at its next interval.</summary>
public sealed class TrapTests : IAsyncLifetime
{
    private const string V3User = "trapper", V3AuthPass = "trap-auth-pass", V3PrivPass = "trap-priv-pass";
    private readonly int _trapPort = FreePort.Udp();
    private readonly string _secrets = Path.Combine(Path.GetTempPath(), $"netops-trap-secrets-{Guid.NewGuid():N}.yaml");
    private readonly AllInOneHost _host;

    public TrapTests()
    {
        // The demo's secrets plus one SNMPv3 user allowed to send notifications, referenced by name in the settings.
        File.WriteAllText(_secrets, File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml")) +
            $"\ntrap-v3: 'user={V3User};level=authPriv;auth=SHA-256;authPass={V3AuthPass};priv=AES;privPass={V3PrivPass}'\n");
        // A long interval: a device first polled within seconds of its trap was polled because of the trap.
        _host = new AllInOneHost("--Collector:PollInterval", "01:00:00", "--Traps:Enabled", "true",
            "--Traps:Endpoint", $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "--Traps:Credentials:0", "rainbow-ro",
            "--Traps:Users:0", "trap-v3", "--Inventory:SecretsFile", _secrets);
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        File.Delete(_secrets);
    }

    [Fact]
    public async Task V3AuthPrivTrap_FromAConfiguredUser_IsResolved_AndAWrongPassPhraseIsRefused()
    {
        using (var before = await TrapsAsync())
        {
            Assert.Equal(0, before.RootElement.GetProperty("refused").GetInt64());
        }

        await SendV3Async("127.77.0.1", V3AuthPass);
        var notification = await NotificationAsync(n => n.GetProperty("version").GetString() == "V3");
        Assert.Equal("core-rathaus", notification.GetProperty("deviceId").GetString());

        await SendV3Async("127.77.0.1", "not-the-pass-phrase");
        await Eventually.TrueAsync(async () =>
        {
            using var traps = await TrapsAsync();
            return traps.RootElement.GetProperty("refused").GetInt64() >= 1;
        }, TimeSpan.FromSeconds(10), $"the forged v3 trap refused\n{_host.Output}");
        Assert.DoesNotContain(V3AuthPass, _host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(V3PrivPass, _host.Output, StringComparison.Ordinal);
    }

    private async Task SendV3Async(string source, string authPass)
    {
        await using var snmptrap = ExternalProcess.Start("snmptrap", ["-v3", "-e", "0x80001f8880aabbccdd", "-u", V3User, "-l", "authPriv",
            "-a", "SHA-256", "-A", authPass, "-x", "AES", "-X", V3PrivPass, "-m", "", "-M", "", $"--clientaddr={source}",
            $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "", ".1.3.6.1.6.3.1.1.5.3", ".1.3.6.1.2.1.2.2.1.1.1", "i", "1"]);
        Assert.Equal(0, await snmptrap.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task LinkDownTrap_TriggersAnImmediatePollOfItsDevice()
    {
        using var inventory = await _host.InventoryAsync().ContinueWith(t => JsonDocument.Parse(t.Result.GetRawText()));
        var devices = inventory.RootElement.GetProperty("devices").EnumerateArray()
            .Where(d => d.GetProperty("class").GetString() is "access" or "site")
            .ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("snmp").GetProperty("host").GetString()!);
        string? target = null;
        foreach (var (id, _) in devices)
        {
            if (await _host.StateOfAsync($"device:{id}") == "unknown")
            {
                target = id;
                break;
            }
        }

        Assert.True(target is not null, "every device was already polled: the first polls are spread over an hour, 56 s apart");
        var community = File.ReadAllLines(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"))
            .First(l => l.StartsWith("rainbow-ro:", StringComparison.Ordinal)).Split(':', 2)[1].Trim();

        // A v1 linkDown whose agent-addr names the device (the UDP source is 127.0.0.1, no device's address).
        await using var snmptrap = ExternalProcess.Start("snmptrap", ["-v1", "-c", community, "-m", "", "-M", "",
            $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", ".1.3.6.1.4.1.8072.3.2.10", devices[target!], "2", "0", "",
            ".1.3.6.1.2.1.2.2.1.1.1", "i", "1"]);
        Assert.Equal(0, await snmptrap.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        await Eventually.TrueAsync(async () => await _host.StateOfAsync($"device:{target}") == "up", TimeSpan.FromSeconds(5),
            $"{target} polled because of its trap\n{_host.Output}");
    }

    [Fact]
    public async Task V2cLinkDownTrap_ShowsItsPortDownAtOnce_AndIsListedWithThePort()
    {
        // The core end of a fibre: cutting it in the simulator takes the port down while the core stays reachable, so the
        // re-poll the trap triggers confirms what the trap announced.
        using var inventory = JsonDocument.Parse((await _host.InventoryAsync()).GetRawText());
        var root = inventory.RootElement;
        var end = root.GetProperty("links").EnumerateArray().First(l => l.GetProperty("id").GetString() == "core-acc-nord").GetProperty("a");
        var deviceId = end.GetProperty("deviceId").GetString()!;
        var port = end.GetProperty("port").GetString()!;
        var device = root.GetProperty("devices").EnumerateArray().First(d => d.GetProperty("id").GetString() == deviceId);
        var host = device.GetProperty("snmp").GetProperty("host").GetString()!;
        var ifIndex = device.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList().IndexOf(port) + 1;
        Assert.True(ifIndex > 0, $"{port} is planned on {deviceId}");

        // A first trap gets the device polled, which maps its ifIndexes to names; wait for that poll to land.
        await SendV2cAsync(host, ".1.3.6.1.6.3.1.1.5.1");
        var coldStart = await NotificationAsync(n => n.GetProperty("deviceId").GetString() == deviceId && n.GetProperty("kind").GetString() == "cold-start");
        await Eventually.TrueAsync(async () => (await StateAsync($"device:{deviceId}"))?.ObservedAt > coldStart.GetProperty("at").GetDateTimeOffset(),
            TimeSpan.FromSeconds(10), $"{deviceId} polled after its coldStart\n{_host.Output}");

        await _host.PostAsync("api/simulator/links/core-acc-nord/cut");
        var i = ifIndex.ToString(CultureInfo.InvariantCulture);
        await SendV2cAsync(host, ".1.3.6.1.6.3.1.1.5.3",
            $".1.3.6.1.2.1.2.2.1.1.{i}", "i", i, $".1.3.6.1.2.1.2.2.1.7.{i}", "i", "1", $".1.3.6.1.2.1.2.2.1.8.{i}", "i", "2");

        var linkDown = await NotificationAsync(n => n.GetProperty("kind").GetString() == "link-down");
        Assert.Equal(deviceId, linkDown.GetProperty("deviceId").GetString());
        Assert.Equal(port, linkDown.GetProperty("port").GetString());
        Assert.Contains(linkDown.GetProperty("varbinds").EnumerateArray(), v => v.GetProperty("oid").GetString() == $".1.3.6.1.2.1.2.2.1.1.{i}");
        Assert.False(linkDown.TryGetProperty("community", out _));

        // Down since the trap, not since the poll after it: the trap changed the state, the poll confirmed it.
        var at = linkDown.GetProperty("at").GetDateTimeOffset();
        await Eventually.TrueAsync(async () => await StateAsync($"port:{deviceId}/{port}") is { Value: "down" } state && state.Since == at,
            TimeSpan.FromSeconds(10), $"{deviceId} {port} down since the trap at {at:O}\n{_host.Output}");
    }

    [Fact]
    public async Task TrapFromAnUnknownSender_IsCountedAndListed()
    {
        // From 127.0.0.1, no device's address, and without a sysName binding: nothing to resolve it by.
        await SendV2cAsync("127.0.0.1", ".1.3.6.1.6.3.1.1.5.3", ".1.3.6.1.2.1.2.2.1.1.1", "i", "1");

        await Eventually.TrueAsync(async () =>
        {
            using var traps = await TrapsAsync();
            return traps.RootElement.GetProperty("unknownSources").GetInt64() == 1 &&
                   traps.RootElement.GetProperty("unknownSenders").EnumerateArray().Any(u => u.GetProperty("address").GetString() == "127.0.0.1");
        }, TimeSpan.FromSeconds(10), $"the unknown sender listed\n{_host.Output}");
    }

    private static string Community() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"))
            .First(l => l.StartsWith("rainbow-ro:", StringComparison.Ordinal)).Split(':', 2)[1].Trim();

    /// <summary>A v2c trap from <paramref name="source"/> (any 127/8 address is the loopback's), sent by net-snmp's snmptrap.</summary>
    private async Task SendV2cAsync(string source, string trapOid, params string[] objects)
    {
        await using var snmptrap = ExternalProcess.Start("snmptrap", ["-v2c", "-c", Community(), "-m", "", "-M", "", $"--clientaddr={source}",
            $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "", trapOid, .. objects]);
        Assert.Equal(0, await snmptrap.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    private async Task<JsonDocument> TrapsAsync() =>
        await JsonDocument.ParseAsync(await _host.Http.GetStreamAsync(new Uri("api/traps", UriKind.Relative)));

    /// <summary>The newest notification in /api/traps that matches, once it is there.</summary>
    private async Task<JsonElement> NotificationAsync(Func<JsonElement, bool> match)
    {
        JsonElement? found = null;
        await Eventually.TrueAsync(async () =>
        {
            using var traps = await TrapsAsync();
            found = traps.RootElement.GetProperty("recent").EnumerateArray().Where(match).Select(n => n.Clone()).Cast<JsonElement?>().FirstOrDefault();
            return found is not null;
        }, TimeSpan.FromSeconds(10), $"the notification listed in /api/traps\n{_host.Output}");
        return found!.Value;
    }

    private async Task<(string? Value, DateTimeOffset Since, DateTimeOffset ObservedAt)?> StateAsync(string entity)
    {
        using var document = await JsonDocument.ParseAsync(await _host.Http.GetStreamAsync(new Uri("api/state", UriKind.Relative)));
        foreach (var state in document.RootElement.GetProperty("states").EnumerateArray())
        {
            if (state.GetProperty("entity").GetString() == entity)
            {
                return (state.GetProperty("value").GetString(), state.GetProperty("since").GetDateTimeOffset(),
                    state.GetProperty("observedAt").GetDateTimeOffset());
            }
        }

        return null;
    }
}
