using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

/// <summary>Endpoint connectivity from its evidence: port status, MAC sightings, PoE, ICMP, heartbeats and camera status.</summary>
public sealed class EndpointStateTests
{
    private static readonly EntityRef Camera = EntityRef.Endpoint("cam-buehne");
    private static readonly EntityRef Sensor = EntityRef.Endpoint("luft-1");
    private const string CameraMac = "00:1A:2B:3C:4D:5E";

    private readonly FakeTimeProvider _clock = new(Fleet.Start);
    private readonly StateEngine _engine;
    private long _sequence;

    public EndpointStateTests()
    {
        _engine = new StateEngine(_clock);
        _engine.SetInventory(Build(nodeDeployed: true));
    }

    [Fact]
    public void NewEndpoint_IsUnknownWithNoEvidence_AndCarriesItsPlan()
    {
        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Unknown, camera.Value);
        Assert.Equal(ReasonCodes.NoEvidence, camera.Reason.Code);
        Assert.Equal("mogli-01-sw", camera.Attributes["planned_device"]);
        Assert.Equal("ge-0/0/1", camera.Attributes["planned_port"]);
        Assert.Equal("kerwe", camera.Attributes["event"]);
        Assert.Equal("stiftsplatz", camera.Attributes["zone"]);
    }

    [Fact]
    public void Camera_SeenOnItsPlannedPort_IsUp()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with { Forwarding = [new("00:1a:2b:3c:4d:5e", "ge-0/0/1", 10)], Sections = Tables });

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Up, camera.Value);
        Assert.Equal(ReasonCodes.EndpointSeen, camera.Reason.Code);
        Assert.Equal("ge-0/0/1", camera.Attributes["seen_port"]);
        Assert.Equal("10", camera.Attributes["seen_vlan"]);
        Assert.False(camera.Attributes.ContainsKey("note"));
    }

    [Fact]
    public void Camera_WhosePortGoesDown_IsDownNamingPortAndSince()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with { Forwarding = [new(CameraMac, "ge-0/0/1", null)], Sections = Tables });
        _clock.Advance(TimeSpan.FromSeconds(10));
        var downAt = _clock.GetUtcNow();
        _engine.Apply(SwitchPoll(("ge-0/0/1", false)));

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Down, camera.Value);
        Assert.Equal(ReasonCodes.EndpointPortDown, camera.Reason.Code);
        Assert.Equal("mogli-01-sw", camera.Reason["device"]);
        Assert.Equal("ge-0/0/1", camera.Reason["port"]);
        Assert.Equal(downAt, DateTimeOffset.Parse(camera.Reason["since"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(downAt, camera.Since);
    }

    [Fact]
    public void Camera_WithAPoeFault_IsDownForNoPower()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with
        {
            Forwarding = [],
            Poe = [new("ge-0/0/1", PoeDetection.Fault, AdminEnabled: true), new("ge-0/0/2", PoeDetection.DeliveringPower, true)],
            Sections = Tables,
        });

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Down, camera.Value);
        Assert.Equal(ReasonCodes.EndpointPoeFault, camera.Reason.Code);
        Assert.Equal("ge-0/0/1", camera.Reason["port"]);
        Assert.Equal("fault", camera.Reason["detection"]);
        Assert.Equal("fault", camera.Attributes["poe"]);
    }

    [Fact]
    public void Camera_OnAPortThatDeliversNoPower_AndNotSeen_IsDown()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with
        {
            Forwarding = [],
            Poe = [new("ge-0/0/1", PoeDetection.Searching, AdminEnabled: true)],
            Sections = Tables,
        });

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Down, camera.Value);
        Assert.Equal(ReasonCodes.EndpointPoeOff, camera.Reason.Code);
        Assert.Equal("searching", camera.Reason["detection"]);
    }

    [Fact]
    public void Camera_RepatchedToAnotherPort_IsUpWithANote_NotDown()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true), ("ge-0/0/4", true)) with { Forwarding = [new(CameraMac, "ge-0/0/1", 10)], Sections = Tables });
        _clock.Advance(TimeSpan.FromSeconds(10));
        // Someone moved the cable: the planned port is dark, the camera's MAC is learned on ge-0/0/4.
        _engine.Apply(SwitchPoll(("ge-0/0/1", false), ("ge-0/0/4", true)) with
        {
            Forwarding = [new(CameraMac, "ge-0/0/4", 10), new(CameraMac, "xe-0/0/0", 10)],
            Poe = [new("ge-0/0/1", PoeDetection.Searching, true), new("ge-0/0/4", PoeDetection.DeliveringPower, true)],
            Sections = Tables,
        });

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Up, camera.Value);
        Assert.Equal(ReasonCodes.EndpointRepatched, camera.Reason.Code);
        Assert.Equal("ge-0/0/4", camera.Reason["port"]);
        Assert.Equal("ge-0/0/1", camera.Reason["planned_port"]);
        Assert.Equal("mogli-01-sw", camera.Attributes["seen_device"]);
        Assert.Equal("ge-0/0/4", camera.Attributes["seen_port"]);
        Assert.Equal("ge-0/0/1", camera.Attributes["planned_port"]);
        Assert.Equal("seen on ge-0/0/4, planned ge-0/0/1", camera.Attributes["note"]);
        Assert.Equal("delivering-power", camera.Attributes["poe"]);
    }

    [Fact]
    public void Mac_OnlyOnAnUplink_IsNoSighting()
    {
        // The core learns every MAC behind the MOGLI switch on its uplink port: that says nothing about where the camera is.
        _engine.Apply(Poll("core", ("Te1/0/2", true)) with { Forwarding = [new(CameraMac, "Te1/0/2", 10)], Sections = Tables });

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Unknown, camera.Value);
        Assert.False(camera.Attributes.ContainsKey("seen_port"));
    }

    [Fact]
    public void Camera_ReportedOfflineByItsNode_IsDownWithTheNodesDetail()
    {
        _engine.Apply(new CameraStatusObservation("mqtt#1", 1, _clock.GetUtcNow(), "cam-buehne", false, "rtsp timeout", TimeSpan.FromMinutes(1)));

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Down, camera.Value);
        Assert.Equal(ReasonCodes.EndpointCameraOffline, camera.Reason.Code);
        Assert.Equal("rtsp timeout", camera.Reason["detail"]);
    }

    [Fact]
    public void IcmpOnlySensor_IsUpWhileItAnswers_AndDownWhenItStops()
    {
        _engine.Apply(Icmp("luft-1", reachable: true, rtt: 0.4));
        var sensor = _engine.Get(Sensor)!;
        Assert.Equal(StateValue.Up, sensor.Value);
        Assert.Equal(ReasonCodes.EndpointIcmpReachable, sensor.Reason.Code);
        Assert.Equal(0.4, sensor.Metrics["rtt_ms"]);
        Assert.Equal("127.0.0.1", sensor.Attributes["address"]);

        _clock.Advance(TimeSpan.FromSeconds(20));
        _engine.Apply(Icmp("luft-1", reachable: false, rtt: null));
        sensor = _engine.Get(Sensor)!;
        Assert.Equal(StateValue.Down, sensor.Value);
        Assert.Equal(ReasonCodes.EndpointIcmpUnreachable, sensor.Reason.Code);
        Assert.Equal("127.0.0.1", sensor.Reason["address"]);
        Assert.False(sensor.Metrics.ContainsKey("rtt_ms"));
    }

    [Fact]
    public void Sensor_NotAnsweringIcmp_ButSeenOnItsPort_IsDegraded()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/2", true)) with { Forwarding = [new("02:00:00:00:00:02", "ge-0/0/2", 20)], Sections = Tables });
        _engine.Apply(Icmp("luft-1", reachable: false, rtt: null));

        var sensor = _engine.Get(Sensor)!;
        Assert.Equal(StateValue.Degraded, sensor.Value);
        Assert.Equal(ReasonCodes.EndpointIcmpSilent, sensor.Reason.Code);
        Assert.Equal("mac", sensor.Reason["evidence"]);
        Assert.Equal("ge-0/0/2", sensor.Reason["port"]);
    }

    [Fact]
    public void Heartbeat_KeepsASensorUp_UntilItGoesStale()
    {
        _engine.Apply(new EndpointHeartbeatObservation("mqtt#1", 1, _clock.GetUtcNow(), "luft-1", TimeSpan.FromSeconds(60)));
        Assert.Equal(StateValue.Up, _engine.Get(Sensor)!.Value);
        Assert.Equal(ReasonCodes.EndpointHeartbeat, _engine.Get(Sensor)!.Reason.Code);

        _clock.Advance(TimeSpan.FromSeconds(59));
        _engine.Expire();
        Assert.Equal(StateValue.Up, _engine.Get(Sensor)!.Value);

        _clock.Advance(TimeSpan.FromSeconds(2));
        var delta = _engine.Expire();
        var sensor = Assert.Single(delta!.Changed, s => s.Entity == Sensor);
        Assert.Equal(StateValue.Unknown, sensor.Value);
        Assert.Equal(ReasonCodes.Stale, sensor.Reason.Code);
        Assert.Equal("mqtt#1", sensor.Reason["source"]);
    }

    [Fact]
    public void CollectorGone_TurnsItsEndpointsUnknown_AndItsOldEvidenceDoesNotBringThemBack()
    {
        _engine.Apply(Icmp("luft-1", reachable: true, rtt: 1));
        _engine.Apply(new CollectorGoneObservation(_clock.GetUtcNow(), "collector"));
        Assert.Equal(ReasonCodes.SourceGone, _engine.Get(Sensor)!.Reason.Code);

        // Re-deriving the sensor (Expire re-derives everything): the gone collector's ICMP answer must not count again.
        _engine.Apply(new EndpointHeartbeatObservation("mqtt#1", 1, _clock.GetUtcNow(), "cam-buehne", TimeSpan.FromSeconds(60)));
        _engine.Expire();
        Assert.Equal(StateValue.Unknown, _engine.Get(Sensor)!.Value);
        Assert.Equal(ReasonCodes.SourceGone, _engine.Get(Sensor)!.Reason.Code);
        Assert.Equal(StateValue.Up, _engine.Get(Camera)!.Value);
    }

    [Fact]
    public void CollectorGone_WithAGrace_LeavesTheDevicesAnotherCollectorTookOver_AndTurnsTheRestUnknownAfterIt()
    {
        _engine.CollectorGoneGrace = TimeSpan.FromSeconds(5);
        _engine.Apply(Poll("core", ("Te1/0/2", true)));
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)));
        var goneAt = _clock.GetUtcNow();
        Assert.Null(_engine.Apply(new CollectorGoneObservation(goneAt, "collector")));

        // Within the grace another collector polls the core (it took it over); nobody polls the MOGLI switch.
        _clock.Advance(TimeSpan.FromSeconds(2));
        _engine.Apply(new DevicePollObservation("collector-2#1", 1, _clock.GetUtcNow(), "core", true, TimeSpan.FromHours(1), null,
            [new PortSample("Te1/0/2", 1, true, true, 0, 0, 1_000)], Fleet.Fresh));
        _engine.Expire();
        Assert.Equal(StateValue.Up, _engine.Get(EntityRef.Device("mogli-01-sw"))!.Value);

        _clock.Advance(TimeSpan.FromSeconds(3));
        var delta = _engine.Expire();

        Assert.Contains(delta!.Changed, s => s.Entity == EntityRef.Device("mogli-01-sw") && s.Value == StateValue.Unknown && s.Reason.Code == ReasonCodes.SourceGone);
        Assert.DoesNotContain(delta.Changed, s => s.Entity == EntityRef.Device("core"));
        Assert.Equal(StateValue.Up, _engine.Get(EntityRef.Device("core"))!.Value);
    }

    [Fact]
    public void EvidenceAboutOneEndpoint_RederivesThatEndpointAlone_TheRestCatchUpAtExpire()
    {
        _engine.Apply(new EndpointHeartbeatObservation("mqtt#1", 1, _clock.GetUtcNow(), "luft-1", TimeSpan.FromSeconds(60)));
        _clock.Advance(TimeSpan.FromSeconds(61));

        // The camera's status changes the camera; the sensor's heartbeat has aged out, but nothing about it arrived.
        var delta = _engine.Apply(new CameraStatusObservation("mqtt#1", 2, _clock.GetUtcNow(), "cam-buehne", true));
        Assert.Equal([Camera], delta!.Changed.Select(s => s.Entity));
        Assert.Equal(StateValue.Up, _engine.Get(Sensor)!.Value);

        var expired = _engine.Expire();
        Assert.Contains(expired!.Changed, s => s.Entity == Sensor && s.Value == StateValue.Unknown && s.Reason.Code == ReasonCodes.Stale);
    }

    [Fact]
    public void EndpointsOfANodeInStorage_AreInactive()
    {
        var engine = new StateEngine(_clock);
        engine.SetInventory(Build(nodeDeployed: false));
        engine.Apply(new EndpointHeartbeatObservation("mqtt#1", 1, _clock.GetUtcNow(), "luft-1", TimeSpan.FromSeconds(60)));

        var sensor = engine.Get(Sensor)!;
        Assert.Equal(StateValue.Inactive, sensor.Value);
        Assert.Equal(ReasonCodes.NotDeployed, sensor.Reason.Code);
        Assert.Equal("mogli-01", sensor.Reason["node"]);
    }

    [Fact]
    public void Endpoint_BehindAnUnreachableSwitch_IsUnknownNamingTheSwitch()
    {
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), "mogli-01-sw", false, null, "timeout", [], Fleet.Fresh));

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Unknown, camera.Value);
        Assert.Equal(ReasonCodes.EndpointSwitchUnknown, camera.Reason.Code);
        Assert.Equal("mogli-01-sw", camera.Reason["device"]);
    }

    [Fact]
    public void Camera_SeenByASwitchThatStopsAnswering_IsUnknownNamingTheSwitch_NotUpOnTheOldTable()
    {
        // The forwarding table is read every few minutes and stays fresh that long; a switch that went silent (its node
        // switched off, its uplink cut) no longer vouches for what it saw.
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with { Forwarding = [new(CameraMac, "ge-0/0/1", null)], Sections = Tables });
        Assert.Equal(StateValue.Up, _engine.Get(Camera)!.Value);

        _clock.Advance(TimeSpan.FromSeconds(10));
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), "mogli-01-sw", false, null, "timeout", [], Fleet.Fresh));

        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Unknown, camera.Value);
        Assert.Equal(ReasonCodes.EndpointSwitchUnknown, camera.Reason.Code);
        Assert.Equal("mogli-01-sw", camera.Reason["device"]);

        // It answers again, with the table still fresh: the sighting counts again.
        _clock.Advance(TimeSpan.FromSeconds(10));
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)));
        Assert.Equal(StateValue.Up, _engine.Get(Camera)!.Value);
    }

    [Fact]
    public void MacMissingFromItsSwitchesTable_WhileItsPortIsUp_IsUpOnTheLinkAlone()
    {
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)) with { Forwarding = [], Sections = Tables });
        _engine.Apply(SwitchPoll(("ge-0/0/1", true)));

        // The port is up: the interfaces poll alone would say link up; the table says the MAC aged out. Link up wins.
        var camera = _engine.Get(Camera)!;
        Assert.Equal(StateValue.Up, camera.Value);
        Assert.Equal(ReasonCodes.EndpointLinkUp, camera.Reason.Code);
    }

    [Fact]
    public void Endpoint_IsInTheScopeOfItsNodesEvent()
    {
        var snapshot = _engine.Snapshot(new Scope(EventIds: new HashSet<string> { "kerwe" }));
        Assert.Contains(snapshot.States, s => s.Entity == Camera);
        var other = _engine.Snapshot(new Scope(EventIds: new HashSet<string> { "altstadtfest" }));
        Assert.DoesNotContain(other.States, s => s.Entity == Camera);
    }

    private const PollSections Tables = PollSections.Interfaces | PollSections.Forwarding | PollSections.Poe;

    private DevicePollObservation SwitchPoll(params (string Port, bool Up)[] ports) => Poll("mogli-01-sw", ports);

    private DevicePollObservation Poll(string device, params (string Port, bool Up)[] ports) =>
        new("collector#1", ++_sequence, _clock.GetUtcNow(), device, true, TimeSpan.FromHours(1), null,
            ports.Select((p, i) => new PortSample(p.Port, i + 1, true, p.Up, 0, 0, 1_000)).ToList(), Fleet.Fresh);

    private EndpointReachabilityObservation Icmp(string endpoint, bool reachable, double? rtt) =>
        new("collector#1", ++_sequence, _clock.GetUtcNow(), endpoint, reachable, rtt, Fleet.Fresh);

    private static FleetInventory Build(bool nodeDeployed)
    {
        var basic = Fleet.Build(nodeDeployed);
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var devices = basic.Devices.Values.Where(d => d.Id != "mogli-01-sw").Append(new Device("mogli-01-sw", "MOGLI 01 switch",
            DeviceClass.MobileSwitch, null, "mogli-01", snmp,
            [new PortPlan("xe-0/0/0"), new PortPlan("ge-0/0/1"), new PortPlan("ge-0/0/2"), new PortPlan("ge-0/0/4")]));
        return new FleetInventory(basic.Sites.Values, devices, basic.Links.Values, basic.Nodes.Values,
            [
                new Endpoint("cam-buehne", "Kamera Bühne", EndpointKind.Camera, CameraMac, "mogli-01", "ge-0/0/1", []),
                new Endpoint("luft-1", "Luftsensor 1", EndpointKind.Sensor, "02-00-00-00-00-02", "mogli-01", "ge-0/0/2", []) { Address = "127.0.0.1" },
            ],
            basic.Events.Values);
    }
}
