using System.Net;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

/// <summary>
/// The optics section through the real poller against our real SNMP agent, serving (a) our recordings of a Cisco
/// Catalyst and a Juniper QFX5100 and (b) simulated Rainbow and MOGLI switches.
/// </summary>
public sealed class OpticsSectionTests : IAsyncLifetime
{
    private const string Community = "optics-test";
    private readonly SnmpClient _client = new();
    private readonly List<SnmpAgent> _agents = [];

    [Fact]
    public async Task CiscoRecording_ReadsCiscoDbmAndTheTransceiversOwnThresholds()
    {
        var poll = await PollRecordingAsync("cisco-catalyst-dom.snmprec", ["Gi1/0/1", "Te1/1/1", "Te1/1/2", "Te1/1/3"]);

        var optics = Assert.IsAssignableFrom<IReadOnlyList<OpticSample>>(poll.Optics);
        Assert.True(poll.Sections.HasFlag(PollSections.Optics));
        Assert.Equal(["Te1/1/1", "Te1/1/2", "Te1/1/3"], optics.Select(o => o.Port));
        var te1 = optics[0];
        Assert.Equal("CISCO-ENTITY-SENSOR-MIB", te1.Mib);
        Assert.Equal(-7.3, te1.RxPowerDbm!.Value, 6);
        Assert.Equal(-2.3, te1.TxPowerDbm!.Value, 6);
        Assert.Equal(34.2, te1.TemperatureC!.Value, 6);
        Assert.Equal(7.1, te1.BiasCurrentMa!.Value, 6);
        Assert.Equal(3.28, te1.VoltageV!.Value, 6);
        Assert.Equal(-14.4, te1.RxPowerLowAlarmDbm!.Value, 6);
        Assert.Equal(-13.1, te1.RxPowerLowWarningDbm!.Value, 6);
        Assert.True(te1.SensorsOk);
    }

    [Fact]
    public async Task CiscoRecording_WattsBecomeDbm_AndAPortWithoutAliasIsFoundByName()
    {
        var poll = await PollRecordingAsync("cisco-catalyst-dom.snmprec", ["Gi1/0/1", "Te1/1/1", "Te1/1/2", "Te1/1/3"]);

        var te2 = Assert.Single(poll.Optics!, o => o.Port == "Te1/1/2");
        Assert.Equal("ENTITY-SENSOR-MIB", te2.Mib);
        Assert.Equal(-6.0, te2.RxPowerDbm!.Value, 2); // 251.2 µW
        Assert.Equal(-2.5, te2.TxPowerDbm!.Value, 2); // 562.3 µW
        Assert.Null(te2.RxPowerLowAlarmDbm);
        Assert.Null(te2.TemperatureC);
    }

    [Fact]
    public async Task CiscoRecording_ANonOperationalSensorSaysSo_AndGivesNoValue()
    {
        var poll = await PollRecordingAsync("cisco-catalyst-dom.snmprec", ["Gi1/0/1", "Te1/1/1", "Te1/1/2", "Te1/1/3"]);

        var te3 = Assert.Single(poll.Optics!, o => o.Port == "Te1/1/3");
        Assert.False(te3.SensorsOk);
        Assert.Null(te3.RxPowerDbm);
    }

    [Fact]
    public async Task JuniperRecording_ReadsHundredthsOfADbm_AndSkipsEmptyCages()
    {
        var poll = await PollRecordingAsync("juniper-qfx5100-dom.snmprec", ["ge-0/0/47", "xe-0/0/0", "xe-0/0/1", "xe-0/0/2"]);

        Assert.Equal(["xe-0/0/0", "xe-0/0/1"], poll.Optics!.Select(o => o.Port));
        var xe0 = poll.Optics![0];
        Assert.Equal("JUNIPER-DOM-MIB", xe0.Mib);
        Assert.Equal(-6.12, xe0.RxPowerDbm!.Value, 6);
        Assert.Equal(-2.21, xe0.TxPowerDbm!.Value, 6);
        Assert.Equal(6.012, xe0.BiasCurrentMa!.Value, 6);
        Assert.Equal(39, xe0.TemperatureC!.Value, 6);
        Assert.Equal(-14.4, xe0.RxPowerLowAlarmDbm!.Value, 6);
        Assert.Equal(-13.0, xe0.RxPowerLowWarningDbm!.Value, 6);
        Assert.Equal(-11.87, poll.Optics![1].RxPowerDbm!.Value, 6);
    }

    [Fact]
    public async Task SimulatedAccessSwitch_ServesCiscoSensors_AndADirtyConnectorShows()
    {
        var device = Device("acc-sim", DeviceClass.Access, ["Te1/1/1", "Te1/1/2", "Gi1/0/1"]);
        var simulated = new SimulatedSwitch(device, new Random(7), new HashSet<string>(StringComparer.Ordinal), Inventory(device));
        var (poller, served) = Serve(simulated.View, device);

        var poll = await poller.PollAsync(served, PollSections.Interfaces | PollSections.Optics, CancellationToken.None);

        Assert.True(poll.Reachable, poll.Error);
        Assert.Equal(["Te1/1/1", "Te1/1/2"], poll.Optics!.Select(o => o.Port));
        var healthy = poll.Optics![0];
        Assert.Equal("CISCO-ENTITY-SENSOR-MIB", healthy.Mib);
        Assert.InRange(healthy.RxPowerDbm!.Value, -9.05, -4.95);
        Assert.Equal(SimulatedSwitch.RxLowAlarmDbm, healthy.RxPowerLowAlarmDbm);
        Assert.Equal(SimulatedSwitch.RxLowWarningDbm, healthy.RxPowerLowWarningDbm);

        Assert.True(simulated.SetRxPower("Te1/1/1", -12.6));
        poll = await poller.PollAsync(served, PollSections.Optics, CancellationToken.None);
        Assert.Equal(-12.6, poll.Optics![0].RxPowerDbm!.Value, 6);

        Assert.True(simulated.RestoreRxPower("Te1/1/1"));
        poll = await poller.PollAsync(served, PollSections.Optics, CancellationToken.None);
        Assert.Equal(healthy.RxPowerDbm!.Value, poll.Optics![0].RxPowerDbm!.Value, 6);
    }

