using NetOps.Core.Alerts;
using NetOps.Core.State;
using static NetOps.Alerting.Tests.AlertHarness;

namespace NetOps.Alerting.Tests;

/// <summary>The rule matrix: each built-in rule fires on its condition, after its hold-down, and only there.</summary>
public sealed class AlertRuleTests
{
    public static TheoryData<string, string[]> Conditions => new()
    {
        { "link-down", ["LinkDown link:core-acc-nord"] },
        { "link-degraded", ["LinkDegraded link:acc-site"] },
        { "link-miswired", ["LinkMiswired link:acc-site"] },
        { "device-unreachable", ["DeviceUnreachable device:sw-site"] },
        { "port-utilisation", ["PortUtilisationHigh port:acc-nord/Gi1/0/1"] },
        { "port-errors", ["PortErrorsHigh port:acc-nord/Gi1/0/1"] },
        { "optics", ["OpticalMarginLow port:core/Te1/0/1"] },
        { "node-battery", ["NodeOnBattery node:mogli-1"] },
        { "node-runtime-low", ["NodeOnBattery node:mogli-1", "NodeRuntimeLow node:mogli-1"] },
        { "node-lte", ["NodeOnLte node:mogli-1"] },
        { "node-silent", ["NodeSilent node:mogli-1"] },
        { "camera-down-live-event", ["EndpointUnreachable endpoint:cam-2", "ZoneCoverageLow zone:kerwe/stage"] },
        { "camera-down-event-not-live", [] },
        { "port-down-alone", [] },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task Rule_FiresOnItsCondition_AfterItsHoldDown(string condition, string[] expected)
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(ConditionOf(alerts, condition));

        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(expected.Order(StringComparer.Ordinal), alerts.Book.Open.Select(a => $"{a.Rule} {a.Subject}").Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(e => "Firing " + e).Order(StringComparer.Ordinal), alerts.Pager.Take().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DeviceUnreachable_WaitsForItsHoldDown_AndSaysWhy()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(ConditionOf(alerts, "device-unreachable"));

        await alerts.StepAsync(TimeSpan.FromSeconds(20));
        Assert.Empty(alerts.Book.Open);

        await alerts.StepAsync(TimeSpan.FromSeconds(10));
        var alert = Assert.Single(alerts.Book.Open);
        Assert.Equal("sw-site not responding (timeout)", alert.Summary);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Equal("critical", alert.Labels[AlertLabels.Severity]);
    }

    [Fact]
    public async Task ConditionGoneBeforeItsHoldDown_FiresNothing()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(ConditionOf(alerts, "device-unreachable"));
        await alerts.StepAsync(TimeSpan.FromSeconds(20));

        await alerts.SetAsync(alerts.Now(EntityRef.Device("sw-site"), StateValue.Up, Reason.Of(ReasonCodes.DeviceResponding)));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));

        Assert.Empty(alerts.Book.Open);
        Assert.Empty(alerts.Pager.Take());
    }

    [Fact]
    public async Task UnknownState_NeitherResolvesNorFires()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(ConditionOf(alerts, "node-silent"));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));
        Assert.Single(alerts.Book.Open);

        // No evidence either way (a restarted collector, say): the alert stays as it is.
        await alerts.SetAsync(alerts.Now(EntityRef.Node("mogli-1"), StateValue.Unknown, Reason.Of(ReasonCodes.NoEvidence)));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));

        Assert.Single(alerts.Book.Open);
        Assert.Equal(["Firing NodeSilent node:mogli-1"], alerts.Pager.Take());
    }

    internal static EntityState[] ConditionOf(AlertHarness alerts, string condition)
    {
        var camDown = Reason.Of(ReasonCodes.EndpointPortDown, ("device", "mogli-1-sw"), ("port", "ge-0/0/2"), ("since", Start));
        return condition switch
        {
            "link-down" =>
            [
                alerts.Now(EntityRef.Link("core-acc-nord"), StateValue.Down, Reason.Of(ReasonCodes.LinkEndDown, ("device", "core"), ("port", "Te1/0/1"), ("since", Start))),
                alerts.Now(EntityRef.Port("core", "Te1/0/1"), StateValue.Down, Reason.Of(ReasonCodes.PortOperDown, ("device", "core"), ("port", "Te1/0/1"))),
            ],
            "link-degraded" => [alerts.Now(EntityRef.Link("acc-site"), StateValue.Degraded,
                Reason.Of(ReasonCodes.LinkEndDegraded, ("cause", ReasonCodes.PortErrorsHigh), ("device", "acc-nord"), ("port", "Gi1/0/1")))],
            "link-miswired" => [alerts.Now(EntityRef.Link("acc-site"), StateValue.Degraded, Reason.Of(ReasonCodes.LinkMiswired))],
            "device-unreachable" => [alerts.Now(EntityRef.Device("sw-site"), StateValue.Down,
                Reason.Of(ReasonCodes.DeviceUnreachable, ("device", "sw-site"), ("error", "timeout")))],
            "port-utilisation" => [alerts.Now(EntityRef.Port("acc-nord", "Gi1/0/1"), StateValue.Degraded, Reason.Of(ReasonCodes.PortUtilisationHigh))],
            "port-errors" => [alerts.Now(EntityRef.Port("acc-nord", "Gi1/0/1"), StateValue.Degraded, Reason.Of(ReasonCodes.PortErrorsHigh))],
            "optics" => [alerts.Now(EntityRef.Port("core", "Te1/0/1"), StateValue.Degraded, Reason.Of(ReasonCodes.PortOpticalMarginLow))],
            "node-battery" => [alerts.Now(EntityRef.Node("mogli-1"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery, ("battery_pct", 80)),
                ("runtime_left_s", 7200))],
            "node-runtime-low" => [alerts.Now(EntityRef.Node("mogli-1"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery, ("battery_pct", 12)),
                ("runtime_left_s", 900))],
            "node-lte" => [alerts.Now(EntityRef.Node("mogli-1"), StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnLte))],
            "node-silent" => [alerts.Now(EntityRef.Node("mogli-1"), StateValue.Down, Reason.Of(ReasonCodes.NodeOffline, ("node", "mogli-1")))],
            "camera-down-live-event" => [alerts.Now(EntityRef.Endpoint("cam-2"), StateValue.Down, camDown)],
            "camera-down-event-not-live" => [alerts.Now(EntityRef.Endpoint("cam-9"), StateValue.Down, camDown)],
            "port-down-alone" => [alerts.Now(EntityRef.Port("sw-site", "Gi0/2"), StateValue.Down, Reason.Of(ReasonCodes.PortOperDown))],
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
        };
    }
}
