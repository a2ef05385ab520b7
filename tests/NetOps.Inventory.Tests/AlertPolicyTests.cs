using NetOps.Core.Alerts;
using NetOps.Core.State;

namespace NetOps.Inventory.Tests;

/// <summary>The inventory's alerting section: rules, timing, flap damping and maintenance windows, each error at its file, line and field.</summary>
public sealed class AlertPolicyTests
{
    private const string Fleet = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: rainbow-ro }
        sites:
          - { id: rathaus, name: Rathaus }
        devices:
          - { id: core-rathaus, class: core, site: rathaus, address: 127.77.0.1, ports: [Te1/0/1] }
        """;

    private const string Alerting = """
        alerting:
          group_wait: 1s
          escalate_after: 10m
          flapping: { changes: 3, within: 5m, stable_for: 2m }
          rules:
            - name: LinkDown
              target: link
              severity: critical
              states: [down]
              for: 5s
              labels: { team: fibre }
              runbook: https://wiki.example/link-down
            - name: NodeRuntimeLow
              target: node
              severity: warning
              states: [degraded]
              metric: { name: runtime_left_s, below: 600 }
          maintenance:
            - id: sunday
              matchers: ['subject=~"device:.*"', 'alertname!="LinkDown"']
              cron: "0 0 3 ? * SUN"
              duration: 1h
            - id: works
              matchers: ['subject="link:core-acc-nord"']
              from: 2026-09-01T08:00:00Z
              until: 2026-09-01T12:00:00Z
        """;

    [Fact]
    public void AlertingSection_ReplacesBuiltInRulesByName_AndKeepsTheOthers()
    {
        var alerting = Load(("a.yaml", Fleet), ("alerting.yaml", Alerting)).GetOrThrow().Alerting;

        var link = Assert.Single(alerting.Rules, r => r.Name == "LinkDown");
        Assert.Equal((RuleTarget.Link, AlertSeverity.Critical, TimeSpan.FromSeconds(5)), (link.Target, link.Severity, link.For));
        Assert.Equal([StateValue.Down], link.States);
        Assert.Equal("fibre", link.Labels["team"]);
        Assert.Equal("alerting.yaml:6", link.Origin);
        Assert.Equal(new MetricCondition("runtime_left_s", Below: true, 600), Assert.Single(alerting.Rules, r => r.Name == "NodeRuntimeLow").Metric);
        Assert.Contains(alerting.Rules, r => r.Name == "DeviceUnreachable");
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)), (alerting.Timing.GroupWait, alerting.Timing.EscalateAfter));
        Assert.Equal(new FlapDamping(3, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)), alerting.Flap);
        Assert.Equal(["subject=~\"device:.*\"", "alertname!=\"LinkDown\""], alerting.Maintenance[0].Matchers.Select(m => m.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 9, 1, 12, 0, 0, TimeSpan.Zero), alerting.Maintenance[1].Until);
    }

    [Fact]
    public void NoAlertingSection_RunsTheBuiltInRules()
    {
        Assert.Same(AlertPolicy.Default, Load(("a.yaml", Fleet)).GetOrThrow().Alerting);
    }

    [Fact]
    public void BuiltInRulesOff_LeavesOnlyTheFilesRules()
    {
        var alerting = Load(("a.yaml", Fleet), ("alerting.yaml", Alerting.Replace("  group_wait: 1s", "  builtin_rules: false", StringComparison.Ordinal)))
            .GetOrThrow().Alerting;

        Assert.Equal(["LinkDown", "NodeRuntimeLow"], alerting.Rules.Select(r => r.Name));
    }

    [Theory]
    [InlineData("target: link", "target: fibre", 7, "alerting.rules[0].target", "'fibre' is not a target")]
    [InlineData("severity: critical", "severity: loud", 8, "alerting.rules[0].severity", "'loud' is not a severity")]
    [InlineData("states: [down]", "states: [broken]", 9, "alerting.rules[0].states[0]", "'broken' is not a state")]
    [InlineData("for: 5s", "for: soon", 10, "alerting.rules[0].for", "'soon' is not a duration")]
    [InlineData("runbook: https://wiki.example/link-down", "runbook: wiki", 12, "alerting.rules[0].runbook", "not an absolute URL")]
    [InlineData("{ name: runtime_left_s, below: 600 }", "{ name: runtime_left_s }", 17, "alerting.rules[1].metric", "exactly one of below or above")]
    [InlineData("\"0 0 3 ? * SUN\"", "\"every sunday\"", 21, "alerting.maintenance[0].cron", "not a Quartz cron expression")]
    [InlineData("'alertname!=\"LinkDown\"'", "'alertname'", 20, "alerting.maintenance[0].matchers[1]", "is not a matcher")]
    [InlineData("until: 2026-09-01T12:00:00Z", "until: 2026-09-01T07:00:00Z", 26, "alerting.maintenance[1].until", "until must be after from")]
    [InlineData("changes: 3", "changes: 1", 4, "alerting.flapping.changes", "at least 2")]
    [InlineData("  group_wait: 1s", "  group_wait: 1s\n  silence_all: true", 3, "alerting.silence_all", "unknown key 'silence_all'")]
    public void BadAlertingSection_NamesFileLineAndField(string good, string bad, int line, string field, string message)
    {
        var result = Load(("a.yaml", Fleet), ("alerting.yaml", Alerting.Replace(good, bad, StringComparison.Ordinal)));

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal(("alerting.yaml", line), (error.File, error.Line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameRuleTwice_IsRefused()
    {
        var twice = Alerting.Replace("    - name: NodeRuntimeLow", "    - name: LinkDown", StringComparison.Ordinal);

        var error = Assert.Single(Load(("a.yaml", Fleet), ("alerting.yaml", twice)).Errors);

        Assert.Equal("rule 'LinkDown' is already defined at alerting.yaml:6", error.Message);
    }

    [Fact]
    public async Task DemoInventory_AlertingSectionLoads()
    {
        var demo = await Demo.Loader().LoadDirectoryAsync(Demo.Directory, CancellationToken.None);

        var alerting = demo.GetOrThrow().Alerting;
        Assert.Contains(alerting.Rules, r => r.Name == "LinkDown" && r.Runbook is not null);
        Assert.Equal("nord-sunday-updates", Assert.Single(alerting.Maintenance).Id);
    }

    private static InventoryLoadResult Load(params (string File, string Text)[] files) =>
        new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .Load([.. files.Select(f => new InventorySource(f.File, f.Text))]);
}