    [Fact]
    public async Task SimulatedSiteSwitch_ServesEntitySensorWatts_OnItsFibreLinkedPortOnly()
    {
        var device = Device("site-sim", DeviceClass.Site, ["Gi0/1", "Gi0/2"]);
        var peer = Device("acc-peer", DeviceClass.Access, ["Te1/1/1"]);
        var fleet = Inventory(device, peer, new Link("acc--site", "uplink", new("acc-peer", "Te1/1/1"), new("site-sim", "Gi0/1")));
        var simulated = new SimulatedSwitch(device, new Random(7), new HashSet<string>(["Gi0/1"], StringComparer.Ordinal), fleet);
        var (poller, served) = Serve(simulated.View, device);

        var poll = await poller.PollAsync(served, PollSections.Interfaces | PollSections.Optics, CancellationToken.None);

        var sample = Assert.Single(poll.Optics!);
        Assert.Equal("Gi0/1", sample.Port);
        Assert.Equal("ENTITY-SENSOR-MIB", sample.Mib);
        Assert.InRange(sample.RxPowerDbm!.Value, -9.05, -4.95);
        Assert.Null(sample.RxPowerLowAlarmDbm);
    }

    [Fact]
    public async Task SimulatedMogliSwitch_ServesJuniperDom_AndADownPortReceivesNoLight()
    {
        var device = Device("mogli-sim", DeviceClass.MobileSwitch, ["xe-0/0/0", "ge-0/0/1"]);
        var simulated = new SimulatedSwitch(device, new Random(7), new HashSet<string>(StringComparer.Ordinal), Inventory(device));
        var (poller, served) = Serve(simulated.View, device);

        var poll = await poller.PollAsync(served, PollSections.Interfaces | PollSections.Optics, CancellationToken.None);
        var sample = Assert.Single(poll.Optics!);
        Assert.Equal("xe-0/0/0", sample.Port);
        Assert.Equal("JUNIPER-DOM-MIB", sample.Mib);
        Assert.InRange(sample.RxPowerDbm!.Value, -9.05, -4.95);
        Assert.Equal(SimulatedSwitch.RxLowAlarmDbm, sample.RxPowerLowAlarmDbm);

        simulated.SetOperUp("xe-0/0/0", false);
        poll = await poller.PollAsync(served, PollSections.Optics, CancellationToken.None);
        Assert.Equal(-40, Assert.Single(poll.Optics!).RxPowerDbm);
    }

    [Fact]
    public async Task DeviceWithoutSensorTables_HasAnEmptyOpticsPart()
    {
        var device = Device("plain", DeviceClass.Site, ["Gi0/1"]);
        var simulated = new SimulatedSwitch(device, new Random(7), new HashSet<string>(StringComparer.Ordinal), Inventory(device));
        var (poller, served) = Serve(simulated.View, device);

        var poll = await poller.PollAsync(served, PollSections.Interfaces | PollSections.Optics, CancellationToken.None);

        Assert.True(poll.Sections.HasFlag(PollSections.Optics));
        Assert.Empty(poll.Optics!);
    }

    private async Task<DevicePollObservation> PollRecordingAsync(string file, IReadOnlyList<string> ports)
    {
        var view = MibView.FromSnmprec(Path.Combine(RepoPaths.Root, "tests", "NetOps.Collector.Tests", "Recordings", file));
        var device = Device("recorded", DeviceClass.Access, ports);
        var (poller, served) = Serve(view, device);
        var poll = await poller.PollAsync(served, PollSections.Interfaces | PollSections.Optics, CancellationToken.None);
        Assert.True(poll.Reachable, poll.Error);
        return poll;
    }

    private (SnmpDevicePoller Poller, Device Device) Serve(MibView view, Device device)
    {
        var agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), view, new SnmpAgentOptions { ReadCommunity = Community });
        _agents.Add(agent);
        var served = device with { Snmp = device.Snmp with { Port = agent.LocalEndPoint.Port } };
        var store = new CredentialStore(null, name => name == CredentialStore.VariableFor("optics-lab") ? Community : null);
        var options = Options.Create(new CollectorOptions { Name = "optics-test", Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
        return (new SnmpDevicePoller(_client, store, options, TimeProvider.System, [new OpticsSection()]), served);
    }

    private static Device Device(string id, DeviceClass @class, IReadOnlyList<string> ports) =>
        new(id, id, @class, null, null, new Core.Inventory.SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "optics-lab"),
            ports.Select(p => new PortPlan(p)).ToList());

    private static FleetInventory Inventory(Device device, Device? peer = null, Link? link = null) =>
        new([], peer is null ? [device] : [device, peer], link is null ? [] : [link], [], [], []);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _client.DisposeAsync();
    }
}
