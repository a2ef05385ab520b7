using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
/// The forwarding-table and PoE reader through the collector's poller, against our SNMP agent serving a real Cisco
/// 3750 recording (BRIDGE-MIB only, Cisco's PoE port mapping) and a simulated MOGLI switch (Q-BRIDGE, single-group PoE).
/// </summary>
public sealed class BridgeSectionTests : IAsyncLifetime
{
    private const string Recording = "/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz";
    private const PollSections Tables = PollSections.Forwarding | PollSections.Poe;

    // The engine judges an endpoint by its port's status too: these polls read the interfaces with the tables.
    private const PollSections WithPorts = PollSections.Interfaces | Tables;

    private readonly SnmpClient _client = new();
    private readonly List<SnmpAgent> _agents = [];
    private DirectoryInfo? _directory;

    [Fact]
    public async Task CiscoRecording_FallsBackToBridgeMib_AndMapsPoePortsThroughCiscosEntityTable()
    {
        _directory = Directory.CreateTempSubdirectory("netops-bridge-");
        var path = Path.Combine(_directory.FullName, "cisco_16_switch.snmprec");
        await using (var source = new GZipStream(File.OpenRead(Recording), CompressionMode.Decompress))
        await using (var target = File.Create(path))
        {
            await source.CopyToAsync(target);
        }

        var (poller, device) = Serve(MibView.FromSnmprec(path), "cisco-3750", [new PortPlan("Fa3/0/1"), new PortPlan("Fa3/0/48")]);

        var poll = await poller.PollAsync(device, WithPorts, CancellationToken.None);

        Assert.True(poll.Reachable, poll.Error);
        Assert.Equal(WithPorts, poll.Sections);
        // dot1dTpFdbPort 160 → dot1dBasePortIfIndex 11048 → ifName Fa3/0/48; no Q-BRIDGE table, so no VLAN.
        var entry = Assert.Single(poll.Forwarding!);
        Assert.Equal(new ForwardingEntry("68:99:cd:a5:9f:88", "Fa3/0/48", null), entry);
        // pethPsePortIndex 3.3 → cpeExtPsePortEntPhyIndex 3008 → entAliasMappingIdentifier ifIndex.11001 → Fa3/0/1.
        Assert.Equal(48, poll.Poe!.Count);
        Assert.Equal(48, poll.Poe.Select(p => p.Port).Distinct().Count());
        Assert.Contains(new PoePortStatus("Fa3/0/1", PoeDetection.Searching, true), poll.Poe);
        Assert.Contains(new PoePortStatus("Fa3/0/3", PoeDetection.DeliveringPower, true), poll.Poe);
        Assert.Contains(new PoePortStatus("Fa3/0/42", PoeDetection.DeliveringPower, true), poll.Poe);
        Assert.Equal(2, poll.Poe.Count(p => p.Detection == PoeDetection.DeliveringPower));
    }

    [Fact]
    public async Task SimulatedSwitch_ServesItsEndpointsOnTheirPlannedPorts_AndPoeForTheCamera()
    {
        var fleet = Fleet();
        var simulated = new SimulatedSwitch(fleet.Devices["mogli-01-sw"], new Random(1), new HashSet<string> { "xe-0/0/0" }, fleet);
        var (poller, device) = Serve(simulated.View, "mogli-01-sw", fleet.Devices["mogli-01-sw"].Ports);

        var poll = await poller.PollAsync(device, WithPorts, CancellationToken.None);

        Assert.Equal(
            [new ForwardingEntry("00:1a:2b:3c:4d:5e", "ge-0/0/1", 20), new ForwardingEntry("02:00:00:00:00:02", "ge-0/0/2", 20)],
            poll.Forwarding!.OrderBy(e => e.Port, StringComparer.Ordinal));
        Assert.DoesNotContain(poll.Poe!, p => p.Port == "xe-0/0/0");
        Assert.Contains(new PoePortStatus("ge-0/0/1", PoeDetection.DeliveringPower, true), poll.Poe!);
        Assert.Contains(new PoePortStatus("ge-0/0/2", PoeDetection.Searching, true), poll.Poe!);
    }

