using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

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
public sealed class CiscoRecording() : Snmpsimd(["cisco_16_switch.snmprec.gz"])
{
    public const string Community = "cisco_16_switch";
}
