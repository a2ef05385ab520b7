using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

/// <summary>Optics in the engine: margin against the device's alarm or the class's sensitivity, with hysteresis.</summary>
public sealed class StateEngineOpticsTests
{
    private static readonly EntityRef AccPort = EntityRef.Port("acc", "Te1/1/1");
    private static readonly EntityRef Link = EntityRef.Link("core--acc");

    private readonly FakeTimeProvider _clock = new(Fleet.Start);
    private readonly StateEngine _engine;
    private long _sequence;

    public StateEngineOpticsTests()
    {
        _engine = new StateEngine(_clock);
        _engine.SetInventory(Fleet.Build());
        Interfaces("core", ("Te1/0/1", true), ("Te1/0/2", true));
        Interfaces("acc", ("Te1/1/1", true));
        Assert.Equal(StateValue.Up, _engine.Get(Link)!.Value);
    }

    [Fact]
    public void MarginBelowWarning_DegradesThePortAndItsLink_NamingPortRxAndMargin()
    {
        // Class default: receiver sensitivity -18 dBm, warning below 3 dB of margin.
        Optics("acc", Sample("Te1/1/1", rx: -16));

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.Equal(ReasonCodes.PortOpticalMarginLow, port.Reason.Code);
        Assert.Equal("Te1/1/1", port.Reason["port"]);
        Assert.Equal("-16", port.Reason["rx_dbm"]);
        Assert.Equal("2", port.Reason["margin_db"]);
        Assert.Equal("class", port.Reason["floor"]);
        Assert.Equal(nameof(HealthLevel.Warning), port.Reason["level"]);
        Assert.Equal(-16, port.Metrics["rx_dbm"]);
        Assert.Equal(2, port.Metrics["optical_margin_db"]);
        Assert.Equal(-2.3, port.Metrics["tx_dbm"]);

        var link = _engine.Get(Link)!;
        Assert.Equal(StateValue.Degraded, link.Value);
        Assert.Equal(ReasonCodes.LinkEndDegraded, link.Reason.Code);
        Assert.Equal(ReasonCodes.PortOpticalMarginLow, link.Reason["cause"]);
        Assert.Equal("2", link.Reason["margin_db"]);
    }

    [Fact]
    public void MarginBelowCritical_IsCritical()
    {
        Optics("acc", Sample("Te1/1/1", rx: -17.5));

        Assert.Equal(nameof(HealthLevel.Critical), _engine.Get(AccPort)!.Reason["level"]);
    }

    [Fact]
    public void HealthyLevels_AreMetricsOnly()
    {
        Optics("acc", Sample("Te1/1/1", rx: -7.3));

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.Equal(10.7, port.Metrics["optical_margin_db"], 6);
        Assert.Equal(34.2, port.Metrics["temp_c"]);
        Assert.Equal(7.1, port.Metrics["bias_ma"]);
        Assert.Equal(3.28, port.Metrics["voltage_v"]);
        Assert.Equal(StateValue.Up, _engine.Get(Link)!.Value);
    }

    [Fact]
    public void MarginAtTheEdge_DoesNotFlap()
    {
        var levels = new List<StateValue>();
        // 3.2 dB: fine; 2.9: warning; 3.3 and 3.1 stay warning (inside the 0.5 dB band); 3.6 clears.
        foreach (var margin in new[] { 3.2, 2.9, 3.3, 3.1, 3.4, 3.6 })
        {
            Optics("acc", Sample("Te1/1/1", rx: -18 + margin));
            levels.Add(_engine.Get(AccPort)!.Value);
        }

        Assert.Equal(
            [StateValue.Up, StateValue.Degraded, StateValue.Degraded, StateValue.Degraded, StateValue.Degraded, StateValue.Up],
            levels);
        Assert.Equal(StateValue.Up, _engine.Get(Link)!.Value);
        Assert.Equal(ReasonCodes.LinkUp, _engine.Get(Link)!.Reason.Code);
    }

    [Fact]
    public void DeviceAlarmThreshold_IsPreferredOverTheClassSensitivity()
    {
        // -12 dBm is 6 dB above the class's -18, but only 2.4 dB above this transceiver's own low alarm.
        Optics("acc", Sample("Te1/1/1", rx: -12) with { RxPowerLowAlarmDbm = -14.4 });

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.Equal("device", port.Reason["floor"]);
        Assert.Equal("-14.4", port.Reason["floor_dbm"]);
        Assert.Equal(2.4, port.Metrics["optical_margin_db"], 6);

        // And the other way: a sensitive receiver (alarm at -22) is fine at -16 where the class would warn.
        Optics("acc", Sample("Te1/1/1", rx: -16) with { RxPowerLowAlarmDbm = -22 });
        Assert.Equal(StateValue.Up, _engine.Get(AccPort)!.Value);
    }

