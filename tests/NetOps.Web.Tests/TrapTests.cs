using System.Globalization;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>A trap from net-snmp's snmptrap makes the host poll the device at once instead of at its next interval.</summary>
public sealed class TrapTests : IAsyncLifetime
{
    private readonly int _trapPort = FreePort.Udp();
    private readonly AllInOneHost _host;

    public TrapTests()
    {
        // A long interval: a device first polled within seconds of its trap was polled because of the trap.
        _host = new AllInOneHost("--Collector:PollInterval", "01:00:00", "--Traps:Enabled", "true",
            "--Traps:Endpoint", $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}", "--Traps:Credentials:0", "rainbow-ro");
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

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
}
