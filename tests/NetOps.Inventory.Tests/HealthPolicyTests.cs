using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

/// <summary>The inventory's health section: poll plans and link classes, each error at its file, line and field.</summary>
public sealed class HealthPolicyTests
{
    private const string Fleet = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: rainbow-ro }
        sites:
          - { id: rathaus, name: Rathaus }
        devices:
          - { id: core-rathaus, class: core, site: rathaus, address: 127.77.0.1, ports: [Te1/0/1] }
          - { id: acc-nord, class: access, site: rathaus, address: 127.77.1.1, ports: [Te1/1/1] }
        links:
          - id: core-acc-nord
            class: backbone
            a: { device: core-rathaus, port: Te1/0/1 }
            b: { device: acc-nord, port: Te1/1/1 }
        """;

    private const string Health = """
        health:
          plans:
            access:
              - { sections: [interfaces], every: 10s }
              - { sections: [optics], every: 1m }
              - { sections: [neighbours, forwarding, poe], every: 5m }
          link_classes:
            backbone:
              utilisation: { warning: 60, critical: 85, hysteresis: 5 }
              errors_per_second: { warning: 0.1, critical: 5 }
              optical_margin_db: { warning: 4, critical: 2, hysteresis: 0.5 }
              rx_sensitivity_dbm: -20
        """;

    [Fact]
    public void HealthSection_GivesPlansPerDeviceClass_AndThresholdsPerLinkClass()
    {
        var result = Load(("a.yaml", Fleet), ("health.yaml", Health));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var policy = result.Inventory!.Policy;
        var access = policy.PlanFor(DeviceClass.Access);
        Assert.Equal(
            [
                new PollTask(PollSections.Interfaces, TimeSpan.FromSeconds(10)),
                new PollTask(PollSections.Optics, TimeSpan.FromMinutes(1)),
                new PollTask(PollSections.Neighbours | PollSections.Forwarding | PollSections.Poe, TimeSpan.FromMinutes(5)),
            ], access.Tasks);
        Assert.Equal(HealthPolicy.Default.PlanFor(DeviceClass.Core).Tasks, policy.PlanFor(DeviceClass.Core).Tasks);

        var link = result.Inventory.Links["core-acc-nord"];
        Assert.Equal("backbone", link.Class);
        var backbone = policy.LinkClass(link.Class);
        Assert.Equal(new Threshold(60, 85, 5), backbone.Utilisation);
        Assert.Equal(new Threshold(0.1, 5, LinkClassPolicy.Default.ErrorsPerSecond.Hysteresis), backbone.ErrorsPerSecond);
        Assert.Equal(new Threshold(4, 2, 0.5, HigherIsWorse: false), backbone.OpticalMarginDb);
        Assert.Equal(-20, backbone.RxSensitivityDbm);
    }

    [Fact]
    public void NoHealthSection_IsTheDefaultPolicy_AndALinkClassMustBeDefined()
    {
        var plain = Load(("a.yaml", Fleet.Replace("    class: backbone\n", "", StringComparison.Ordinal)));
        Assert.True(plain.Succeeded, string.Join('\n', plain.Errors));
        Assert.Same(HealthPolicy.Default, plain.Inventory!.Policy);

        var error = Assert.Single(Load(("a.yaml", Fleet)).Errors);
        Assert.Equal("a.yaml:10: links[0].class: unknown link class 'backbone' (health.link_classes has: default)", error.ToString());
    }

    [Theory]
    [InlineData("- { sections: [interfaces], every: 10s }", "- { sections: [interfaces, lldp], every: 10s }", 4,
        "health.plans.access[0].sections[1]", "'lldp' is not a poll section")]
    [InlineData("- { sections: [optics], every: 1m }", "- { sections: [optics], every: soon }", 5,
        "health.plans.access[1].every", "'soon' is not a duration")]
    [InlineData("- { sections: [optics], every: 1m }", "- { sections: [optics], every: 100ms }", 5,
        "health.plans.access[1].every", "at least 1s")]
    [InlineData("    access:", "    switch:", 3, "health.plans.switch", "'switch' is not a device class")]
    [InlineData("utilisation: { warning: 60, critical: 85, hysteresis: 5 }", "utilisation: { warning: 60, critical: 50, hysteresis: 5 }", 9,
        "health.link_classes.backbone.utilisation.critical", "critical (50) must be at least warning (60)")]
    [InlineData("{ warning: 4, critical: 2, hysteresis: 0.5 }", "{ warning: 2, critical: 4, hysteresis: 0.5 }", 11,
        "health.link_classes.backbone.optical_margin_db.critical", "a smaller margin is worse")]
    [InlineData("{ warning: 0.1, critical: 5 }", "{ warning: lots, critical: 5 }", 10,
        "health.link_classes.backbone.errors_per_second.warning", "'lots' is not a number")]
    [InlineData("      rx_sensitivity_dbm: -20", "      rx_sensitivity: -20", 12,
        "health.link_classes.backbone.rx_sensitivity", "unknown key 'rx_sensitivity'")]
    [InlineData("- { sections: [interfaces], every: 10s }", "- { sections: [optics], every: 10s }", 4,
        "health.plans.access", "a plan must poll interfaces")]
    public void BadHealthSection_NamesFileLineAndField(string good, string bad, int line, string field, string message)
    {
        var result = Load(("a.yaml", Fleet), ("health.yaml", Health.Replace(good, bad, StringComparison.Ordinal)));

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal("health.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondHealthSection_IsRefused()
    {
        var error = Assert.Single(Load(("a.yaml", Fleet), ("health.yaml", Health), ("more.yaml", "health:\n  plans: {}\n")).Errors);

        Assert.Equal("more.yaml", error.File);
        Assert.Equal("health is already set at health.yaml:2; keep one", error.Message);
    }

    [Fact]
    public void EndpointAddress_IsAnIpAddress()
    {
        var mogli = """
            devices:
              - { id: mogli-01-sw, class: mobile-switch, node: mogli-01, address: 127.77.3.1, snmp: { version: v2c, port: 16161, credential: mogli-ro }, ports: [ge-0/0/1] }
            nodes:
              - { id: mogli-01, device: mogli-01-sw, report_interval: 10s }
            endpoints:
              - { id: cam-1, kind: camera, mac: "ac:cc:8e:00:00:01", node: mogli-01, planned_port: ge-0/0/1, address: 127.0.0.5 }
              - { id: cam-2, kind: camera, mac: "ac:cc:8e:00:00:02", node: mogli-01, address: camera-2.local }
            """;

        var result = Load(("a.yaml", Fleet.Replace("    class: backbone\n", "", StringComparison.Ordinal)), ("m.yaml", mogli));

        var error = Assert.Single(result.Errors, e => e.Field.EndsWith("address", StringComparison.Ordinal));
        Assert.True(result.Errors.Count == 1, string.Join('\n', result.Errors));
        Assert.Equal("m.yaml:7: endpoints[1].address: 'camera-2.local' is not an IP address", error.ToString());
        var good = Load(("a.yaml", Fleet.Replace("    class: backbone\n", "", StringComparison.Ordinal)),
            ("m.yaml", mogli.Replace("address: camera-2.local", "address: \"::1\"", StringComparison.Ordinal)));
        Assert.True(good.Succeeded, string.Join('\n', good.Errors));
        Assert.Equal("127.0.0.5", good.Inventory!.Endpoints["cam-1"].Address);
    }

    private static InventoryLoadResult Load(params (string File, string Text)[] files) =>
        new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .Load([.. files.Select(f => new InventorySource(f.File, f.Text))]);
}
