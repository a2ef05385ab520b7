using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Worker.Tests;

/// <summary>
/// Debian's snmpsimd replaying snmpsim's recording of a real Cisco 3750 stack (cisco_16_switch), polled by the real
/// poller: most interfaces have 64-bit HC counters, the stack port and Null0 only 32-bit ones.
/// </summary>
public sealed class RecordedSwitchPollTests(CiscoRecording recording) : IClassFixture<CiscoRecording>, IAsyncLifetime
{
    private readonly SnmpClient _client = new();

    [Fact]
    public async Task CiscoRecording_IsReadWithHcCountersWhereItHasThem_And32BitOnesElsewhere()
    {
        var device = new Device("c3750", "Cisco 3750", DeviceClass.Access, "lab", null,
            new Core.Inventory.SnmpTarget("127.0.0.1", recording.Port, SnmpVersionSetting.V2c, "rec"),
            [new PortPlan("Vl1"), new PortPlan("StackPort3"), new PortPlan("Nu0"), new PortPlan("Fa3/0/1")]);
        var store = new CredentialStore(null, name => name == CredentialStore.VariableFor("rec") ? CiscoRecording.Community : null);
        var poller = new SnmpDevicePoller(_client, store,
            Options.Create(new CollectorOptions { Name = "test", Timeout = TimeSpan.FromSeconds(5), Retries = 1 }), TimeProvider.System);

        var poll = await poller.PollAsync(device, PollSections.Interfaces, CancellationToken.None);

        Assert.True(poll.Reachable, poll.Error);
        Assert.Equal(59, poll.Ports.Count);
        PortSample Port(string name) => Assert.Single(poll.Ports, p => p.Name == name);
        var vlan = Port("Vl1");
        Assert.Equal((64, 39857997UL), (vlan.CounterBits, vlan.InOctets!.Value));
        var stack = Port("StackPort3");
        Assert.Equal((32, 0UL, 0UL), (stack.CounterBits, stack.InOctets!.Value, stack.InErrors!.Value));
        var null0 = Port("Nu0");
        Assert.Equal(32, null0.CounterBits);
        Assert.Equal(10_000, null0.HighSpeedMbps);
        var fa = Port("Fa3/0/1");
        Assert.Equal((true, false), (fa.AdminUp, fa.OperUp));
        Assert.Equal(64, fa.CounterBits);
        Assert.Equal(10, fa.HighSpeedMbps);
        Assert.Equal(9775U, fa.LastChangeTicks);
        Assert.Equal(8320U, fa.DiscontinuityTicks);
        Assert.NotNull(fa.InBroadcastPkts);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _client.DisposeAsync().AsTask();
}

/// <summary>snmpsimd on a free loopback port serving the cisco_16_switch recording; stopped on dispose, also when tests failed.</summary>
public sealed class CiscoRecording : IAsyncLifetime
{
    public const string Community = "cisco_16_switch";
    private const string Recording = "/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz";

    private ExternalProcess? _process;
    private string? _directory;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("netops-snmpsim-").FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(_directory, "cache")).FullName;
        await using (var input = new GZipStream(File.OpenRead(Recording), CompressionMode.Decompress))
        await using (var output = File.Create(Path.Combine(data, Community + ".snmprec")))
        {
            await input.CopyToAsync(output);
        }

        if (!OperatingSystem.IsWindows())
        {
            // As root snmpsimd drops to nobody, which must read the data and write its index cache.
            var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                           UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(_directory, readable);
            File.SetUnixFileMode(data, readable);
            File.SetUnixFileMode(cache, readable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        }

        Port = FreePort.Udp();
        string[] asRoot = Environment.UserName == "root" ? ["--process-user=nobody", "--process-group=nogroup"] : [];
        _process = ExternalProcess.Start("snmpsimd",
            [.. asRoot, $"--data-dir={data}", $"--cache-dir={cache}", $"--agent-udpv4-endpoint=127.0.0.1:{Port}", "--logging-method=stderr"]);
        try
        {
            await using var client = new SnmpClient();
            var target = new Snmp.SnmpTarget(new IPEndPoint(IPAddress.Loopback, Port))
            {
                Community = Community,
                Timeout = TimeSpan.FromMilliseconds(500),
                Retries = 0,
            };
            await Eventually.TrueAsync(async () =>
            {
                _process.ThrowIfExited();
                try
                {
                    await client.GetAsync(target, Oid.Parse("1.3.6.1.2.1.1.3.0"), CancellationToken.None);
                    return true;
                }
                catch (SnmpException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "snmpsimd answers", TimeSpan.FromMilliseconds(100));
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop snmpsimd here.
            await _process.DisposeAsync();
            _process = null;
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        var output = _process?.Output ?? string.Empty;
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        Assert.False(output.Contains("Traceback", StringComparison.Ordinal), "snmpsimd failed:\n" + output);
    }
}
