using NetOps.Core.Events;
using NetOps.Core.Inventory;

namespace NetOps.Core.Tests;

/// <summary>
/// Events made on the dashboard and phases set by hand, put over the files' inventory: the windows every part of NetOps
/// then reads, and the rules an edited event must keep.
/// </summary>
public sealed class EventPlansTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddDays(3);

    /// <summary>Node 1 at the Kerwe's stage from a day before until a day after, then at the fest; cam-1 travels with it, cam-2 has its own plan.</summary>
    private static FleetInventory Inventory()
    {
        Assignment[] node = [new("kerwe", "stage", Start.AddDays(-1), End.AddDays(1)), new("fest", "markt", End.AddDays(2), End.AddDays(4))];
        return new FleetInventory([], [], [],
            [new MobileNode("n-1", "Node 1", null, TimeSpan.FromSeconds(10), node), new MobileNode("n-2", "Node 2", null, TimeSpan.FromSeconds(10), [])],
            [
                new Endpoint("cam-1", "Camera 1", EndpointKind.Camera, "02:00:00:00:00:01", "n-1", null, node),
                new Endpoint("cam-2", "Camera 2", EndpointKind.Camera, "02:00:00:00:00:02", "n-1", null, [new("kerwe", "gate", Start, End)]),
            ],
            [
                new Event("kerwe", "Kerwe", Start, End, [new Zone("stage", "Stage"), new Zone("gate", "Gate")]),
                new Event("fest", "Fest", End.AddDays(3), End.AddDays(4), [new Zone("markt", "Markt")]),
            ]);
    }

    private static EventPhase PhaseAt(FleetInventory inventory, string eventId, DateTimeOffset at) =>
        EventLifecycle.Of(inventory, inventory.Events[eventId]).PhaseAt(at);

    [Fact]
    public void NoPlans_LeaveTheInventoryAsItIs()
    {
        var inventory = Inventory();

        Assert.Same(inventory, EventPlans.None.ApplyTo(inventory));
    }

    [Fact]
    public void ManualTransitions_MoveTheWindows_ForTheEventsThings()
    {
        var inventory = Inventory();
        var setupAt = Start.AddDays(-2);
        var liveAt = Start.AddHours(-3);
        var teardownAt = End.AddHours(-5);
        var closedAt = End.AddHours(2);

        var applied = new EventPlans([], [
            new EventTransition("kerwe", EventPhase.Setup, setupAt, "op"),
            new EventTransition("kerwe", EventPhase.Live, liveAt, "op"),
            new EventTransition("kerwe", EventPhase.Teardown, teardownAt, "op"),
            new EventTransition("kerwe", EventPhase.Closed, closedAt, "op"),
        ]).ApplyTo(inventory);

        Assert.Equal(EventPhase.Planned, PhaseAt(applied, "kerwe", setupAt.AddTicks(-1)));
        Assert.Equal(EventPhase.Setup, PhaseAt(applied, "kerwe", setupAt));
        Assert.Equal(EventPhase.Live, PhaseAt(applied, "kerwe", liveAt));
        Assert.Equal(EventPhase.Teardown, PhaseAt(applied, "kerwe", teardownAt));
        Assert.Equal(EventPhase.Closed, PhaseAt(applied, "kerwe", closedAt));
        // The node and the camera that travels with it are packed away at the close; the later fest keeps its plan.
        Assert.Equal([new Assignment("kerwe", "stage", setupAt, closedAt), new Assignment("fest", "markt", End.AddDays(2), End.AddDays(4))],
            applied.Nodes["n-1"].Assignments);
        Assert.Equal(applied.Nodes["n-1"].Assignments, applied.Endpoints["cam-1"].Assignments);
        Assert.Equal([new Assignment("kerwe", "gate", setupAt, End)], applied.Endpoints["cam-2"].Assignments);
        Assert.Same(inventory.Events["fest"], applied.Events["fest"]);
    }

    [Fact]
    public void EarlySetup_NeverReachesBackIntoTheNodesPreviousEvent()
    {
        var inventory = Inventory();

        // The fest's setup is started by hand during the Kerwe: node 1 is still at the Kerwe until a day after its end.
        var applied = new EventPlans([], [new EventTransition("fest", EventPhase.Setup, End, "op")]).ApplyTo(inventory);

        Assert.Equal(new Assignment("fest", "markt", End.AddDays(1), End.AddDays(4)), applied.Nodes["n-1"].Assignments[1]);
    }

    [Fact]
    public void StoredEvent_TakesThePlaceOfTheFilesEvent_AndOfItsNodesAssignments()
    {
        var inventory = Inventory();
        var edited = new Event("kerwe", "Lautrer Kerwe", Start.AddDays(1), End, [new Zone("stage", "Bühne")]);

        var applied = new EventPlans([new StoredEvent(edited, [new NodePlan("n-2", "stage", Start, End)], Start, "op")], []).ApplyTo(inventory);

        Assert.Equal(edited, applied.Events["kerwe"]);
        Assert.Equal([new Assignment("fest", "markt", End.AddDays(2), End.AddDays(4))], applied.Nodes["n-1"].Assignments);
        Assert.Equal(applied.Nodes["n-1"].Assignments, applied.Endpoints["cam-1"].Assignments);
        Assert.Equal([new Assignment("kerwe", "stage", Start, End)], applied.Nodes["n-2"].Assignments);
    }

    [Fact]
    public void Validate_NamesEachFieldThatIsWrong()
    {
        var inventory = Inventory();
        var bad = new StoredEvent(
            new Event("Kerwe!", " ", End, Start, [new Zone("stage", "Stage"), new Zone("stage", "")]),
            [
                new NodePlan("n-9", "stage", Start, End),
                new NodePlan("n-2", "nowhere", Start, End),
                new NodePlan("n-1", "stage", Start, End),
                new NodePlan("n-2", "stage", End, Start),
            ], Start, "op");

        Assert.Equal(
            [
                "id: lower-case letters, digits and dashes, 1 to 64 characters, starting with a letter or digit",
                "name: required, at most 200 characters",
                "end: must be after start",
                "zones[1].id: 'stage' twice",
                "zones[1].name: required, at most 200 characters",
                "nodes[0].node: no node 'n-9' in the inventory",
                "nodes[1].zone: 'nowhere' is not a zone of this event",
                "nodes[2]: n-1 is planned for kerwe/stage from 2026-06-04 16:00:00Z until 2026-06-09 16:00:00Z (a node stands in one place)",
                "nodes[3].until: must be after from",
            ],
            EventEditing.Validate(bad, inventory));
        Assert.Empty(EventEditing.Validate(new StoredEvent(inventory.Events["kerwe"], [new NodePlan("n-1", "stage", Start, End)], Start, "op"), inventory));
    }
}
