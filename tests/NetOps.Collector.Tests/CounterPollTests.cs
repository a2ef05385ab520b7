using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Engine;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

/// <summary>
/// A simulated switch served by our real SNMP agent, polled by the real poller, its polls applied by the state engine:
/// counter wraps, reboots, discontinuities and thresholds as the engine sees them end to end. The switch, the poller and
/// the engine share one fake clock: traffic is counted over exactly the time a test advances, never over a wait.
/// </summary>
public sealed class CounterPollTests : IAsyncLifetime
{
    private const string PortName = "ge-0/0/1";
    private const double GigabitBytesPerSecond = 125_000_000;
    private static readonly Oid IfInOctets1 = Oid.Parse("1.3.6.1.2.1.2.2.1.10.1");
    private static readonly EntityRef Port = EntityRef.Port("sim-sw", PortName);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 8, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly SnmpClient _client = new();
    private readonly StateEngine _engine;
    private SnmpAgent? _agent;
    private SimulatedSwitch _switch = null!;
    private SnmpDevicePoller _poller = null!;
    private Device _device = null!;

    public CounterPollTests()
    {
        _engine = new StateEngine(_time);
    }

    public Task InitializeAsync()
    {
        var port = FreePort.Udp();
        _device = new Device("sim-sw", "Simulated", DeviceClass.Access, "lab", null,
            new Core.Inventory.SnmpTarget("127.0.0.1", port, SnmpVersionSetting.V2c, "ro"), [new PortPlan(PortName), new PortPlan("ge-0/0/2")]);
        var fleet = new FleetInventory([new Site("lab", "Lab")], [_device], [], [], [], []);
        _engine.SetInventory(fleet);
        _switch = new SimulatedSwitch(_device, new Random(7), new HashSet<string>(), fleet, _time);
        _switch.SetLoad(PortName, GigabitBytesPerSecond * 0.10, GigabitBytesPerSecond * 0.05);
        _agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, port), _switch.View, new SnmpAgentOptions { ReadCommunity = "sim-ro" });
        var store = new CredentialStore(null, name => name == CredentialStore.VariableFor("ro") ? "sim-ro" : null);
        _poller = new SnmpDevicePoller(_client, store,
            Options.Create(new CollectorOptions { Name = "test", Timeout = TimeSpan.FromSeconds(2), Retries = 0 }), _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        await _client.DisposeAsync();
    }

    [Fact]
    public async Task HcCounters_AreUsedWhenPresent_And32BitOnesWhenTheDeviceHasNone()
    {
        var hc = await PollPortAsync();
        Assert.Equal(64, hc.CounterBits);
        Assert.Equal(1_000, hc.HighSpeedMbps);
        Assert.NotNull(hc.InUcastPkts);
        Assert.NotNull(hc.InErrors);
        Assert.NotNull(hc.DiscontinuityTicks);

        _switch.ServeOnly32BitCounters();
        var legacy = await PollPortAsync();
        Assert.Equal(32, legacy.CounterBits);
        Assert.NotNull(legacy.InOctets);
        Assert.NotNull(legacy.InUcastPkts);
        Assert.Equal(1_000, legacy.HighSpeedMbps);
        Assert.Equal("32-bit", _engine.Get(Port)!.Attributes["counters"]);
    }

    [Fact]
    public async Task A32BitCounterWrapping_GivesTheTrueRate()
    {
        _switch.ServeOnly32BitCounters();
        _switch.SetCounters(PortName, uint.MaxValue - (ulong)(GigabitBytesPerSecond * 0.10 * 0.3));
        var before = await PollPortAsync();
        CountTraffic(0.5);
        Assert.True(InOctets32() < before.InOctets, "the 32-bit counter wrapped 0.3 s in");
        var after = await PollPortAsync();

        Assert.True(after.InOctets < before.InOctets, "the counter wrapped between the polls");
        var state = _engine.Get(Port)!;
        Assert.False(state.Attributes.ContainsKey("discontinuity"));
        Assert.InRange(state.Metrics["in_bps"], 80e6, 120e6);
        Assert.InRange(state.Metrics["utilisation_pct"], 8, 12);
    }

    [Fact]
    public async Task A32BitCounterGoingBackAfterAReboot_IsNotAWrap_AndDrawsNoRate()
    {
        _switch.ServeOnly32BitCounters();
        _switch.SetCounters(PortName, 3_000_000_000);
        _switch.SetUpTime(8_640_000); // a day up
        await PollPortAsync();
        _switch.Reboot();
        CountTraffic(0.2);
        await PollPortAsync();

        var state = _engine.Get(Port)!;
        Assert.Equal("reboot", state.Attributes["discontinuity"]);
        Assert.False(state.Metrics.ContainsKey("in_bps"));

        CountTraffic(0.3);
        await PollPortAsync();
        state = _engine.Get(Port)!;
        Assert.False(state.Attributes.ContainsKey("discontinuity"));
        Assert.InRange(state.Metrics["in_bps"], 80e6, 120e6);
    }

    [Fact]
    public async Task ADiscontinuityTimeThatMoved_DropsTheDelta()
    {
        _switch.SetUpTime(100_000);
        CountTraffic(0.1);
        await PollPortAsync();
        _switch.ResetCountersWithDiscontinuity(PortName, octets: 10_000_000_000);
        CountTraffic(0.1);
        await PollPortAsync();

        var state = _engine.Get(Port)!;
        Assert.Equal("discontinuity-time", state.Attributes["discontinuity"]);
        Assert.False(state.Metrics.ContainsKey("in_bps"));
    }

    [Fact]
    public async Task A64BitCounterGoingBack_IsAReset_NotAWrap()
    {
        _switch.SetCounters(PortName, 50_000_000_000);
        await PollPortAsync();
        _switch.SetCounters(PortName, 1_000);
        CountTraffic(0.1);
        await PollPortAsync();

        var state = _engine.Get(Port)!;
        Assert.Equal("counter-reset", state.Attributes["discontinuity"]);
        Assert.False(state.Metrics.ContainsKey("in_bps"));
    }

    [Fact]
    public async Task SysUpTimeWrappingAfter497Days_IsNotAReboot()
    {
        _switch.SetUpTime(uint.MaxValue - 30); // 0.3 s before TimeTicks wrap
        var before = await PollPortAsync();
        CountTraffic(0.6);
        Assert.True(_switch.UpTime < 1_000, "sysUpTime wrapped 0.3 s in");
        var after = await PollPortAsync();

        Assert.True(after.InOctets > before.InOctets);
        var state = _engine.Get(Port)!;
        Assert.False(state.Attributes.ContainsKey("discontinuity"));
        Assert.InRange(state.Metrics["in_bps"], 80e6, 120e6);
    }

    [Fact]
    public async Task Utilisation_AroundTheWarningThreshold_DegradesOnce_AndClearsOnlyPastTheHysteresis()
    {
        var seen = new List<StateValue>();
        async Task PollAtAsync(double load)
        {
            _switch.SetLoad(PortName, GigabitBytesPerSecond * load, 0);
            CountTraffic(0.5);
            await PollPortAsync();
            CountTraffic(0.5);
            await PollPortAsync();
            seen.Add(_engine.Get(Port)!.Value);
        }

        await PollPortAsync();
        await PollAtAsync(0.75);
        await PollAtAsync(0.67); // below the warning (70 %), within its hysteresis (5)
        await PollAtAsync(0.72);
        await PollAtAsync(0.50);

        Assert.Equal([StateValue.Degraded, StateValue.Degraded, StateValue.Degraded, StateValue.Up], seen);
    }

    [Fact]
    public async Task Errors_AtAConfiguredRate_DegradeThePort()
    {
        _switch.SetErrorRate(PortName, 20);
        await PollPortAsync();
        CountTraffic(0.5);
        await PollPortAsync();

        var state = _engine.Get(Port)!;
        Assert.Equal(StateValue.Degraded, state.Value);
        Assert.Equal(ReasonCodes.PortErrorsHigh, state.Reason.Code);
        Assert.Equal("critical", state.Reason["level"]);
        Assert.InRange(state.Metrics["in_errors_ps"], 15, 25);
    }

    /// <summary>Polls the device, applies the poll to the engine and returns the sample of the port under test.</summary>
    private async Task<PortSample> PollPortAsync()
    {
        var poll = await _poller.PollAsync(_device, PollSections.Interfaces, CancellationToken.None);
        Assert.True(poll.Reachable, poll.Error);
        _engine.Apply(poll);
        return Assert.Single(poll.Ports, p => p.Name == PortName);
    }

    private ulong InOctets32() => _switch.View.TryGet(IfInOctets1, out var value) ? value.AsUInt64() : 0;

    /// <summary>Lets <paramref name="seconds"/> of traffic be counted at the port's current load: the shared clock moves on.</summary>
    private void CountTraffic(double seconds) => _time.Advance(TimeSpan.FromSeconds(seconds));
}