    [Fact]
    public async Task SimulatedFieldEvents_ReachTheEngine_AsRepatchedUp_PoeFaultDown_UnpluggedDown()
    {
        var fleet = Fleet();
        var simulated = new SimulatedSwitch(fleet.Devices["mogli-01-sw"], new Random(1), new HashSet<string> { "xe-0/0/0" }, fleet);
        var (poller, device) = Serve(simulated.View, "mogli-01-sw", fleet.Devices["mogli-01-sw"].Ports);
        var engine = new StateEngine(TimeProvider.System);
        engine.SetInventory(fleet);
        var camera = EntityRef.Endpoint("cam-buehne");

        engine.Apply(await poller.PollAsync(device, WithPorts, CancellationToken.None));
        Assert.Equal(ReasonCodes.EndpointSeen, engine.Get(camera)!.Reason.Code);

        Assert.True(simulated.Repatch("cam-buehne", "ge-0/0/4"));
        engine.Apply(await poller.PollAsync(device, WithPorts, CancellationToken.None));
        var state = engine.Get(camera)!;
        Assert.Equal(StateValue.Up, state.Value);
        Assert.Equal(ReasonCodes.EndpointRepatched, state.Reason.Code);
        Assert.Equal("seen on ge-0/0/4, planned ge-0/0/1", state.Attributes["note"]);
        Assert.Equal(StateValue.Down, engine.Get(EntityRef.Port("mogli-01-sw", "ge-0/0/1"))!.Value);

        Assert.True(simulated.PoeFault("cam-buehne"));
        engine.Apply(await poller.PollAsync(device, WithPorts, CancellationToken.None));
        state = engine.Get(camera)!;
        Assert.Equal(StateValue.Down, state.Value);
        Assert.Equal(ReasonCodes.EndpointPoeFault, state.Reason.Code);
        Assert.Equal("ge-0/0/4", state.Reason["port"]);

        Assert.True(simulated.RestoreEndpoint("cam-buehne"));
        engine.Apply(await poller.PollAsync(device, WithPorts, CancellationToken.None));
        Assert.Equal(ReasonCodes.EndpointSeen, engine.Get(camera)!.Reason.Code);

        Assert.True(simulated.UnplugEndpoint("cam-buehne"));
        engine.Apply(await poller.PollAsync(device, WithPorts, CancellationToken.None));
        state = engine.Get(camera)!;
        Assert.Equal(StateValue.Down, state.Value);
        Assert.Equal(ReasonCodes.EndpointPortDown, state.Reason.Code);
        Assert.Equal("ge-0/0/1", state.Reason["port"]);
    }

