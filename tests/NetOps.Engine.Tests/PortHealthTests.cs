using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

/// <summary>Port rates in the engine: thresholds of the link class with hysteresis, and dropped deltas shown as such.</summary>
public sealed class PortHealthTests
{
    private const ulong BytesPerSecondAt1Percent = 1_250_000; // 1 % of 1 Gbit/s
    private static readonly EntityRef Port = EntityRef.Port("acc", "Te1/1/1");
    private readonly FakeTimeProvider _clock = new(Fleet.Start);
    private readonly StateEngine _engine;
    private long _sequence;
    private ulong _octets;
    private ulong _errors;
    private ulong _ticks = 100_000;

    public PortHealthTests()
    {
        _engine = new StateEngine(_clock);
        var edge = new LinkClassPolicy("edge",
            Utilisation: new Threshold(Warning: 70, Critical: 90, Hysteresis: 5),
            ErrorsPerSecond: new Threshold(Warning: 1, Critical: 10, Hysteresis: 0.5),
            OpticalMarginDb: LinkClassPolicy.Default.OpticalMarginDb);
        var fleet = Fleet.Build();
        _engine.SetInventory(new FleetInventory(fleet.Sites.Values, fleet.Devices.Values,
            fleet.Links.Values.Select(l => l.Id == "core--acc" ? l with { Class = "edge" } : l), fleet.Nodes.Values, fleet.Endpoints.Values,
            fleet.Events.Values, new HealthPolicy(HealthPolicy.Default.Plans.Values, [edge])));
        _engine.Apply(Fleet.Poll(Next(), _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        PollAcc(percent: 0);
    }

    [Fact]
    public void Utilisation_OscillatingAtTheWarningThreshold_DoesNotFlap()
    {
        var values = new List<StateValue>();
        foreach (var percent in new[] { 69.5, 70.5, 69.5, 70.5, 67, 70.5, 66 })
        {
            PollAcc(percent);
            values.Add(_engine.Get(Port)!.Value);
        }

        Assert.Equal([StateValue.Up, StateValue.Degraded, StateValue.Degraded, StateValue.Degraded, StateValue.Degraded,
            StateValue.Degraded, StateValue.Degraded], values);
        var port = _engine.Get(Port)!;
        Assert.Equal(ReasonCodes.PortUtilisationHigh, port.Reason.Code);
        Assert.Equal("warning", port.Reason["level"]);
        Assert.Equal("edge", port.Reason["class"]);

        PollAcc(64);
        Assert.Equal(StateValue.Up, _engine.Get(Port)!.Value);
        Assert.Equal(ReasonCodes.PortOperUp, _engine.Get(Port)!.Reason.Code);
    }

    [Fact]
    public void DegradedPort_KeepsItsSince_WhileTheLevelHolds_AndDegradesItsLink()
    {
        PollAcc(95);
        var since = _engine.Get(Port)!.Since;
        PollAcc(93);
        PollAcc(96);

        var port = _engine.Get(Port)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.Equal("critical", port.Reason["level"]);
        Assert.Equal(since, port.Since);
        var link = _engine.Get(EntityRef.Link("core--acc"))!;
        Assert.Equal(StateValue.Degraded, link.Value);
        Assert.Equal(ReasonCodes.PortUtilisationHigh, link.Reason["cause"]);
    }

    [Fact]
    public void Errors_AboveTheClassThreshold_DegradeThePort()
    {
        PollAcc(10, errorsPerSecond: 2);

        var port = _engine.Get(Port)!;
        Assert.Equal(StateValue.Degraded, port.Value);
        Assert.Equal(ReasonCodes.PortErrorsHigh, port.Reason.Code);
        Assert.Equal(2, port.Metrics["errors_ps"], precision: 3);

        PollAcc(10, errorsPerSecond: 0.6);
        Assert.Equal(StateValue.Degraded, _engine.Get(Port)!.Value);
        PollAcc(10, errorsPerSecond: 0);
        Assert.Equal(StateValue.Up, _engine.Get(Port)!.Value);
    }

    [Fact]
    public void Reboot_DrawsNoRate_AndSaysWhy_ThenRatesResume()
    {
        PollAcc(20);
        Assert.Equal(20, _engine.Get(Port)!.Metrics["utilisation_pct"], precision: 1);

        _ticks = 50;
        _octets = 1_000;
        PollAcc(20);
        var port = _engine.Get(Port)!;
        Assert.False(port.Metrics.ContainsKey("in_bps"));
        Assert.Equal(1, port.Metrics["discontinuity"]);
        Assert.Equal("reboot", port.Attributes["discontinuity"]);

        PollAcc(20);
        port = _engine.Get(Port)!;
        Assert.Equal(20, port.Metrics["utilisation_pct"], precision: 1);
        Assert.False(port.Attributes.ContainsKey("discontinuity"));
    }

    [Fact]
    public void ColdStartTrap_DropsTheNextDelta()
    {
        _engine.Apply(new DeviceNotificationObservation("traps#1", 1, _clock.GetUtcNow(), "acc", NotificationKind.ColdStart,
            "1.3.6.1.6.3.1.1.5.1", null, []));
        PollAcc(20);

        Assert.Equal("restart-notified", _engine.Get(Port)!.Attributes["discontinuity"]);
        Assert.False(_engine.Get(Port)!.Metrics.ContainsKey("in_bps"));
    }

    [Fact]
    public void Alias_IsKeptAsCleanText_AndTheCounterWidthIsShown()
    {
        _clock.Advance(TimeSpan.FromSeconds(10));
        _engine.Apply(new DevicePollObservation("collector#1", Next(), _clock.GetUtcNow(), "acc", true, TimeSpan.FromHours(2), null,
            [new PortSample("Te1/1/1", 1, true, true, 0, 0, 1_000) { CounterBits = 32, Alias = "uplink\u0007 to <core>\n" }], Fleet.Fresh));

        var port = _engine.Get(Port)!;
        Assert.Equal("uplink to <core>", port.Attributes["alias"]);
        Assert.Equal("32-bit", port.Attributes["counters"]);
    }

    private long Next() => ++_sequence;

    private void PollAcc(double percent, double errorsPerSecond = 0)
    {
        _clock.Advance(TimeSpan.FromSeconds(10));
        _ticks += 1_000;
        _octets += (ulong)(percent * BytesPerSecondAt1Percent * 10);
        _errors += (ulong)Math.Round(errorsPerSecond * 10);
        var sample = new PortSample("Te1/1/1", 1, true, true, _octets, _octets / 2, 1_000) { InErrors = _errors, OutErrors = 0 };
        _engine.Apply(new DevicePollObservation("collector#1", Next(), _clock.GetUtcNow(), "acc", true,
            TimeSpan.FromMilliseconds(_ticks * 10), null, [sample], Fleet.Fresh));
    }
}
