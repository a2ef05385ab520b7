using System.Collections.Immutable;
using NetOps.Core.Events;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Core.Tests;

/// <summary>A node's power and uplink against its node class: source, level, hysteresis and the gap's reason in words.</summary>
public sealed class NodePowerTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);
    private static readonly ReasonText Text = new(TimeZoneInfo.Utc);

    private static readonly NodeClassPolicy Stage = new("stage",
        BatteryPct: new Threshold(60, 35, 2, HigherIsWorse: false),
        RuntimeLeftS: new Threshold(4 * 3600, 3600, 300, HigherIsWorse: false));

    [Fact]
    public void OnMainsAndFibre_IsOk_WithoutGap_WhateverTheBattery()
    {
        var power = NodePower.Of(Report(mains: true, battery: 10, runtime: TimeSpan.FromMinutes(5)), NodeClassPolicy.Default, Text);

        Assert.Equal((NodePowerSource.Mains, HealthLevel.Ok, NodeUplink.Fibre, (string?)null), (power.Source, power.Level, power.Uplink, power.Gap));
        Assert.Equal(10, power.BatteryPct);
    }

    [Theory]
    [InlineData(80, 300, HealthLevel.Ok, "on battery, 80 %, 5 h 00 min left")]
    [InlineData(35, 180, HealthLevel.Warning, "on battery, 35 % (warning at or below 40 %), 3 h 00 min left")]
    [InlineData(18, 35, HealthLevel.Critical, "on battery, 18 % (critical at or below 20 %), 35 min left (warning at or below 2 h 00 min)")]
    [InlineData(60, 20, HealthLevel.Critical, "on battery, 60 %, 20 min left (critical at or below 30 min)")]
    public void OnBattery_LevelIsTheWorseOfBatteryAndRuntime(double pct, int minutesLeft, HealthLevel level, string gap)
    {
        var power = NodePower.Of(Report(mains: false, battery: pct, runtime: TimeSpan.FromMinutes(minutesLeft)), NodeClassPolicy.Default, Text);

        Assert.Equal(NodePowerSource.Battery, power.Source);
        Assert.Equal(TimeSpan.FromMinutes(minutesLeft), power.RuntimeLeft);
        Assert.Equal(level, power.Level);
        Assert.Equal(gap, power.Gap);
    }

    [Fact]
    public void Thresholds_AreTheNodeClasses()
    {
        var state = Report(mains: false, battery: 50, runtime: TimeSpan.FromMinutes(150));

        Assert.Equal(HealthLevel.Ok, NodePower.Of(state, NodeClassPolicy.Default, Text).Level);
        var stage = NodePower.Of(state, Stage, Text);
        Assert.Equal(HealthLevel.Warning, stage.Level);
        Assert.Equal("on battery, 50 % (warning at or below 60 %), 2 h 30 min left (warning at or below 4 h 00 min)", stage.Gap);
    }

    [Theory]
    [InlineData(21, HealthLevel.Critical, HealthLevel.Critical)]  // within the 2 % band above critical: stays critical
    [InlineData(23, HealthLevel.Critical, HealthLevel.Warning)]
    [InlineData(21, HealthLevel.Ok, HealthLevel.Warning)]
    public void BatteryLevel_ClearsOnlyPastTheHysteresis(double pct, HealthLevel previous, HealthLevel expected)
    {
        var state = Report(mains: false, battery: pct, runtime: TimeSpan.FromHours(3));

        Assert.Equal(expected, NodePower.Of(state, NodeClassPolicy.Default, Text, previous).Level);
    }

    [Fact]
    public void Lte_IsAWarningGap_AndNoUplinkCritical()
    {
        var lte = NodePower.Of(Report(mains: true, uplink: UplinkKind.Lte), NodeClassPolicy.Default, Text);
        Assert.Equal((NodeUplink.Lte, HealthLevel.Warning, "LTE fallback: the fibre uplink is down"), (lte.Uplink, lte.Level, lte.Gap));

        var both = NodePower.Of(Report(mains: false, battery: 70, runtime: TimeSpan.FromHours(4), uplink: UplinkKind.Lte), NodeClassPolicy.Default, Text);
        Assert.Equal("on battery, 70 %, 4 h 00 min left; LTE fallback: the fibre uplink is down", both.Gap);

        var none = NodePower.Of(Report(mains: true, uplink: UplinkKind.None) with
            { Value = StateValue.Down, Reason = Reason.Of(ReasonCodes.NodeNoUplink, ("node", "n-1")) }, NodeClassPolicy.Default, Text);
        Assert.Equal((NodeUplink.None, HealthLevel.Critical, "no uplink"), (none.Uplink, none.Level, none.Gap));
    }

    [Fact]
    public void SilentNode_IsCritical_WithItsLastReportTime()
    {
        var offline = Report(mains: false, battery: 30, runtime: TimeSpan.FromHours(1)) with
            { Value = StateValue.Down, Reason = Reason.Of(ReasonCodes.NodeOffline, ("node", "n-1")) };

        var power = NodePower.Of(offline, NodeClassPolicy.Default, Text);

        Assert.Equal((NodePowerSource.Unknown, NodeUplink.Unknown, HealthLevel.Critical), (power.Source, power.Uplink, power.Level));
        Assert.Equal("not reporting since 2026-06-05 16:00: offline (connection lost)", power.Gap);
        Assert.Equal("not reporting: no report yet", NodePower.Of(null, NodeClassPolicy.Default, Text).Gap);
    }

    [Fact]
    public void ZoneGaps_ListDeployedNodesWithPowerOrUplinkProblems_AndUnreachableEndpoints()
    {
        var zone = new Zone("stage", "Stage");
        Assignment[] here = [new("kerwe", "stage", At.AddDays(-1), At.AddDays(1))];
        Assignment[] later = [new("kerwe", "stage", At.AddDays(1), At.AddDays(2))];
        var n1 = new MobileNode("n-1", "Node 1", null, TimeSpan.FromSeconds(10), here) { Class = "stage" };
        var n2 = new MobileNode("n-2", "Node 2", null, TimeSpan.FromSeconds(10), here);
        var n3 = new MobileNode("n-3", "Node 3", null, TimeSpan.FromSeconds(10), later);
        Endpoint Cam(string id) => new(id, "Camera " + id, EndpointKind.Camera, "00:00:00:00:00:01", "n-1", "ge-0/0/1", here);
        var camDown = new EntityState(EntityRef.Endpoint("c-2"), StateValue.Down,
            Reason.Of(ReasonCodes.EndpointPortDown, ("device", "sw-1"), ("port", "ge-0/0/2"), ("since", "2026-06-05T15:58:00Z")), At, At, "test", TimeSpan.FromMinutes(1));
        var coverage = new ZoneCoverage(zone,
            [
                new NodeCoverage(n1, true, Report(mains: false, battery: 50, runtime: TimeSpan.FromHours(5))),
                new NodeCoverage(n2, true, Report(mains: true)),
                new NodeCoverage(n3, false, null),
            ],
            [
                new EndpointCoverage(Cam("c-1"), true, Report(mains: true) with { Entity = EntityRef.Endpoint("c-1") }),
                new EndpointCoverage(Cam("c-2"), true, camDown),
                new EndpointCoverage(Cam("c-3"), true, null),
                new EndpointCoverage(Cam("c-4"), false, null),
            ]);
        var policy = new HealthPolicy([], [LinkClassPolicy.Default], [NodeClassPolicy.Default, Stage]);

        var gaps = coverage.Gaps(policy, Text);

        Assert.Equal(
            [
                new CoverageGap(EntityRef.Node("n-1"), "Node 1", "on battery, 50 % (warning at or below 60 %), 5 h 00 min left"),
                new CoverageGap(EntityRef.Endpoint("c-2"), "Camera c-2", "port ge-0/0/2 on sw-1 down since 2026-06-05 15:58"),
                new CoverageGap(EntityRef.Endpoint("c-3"), "Camera c-3", "no evidence yet"),
            ], gaps);
        Assert.Same(NodePower.NotDeployed, coverage.Nodes[2].Power(policy, Text));
    }

    private static EntityState Report(bool mains, double? battery = null, TimeSpan? runtime = null, UplinkKind uplink = UplinkKind.Fibre)
    {
        var metrics = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        metrics["on_mains"] = mains ? 1 : 0;
        metrics["uplink"] = (double)uplink;
        if (battery is { } pct)
        {
            metrics["battery_pct"] = pct;
        }

        if (runtime is { } left)
        {
            metrics["runtime_left_s"] = left.TotalSeconds;
        }

        var value = mains && uplink == UplinkKind.Fibre ? StateValue.Up : StateValue.Degraded;
        return new EntityState(EntityRef.Node("n-1"), value, Reason.Of(ReasonCodes.NodeReporting, ("node", "n-1")), At, At, "mqtt",
            TimeSpan.FromSeconds(30)) { Metrics = metrics.ToImmutable() };
    }
}
