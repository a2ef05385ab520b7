using NetOps.Core.Alerts;
using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

/// <summary>Node classes: a node's <c>class</c> and the health section's <c>node_classes</c>, each error at its file, line and field.</summary>
public sealed class NodeClassTests
{
    private const string Mogli = """
        devices:
          - { id: mogli-01-sw, class: mobile-switch, node: mogli-01, address: 127.77.3.1, snmp: { version: v2c, port: 16161, credential: mogli-ro }, ports: [ge-0/0/1] }
          - { id: mogli-02-sw, class: mobile-switch, node: mogli-02, address: 127.77.3.2, snmp: { version: v2c, port: 16161, credential: mogli-ro }, ports: [ge-0/0/1] }
        nodes:
          - id: mogli-01
            class: stage
            report_interval: 10s
          - { id: mogli-02, report_interval: 10s }
        """;

    private const string Health = """
        health:
          node_classes:
            stage:
              battery_pct: { warning: 60, critical: 35, hysteresis: 3 }
              runtime_left: { warning: 4h, critical: 1h, hysteresis: 5m }
            mast:
              runtime_left: { critical: 45m }
        """;

    [Fact]
    public void NodeClasses_GiveBatteryAndRuntimeThresholds_AndANodeWithoutClassIsDefault()
    {
        var result = Load(("m.yaml", Mogli), ("health.yaml", Health));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var inventory = result.Inventory!;
        Assert.Equal("stage", inventory.Nodes["mogli-01"].Class);
        Assert.Equal("default", inventory.Nodes["mogli-02"].Class);
        var stage = inventory.Policy.NodeClass("stage");
        Assert.Equal(new Threshold(60, 35, 3, HigherIsWorse: false), stage.BatteryPct);
        Assert.Equal(new Threshold(4 * 3600, 3600, 300, HigherIsWorse: false), stage.RuntimeLeftS);
        // Fields left out keep the built-in default's; the built-in default class is there without being defined.
        var mast = inventory.Policy.NodeClass("mast");
        Assert.Equal(NodeClassPolicy.Default.BatteryPct, mast.BatteryPct);
        Assert.Equal(NodeClassPolicy.Default.RuntimeLeftS with { Critical = 2700 }, mast.RuntimeLeftS);
        Assert.Same(NodeClassPolicy.Default, inventory.Policy.NodeClass("default"));
        Assert.Equal(new Threshold(40, 20, 2, HigherIsWorse: false), NodeClassPolicy.Default.BatteryPct);
        Assert.Equal(new Threshold(7200, 1800, 300, HigherIsWorse: false), NodeClassPolicy.Default.RuntimeLeftS);
    }

    [Fact]
    public void DefaultClass_CanBeRedefined()
    {
        var result = Load(("m.yaml", Mogli), ("health.yaml", Health + "\n    default:\n      battery_pct: { warning: 50, critical: 25 }\n"));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.Equal(new Threshold(50, 25, 2, HigherIsWorse: false), result.Inventory!.Policy.NodeClass("mogli-02-has-none").BatteryPct);
    }

    [Fact]
    public void UnknownNodeClass_NamesFileLineAndField_AndTheKnownClasses()
    {
        var result = Load(("m.yaml", Mogli.Replace("class: stage", "class: stge", StringComparison.Ordinal)), ("health.yaml", Health));

        var error = Assert.Single(result.Errors);
        Assert.Equal("m.yaml:6: nodes[0].class: unknown node class 'stge' (health.node_classes has: default, mast, stage)", error.ToString());
    }

    [Fact]
    public void NodeClass_WithoutHealthSection_OnlyDefaultIsKnown()
    {
        var error = Assert.Single(Load(("m.yaml", Mogli)).Errors);

        Assert.Equal("m.yaml:6: nodes[0].class: unknown node class 'stage' (health.node_classes has: default)", error.ToString());
        Assert.True(Load(("m.yaml", Mogli.Replace("class: stage", "class: default", StringComparison.Ordinal))).Succeeded);
    }

    [Theory]
    [InlineData("battery_pct: { warning: 60, critical: 35, hysteresis: 3 }", "battery_pct: { warning: 30, critical: 35, hysteresis: 3 }", 4,
        "health.node_classes.stage.battery_pct.critical", "critical (35) must be at most warning (30): less is worse")]
    [InlineData("battery_pct: { warning: 60, critical: 35, hysteresis: 3 }", "battery_pct: { warning: 160, critical: 35, hysteresis: 3 }", 4,
        "health.node_classes.stage.battery_pct", "percentages from 0 to 100")]
    [InlineData("battery_pct: { warning: 60, critical: 35, hysteresis: 3 }", "battery_pct: { warning: many, critical: 35, hysteresis: 3 }", 4,
        "health.node_classes.stage.battery_pct.warning", "'many' is not a number")]
    [InlineData("{ warning: 4h, critical: 1h, hysteresis: 5m }", "{ warning: 4h, critical: soon, hysteresis: 5m }", 5,
        "health.node_classes.stage.runtime_left.critical", "'soon' is not a duration")]
    [InlineData("{ warning: 4h, critical: 1h, hysteresis: 5m }", "{ warning: 30m, critical: 1h, hysteresis: 5m }", 5,
        "health.node_classes.stage.runtime_left.critical", "critical (1 h 00 min) must be at most warning (30 min)")]
    [InlineData("      runtime_left: { critical: 45m }", "      runtime: { critical: 45m }", 7,
        "health.node_classes.mast.runtime", "unknown key 'runtime'")]
    [InlineData("    mast:", "    Mast!:", 6, "health.node_classes.Mast!", "is not a node class name")]
    public void BadNodeClass_NamesFileLineAndField(string good, string bad, int line, string field, string message)
    {
        var result = Load(("m.yaml", Mogli.Replace("class: stage", "class: default", StringComparison.Ordinal)),
            ("health.yaml", Health.Replace(good, bad, StringComparison.Ordinal)));

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal("health.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlertMetric_CanTakeItsThresholdFromTheNodeClass()
    {
        const string alerting = """
            alerting:
              rules:
                - { name: NodeBatteryLow, target: node, severity: warning, states: [degraded], metric: { name: battery_pct, below: class.warning } }
                - { name: TempHigh, target: node, severity: warning, states: [degraded], metric: { name: enclosure_temp_c, above: class.critical } }
            """;

        var result = Load(("m.yaml", Mogli.Replace("class: stage", "class: default", StringComparison.Ordinal)), ("alerting.yaml", alerting));

        var error = Assert.Single(result.Errors);
        Assert.Equal(("alerting.yaml", 4), (error.File, error.Line));
        Assert.Contains("'enclosure_temp_c' has no node class threshold", error.Message, StringComparison.Ordinal);
        var good = Load(("m.yaml", Mogli.Replace("class: stage", "class: default", StringComparison.Ordinal)),
            ("alerting.yaml", alerting[..alerting.IndexOf("    - { name: TempHigh", StringComparison.Ordinal)]));
        Assert.True(good.Succeeded, string.Join('\n', good.Errors));
        var metric = Assert.Single(good.Inventory!.Alerting.Rules, r => r.Name == "NodeBatteryLow").Metric!;
        Assert.Equal((NodeClassPolicy.BatteryMetric, true, ClassThreshold.Warning), (metric.Metric, metric.Below, metric.FromClass));
        Assert.Equal(NodeClassPolicy.Default.BatteryPct.Warning, metric.Threshold);
    }

    private static InventoryLoadResult Load(params (string File, string Text)[] files) =>
        new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .Load([.. files.Select(f => new InventorySource(f.File, f.Text))]);
}