    [Fact]
    public async Task PortChangingStatus_HasTheTablesReadAtOnce_NotAtTheirNextTurnMinutesLater()
    {
        var fleet = Fleet();
        var simulated = new SimulatedSwitch(fleet.Devices["mogli-01-sw"], new Random(1), new HashSet<string> { "xe-0/0/0" }, fleet);
        var (poller, device) = Serve(simulated.View, "mogli-01-sw", fleet.Devices["mogli-01-sw"].Ports);
        var queue = new PollQueue(new TestMeterFactory());
        var sink = new RecordingSink();
        using var service = new PollerService(queue, poller, new FixedInventoryProvider(new FleetInventory([], [device], [], [], [], [])), sink,
            Options.Create(new CollectorOptions { Name = "test-collector" }), NullLogger<PollerService>.Instance, new TestMeterFactory());
        await service.StartAsync(CancellationToken.None);
        try
        {
            // Status polls that see nothing change read no table (the plan reads them every few minutes).
            queue.Request(device.Id);
            await Eventually.TrueAsync(() => sink.Polls.Count == 1, TimeSpan.FromSeconds(10), "the first status poll");
            queue.Request(device.Id);
            await Eventually.TrueAsync(() => sink.Polls.Count == 2, TimeSpan.FromSeconds(10), "the second status poll");
            Assert.All(sink.Polls, p => Assert.Null(p.Forwarding));

            // The camera's cable is pulled: its port goes down, and the forwarding table and PoE are read right after.
            Assert.True(simulated.UnplugEndpoint("cam-buehne"));
            queue.Request(device.Id);
            await Eventually.TrueAsync(() => sink.Polls.Any(p => p.Forwarding is not null), TimeSpan.FromSeconds(10), "tables read after the port change");
            var tables = sink.Polls.Last(p => p.Forwarding is not null);
            Assert.True(tables.Sections.HasFlag(PollSections.Forwarding | PollSections.Poe), tables.Sections.ToString());
            Assert.DoesNotContain(tables.Forwarding!, e => e.Port == "ge-0/0/1");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private sealed class RecordingSink : IObservationSink
    {
        private readonly Lock _gate = new();
        private readonly List<DevicePollObservation> _polls = [];

        public IReadOnlyList<DevicePollObservation> Polls
        {
            get
            {
                lock (_gate)
                {
                    return [.. _polls];
                }
            }
        }

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _polls.Add((DevicePollObservation)observation);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>One MOGLI node at the Kerwe: its switch, an uplink to the core, a camera and a sensor.</summary>
    internal static FleetInventory Fleet(DateTimeOffset? now = null, string sensorAddress = "127.0.0.1")
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var snmp = new Core.Inventory.SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "lab");
        var window = new Assignment("kerwe", "stiftsplatz", at.AddDays(-1), at.AddDays(1));
        return new FleetInventory(
            [new Site("rathaus", "Rathaus")],
            [
                new Device("core", "Core", DeviceClass.Core, "rathaus", null, snmp, [new PortPlan("Te1/0/2")]),
                new Device("mogli-01-sw", "MOGLI 01 switch", DeviceClass.MobileSwitch, null, "mogli-01", snmp,
                    [new PortPlan("xe-0/0/0"), new PortPlan("ge-0/0/1"), new PortPlan("ge-0/0/2"), new PortPlan("ge-0/0/4")]),
            ],
            [new Link("core--mogli-01", "MOGLI 01 uplink", new("core", "Te1/0/2"), new("mogli-01-sw", "xe-0/0/0"))],
            [new MobileNode("mogli-01", "MOGLI 01", "mogli-01-sw", TimeSpan.FromSeconds(10), [window])],
            [
                new Endpoint("cam-buehne", "Kamera Bühne", EndpointKind.Camera, "00:1A:2B:3C:4D:5E", "mogli-01", "ge-0/0/1", []),
                new Endpoint("luft-1", "Luftsensor 1", EndpointKind.Sensor, "02-00-00-00-00-02", "mogli-01", "ge-0/0/2", []) { Address = sensorAddress },
            ],
            [new Event("kerwe", "Kerwe", at.AddDays(-1), at.AddDays(1), [new Zone("stiftsplatz", "Stiftsplatz")])]);
    }

    private (SnmpDevicePoller Poller, Device Device) Serve(MibView view, string id, IReadOnlyList<PortPlan> ports)
    {
        var agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), view, new SnmpAgentOptions { ReadCommunity = "lab-community" });
        _agents.Add(agent);
        var store = new CredentialStore(null, new Dictionary<string, string> { [CredentialStore.VariableFor("lab")] = "lab-community" }.GetValueOrDefault);
        var device = new Device(id, id, DeviceClass.MobileSwitch, null, null,
            new Core.Inventory.SnmpTarget("127.0.0.1", agent.LocalEndPoint.Port, SnmpVersionSetting.V2c, "lab"), ports);
        var options = Options.Create(new CollectorOptions { Name = "test-collector", Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
        return (new SnmpDevicePoller(_client, store, options, TimeProvider.System, [new BridgeSection()]), device);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        _directory?.Delete(recursive: true);
    }
}