    [Fact]
    public void LinkClassSensitivity_IsTheFallback()
    {
        var policy = new HealthPolicy([], [LinkClassPolicy.Default with { Name = "backbone", RxSensitivityDbm = -24 }]);
        var fleet = Fleet.Build();
        var links = fleet.Links.Values.Select(l => l.Id == "core--acc" ? l with { Class = "backbone" } : l).ToList();
        _engine.SetInventory(new FleetInventory(fleet.Sites.Values, fleet.Devices.Values, links, fleet.Nodes.Values,
            fleet.Endpoints.Values, fleet.Events.Values, policy));

        Optics("acc", Sample("Te1/1/1", rx: -16));

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.Equal(8, port.Metrics["optical_margin_db"]);
    }

    [Fact]
    public void AdminDownPort_RaisesNothing_AndClearsWhatItHad()
    {
        Optics("acc", Sample("Te1/1/1", rx: -17.5));
        Assert.Equal(StateValue.Degraded, _engine.Get(AccPort)!.Value);

        Interfaces("acc", ("Te1/1/1", true), adminDown: true);
        Optics("acc", Sample("Te1/1/1", rx: -40));
        Assert.Equal(StateValue.Inactive, _engine.Get(AccPort)!.Value);
        Assert.Equal(ReasonCodes.PortAdminDown, _engine.Get(AccPort)!.Reason.Code);

        // Switched on again, before the next optics poll: nothing is held against it any more.
        Interfaces("acc", ("Te1/1/1", true));
        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.Equal(ReasonCodes.PortOperUp, port.Reason.Code);
    }

    [Fact]
    public void PortWithoutTransceiver_RaisesNothing()
    {
        Optics("acc");

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.False(port.Metrics.ContainsKey("rx_dbm"));
    }

    [Fact]
    public void TransceiverRemoved_ClearsItsComplaintAndMetrics()
    {
        Optics("acc", Sample("Te1/1/1", rx: -17));
        Assert.Equal(StateValue.Degraded, _engine.Get(AccPort)!.Value);

        Optics("acc");
        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.False(port.Metrics.ContainsKey("optical_margin_db"));
    }

    [Fact]
    public void NonOperationalSensor_IsAWarning()
    {
        Optics("acc", new OpticSample("Te1/1/1", "ENTITY-SENSOR-MIB", null, -2.3, 34, null, null) { SensorsOk = false });

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.Equal(ReasonCodes.PortOpticsSensorFault, port.Reason.Code);
        Assert.Equal(StateValue.Degraded, _engine.Get(Link)!.Value);
    }

    [Fact]
    public void InterfacePoll_KeepsTheComplaint_AndOpticsPollKeepsTheRates()
    {
        Optics("acc", Sample("Te1/1/1", rx: -16.5));
        Interfaces("acc", ("Te1/1/1", true));

        var port = _engine.Get(AccPort)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.True(port.Metrics.ContainsKey("at_ms"));
        Optics("acc", Sample("Te1/1/1", rx: -16.5));
        Assert.True(_engine.Get(AccPort)!.Metrics.ContainsKey("at_ms"));
        Assert.True(_engine.Get(AccPort)!.Metrics.ContainsKey("rx_dbm"));
    }

    private static OpticSample Sample(string port, double rx) => new(port, "ENTITY-SENSOR-MIB", rx, -2.3, 34.2, 7.1, 3.28);

    private void Optics(string device, params OpticSample[] samples)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), device, true, TimeSpan.FromHours(1), null, [],
            Fleet.Fresh)
        {
            Sections = PollSections.Optics,
            Optics = samples,
        });
    }

    private void Interfaces(string device, (string Port, bool Up) port, bool adminDown = false) => Interfaces(device, [port], adminDown);

    private void Interfaces(string device, (string Port, bool Up) a, (string Port, bool Up) b) => Interfaces(device, [a, b], false);

    private void Interfaces(string device, (string Port, bool Up)[] ports, bool adminDown)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), device, true, TimeSpan.FromHours(1), null,
            ports.Select((p, i) => new PortSample(p.Port, i + 1, !adminDown, p.Up, 0, 0, 10_000)).ToList(), Fleet.Fresh));
    }
}
