using NetOps.Core.Events;
using NetOps.Core.State;
using static NetOps.Alerting.Tests.AlertHarness;

namespace NetOps.Alerting.Tests;

/// <summary>
/// Alerting follows an event's lifecycle: its cameras and zones are alerted on while it is set up or live (as the coverage
/// page expects them), not once it is in teardown, also when an operator moved it there by hand.
/// </summary>
public sealed class EventWindowTests
{
    private static readonly Reason CamDown = Reason.Of(ReasonCodes.EndpointPortDown, ("device", "mogli-1-sw"), ("port", "ge-0/0/2"), ("since", Start));

    [Fact]
    public async Task CameraDown_AlertsWhileTheEventIsLive_NotAfterAnOperatorMovedItToTeardown()
    {
        await using var alerts = await StartAsync();
        var now = alerts.Time.GetUtcNow();
        alerts.Inventory.Current = new EventPlans([], [new EventTransition("kerwe", EventPhase.Teardown, now, "op")]).ApplyTo(AlertFleet.Build(Start));
        Assert.Equal(EventPhase.Teardown, EventLifecycle.Of(alerts.Inventory.Current, alerts.Inventory.Current.Events["kerwe"]).PhaseAt(now));

        await alerts.SetAsync(alerts.Now(EntityRef.Endpoint("cam-2"), StateValue.Down, CamDown));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        Assert.Empty(alerts.Book.Open);
    }

    [Fact]
    public async Task CameraDown_InSetup_AlertsWithItsEventAndZone_EvenWithoutAssignmentsOfItsOwn()
    {
        // The Kerwe starts tomorrow; its node is set up now. Camera 2 travels with its node (no assignments of its own).
        await using var alerts = await StartAsync();
        var inventory = AlertFleet.Build(Start);
        var kerwe = inventory.Events["kerwe"];
        inventory = new EventPlans([new StoredEvent(kerwe with { Start = Start.AddDays(1), End = Start.AddDays(2) },
            [new NodePlan("mogli-1", "stage", Start.AddHours(-2), Start.AddDays(3))], Start, "op")], []).ApplyTo(inventory);
        inventory = new Core.Inventory.FleetInventory(inventory.Sites.Values, inventory.Devices.Values, inventory.Links.Values, inventory.Nodes.Values,
            inventory.Endpoints.Values.Select(e => e with { Assignments = [] }), inventory.Events.Values, inventory.Policy, inventory.Alerting);
        alerts.Inventory.Current = inventory;
        Assert.Equal(EventPhase.Setup, EventLifecycle.Of(inventory, inventory.Events["kerwe"]).PhaseAt(alerts.Time.GetUtcNow()));

        await alerts.SetAsync(alerts.Now(EntityRef.Endpoint("cam-2"), StateValue.Down, CamDown));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        var camera = Assert.Single(alerts.Book.Open, a => a.Subject == "endpoint:cam-2");
        Assert.Equal("kerwe", camera.Labels["event"]);
        Assert.Equal("stage", camera.Labels["zone"]);
        Assert.Contains(alerts.Book.Open, a => a.Subject == "zone:kerwe/stage");
    }

    [Fact]
    public async Task DegradedCameras_AreConnected_ForZoneCoverage_AsOnTheCoveragePage()
    {
        await using var alerts = await StartAsync();
        var degraded = Reason.Of(ReasonCodes.EndpointRepatched, ("device", "mogli-1-sw"), ("port", "ge-0/0/4"));
        await alerts.SetAsync(
            alerts.Now(EntityRef.Endpoint("cam-1"), StateValue.Degraded, degraded),
            alerts.Now(EntityRef.Endpoint("cam-3"), StateValue.Degraded, degraded));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        Assert.DoesNotContain(alerts.Book.Open, a => a.Subject.StartsWith("zone:", StringComparison.Ordinal));
    }
}
