using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using static NetOps.Alerting.Tests.AlertHarness;

namespace NetOps.Alerting.Tests;

/// <summary>The default NodeRuntimeLow rule takes its threshold from the node's class, not from a fixed number.</summary>
public sealed class NodeClassAlertTests
{
    private static readonly NodeClassPolicy Stage = new("stage",
        BatteryPct: new Threshold(60, 35, 2, HigherIsWorse: false),
        RuntimeLeftS: new Threshold(4 * 3600, 3600, 300, HigherIsWorse: false));

    [Theory]
    [InlineData(null, 2400, false)]     // default class: critical below 30 min, 40 min left is fine
    [InlineData(null, 1500, true)]
    [InlineData("stage", 2400, true)]   // stage class: critical below 1 h
    [InlineData("stage", 3700, false)]
    public async Task NodeRuntimeLow_FiresBelowTheNodeClassesCriticalRuntime(string? nodeClass, double runtimeLeftS, bool fires)
    {
        await using var alerts = await StartAsync();
        alerts.Inventory.Current = AlertFleet.Build(Start, policy: new HealthPolicy([], [LinkClassPolicy.Default], [NodeClassPolicy.Default, Stage]),
            mogli1Class: nodeClass);

        await alerts.SetAsync(alerts.Now(EntityRef.Node("mogli-1"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery, ("battery_pct", 70)),
            ("runtime_left_s", runtimeLeftS)));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(fires, alerts.Book.Open.Any(a => a.Rule == "NodeRuntimeLow" && a.Subject == "node:mogli-1"));
    }

    [Fact]
    public void ClassCondition_UsesItsOwnNumber_ForEntitiesWithoutAClassThreshold()
    {
        var condition = new MetricCondition(NodeClassPolicy.RuntimeMetric, Below: true, 1800) { FromClass = ClassThreshold.Critical };
        var state = new EntityState(EntityRef.Node("n"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery), Start, Start, "test",
            TimeSpan.FromMinutes(1)) { Metrics = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create(NodeClassPolicy.RuntimeMetric, 2400.0)]) };

        Assert.False(condition.Holds(state));
        Assert.True(condition.Holds(state, Stage));
        Assert.Equal(3600, condition.ThresholdFor(Stage));
        Assert.Equal("runtime_left_s below class.critical", condition.ToString());
    }
}
