using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Tests;

/// <summary>An event's lifecycle by its times and assignments, and its coverage arithmetic per zone.</summary>
public sealed class EventCoverageTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddDays(3);
    private static readonly Event Kerwe = new("kerwe", "Kerwe", Start, End, [new Zone("stage", "Stage"), new Zone("gate", "Gate"), new Zone("empty", "Empty")]);

    /// <summary>Node 1 at the stage and node 2 at the gate, set up a day before and torn down a day after; node 2 also at a later fest.</summary>
    private static FleetInventory Inventory()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        Assignment At(string zone) => new("kerwe", zone, Start.AddDays(-1), End.AddDays(1));
        var fest = new Assignment("fest", "markt", End.AddDays(10), End.AddDays(12));
        Endpoint Thing(string id, EndpointKind kind, string node, Assignment at) =>
            new(id, id, kind, "00:00:00:00:00:0" + id.Length, node, "ge-0/0/1", [at]);
        return new FleetInventory([], [new Device("sw-1", "sw-1", DeviceClass.MobileSwitch, null, "n-1", snmp, [])], [],
            [
                new MobileNode("n-1", "Node 1", "sw-1", TimeSpan.FromSeconds(10), [At("stage")]),
                new MobileNode("n-2", "Node 2", null, TimeSpan.FromSeconds(10), [At("gate"), fest]),
            ],
            [
                Thing("cam-1", EndpointKind.Camera, "n-1", At("stage")),
                Thing("cam-2", EndpointKind.Camera, "n-1", At("stage")),
                Thing("cam-3", EndpointKind.Camera, "n-1", At("stage")),
                Thing("env-1", EndpointKind.Sensor, "n-1", At("stage")),
                Thing("cam-g", EndpointKind.Camera, "n-2", At("gate")),
                Thing("cam-f", EndpointKind.Camera, "n-2", fest),
            ],
            [Kerwe, new Event("fest", "Fest", End.AddDays(11), End.AddDays(12), [new Zone("markt", "Markt")])]);
    }

    [Theory]
    [InlineData(-3, EventPhase.Planned)]
    [InlineData(-1, EventPhase.Setup)]
    [InlineData(0, EventPhase.Live)]
    [InlineData(2, EventPhase.Live)]
    [InlineData(3, EventPhase.Teardown)]
    [InlineData(4, EventPhase.Closed)]
    public void Lifecycle_FollowsTheTimesAndTheAssignments(int days, EventPhase expected)
    {
        var lifecycle = EventLifecycle.Of(Inventory(), Kerwe);
        Assert.Equal(Start.AddDays(-1), lifecycle.SetupFrom);
        Assert.Equal(End.AddDays(1), lifecycle.TeardownUntil);
        Assert.Equal(expected, lifecycle.PhaseAt(Start.AddDays(days)));
        Assert.Equal(expected is EventPhase.Setup or EventPhase.Live, lifecycle.Expected(Start.AddDays(days)));
    }

    [Fact]
    public void Lifecycle_WithoutAssignments_IsPlannedLiveClosed()
    {
        var lonely = new Event("lonely", "Lonely", Start, End, []);
        var lifecycle = EventLifecycle.Of(Inventory(), lonely);
        Assert.Equal(EventPhase.Planned, lifecycle.PhaseAt(Start.AddTicks(-1)));
        Assert.Equal(EventPhase.Live, lifecycle.PhaseAt(Start));
        Assert.Equal(EventPhase.Closed, lifecycle.PhaseAt(End));
    }

    [Fact]
    public void Coverage_CountsReachableOfPlanned_PerZoneAndKind()
    {
        var now = Start.AddHours(2);
        var live = new Live(now, ("node:n-1", StateValue.Up), ("endpoint:cam-1", StateValue.Up), ("endpoint:cam-2", StateValue.Degraded),
            ("endpoint:cam-3", StateValue.Down), ("endpoint:env-1", StateValue.Up), ("endpoint:cam-f", StateValue.Up));

        var coverage = EventCoverage.Of(Inventory(), Kerwe, live, now);

        Assert.Equal(EventPhase.Live, coverage.Phase);
        var stage = coverage.Zones.Single(z => z.Zone.Id == "stage");
        Assert.Equal((4, 3), (stage.Planned, stage.Reachable));
        Assert.Equal((2, 3), stage.ByKind[EndpointKind.Camera]);
        Assert.Equal((1, 1), stage.ByKind[EndpointKind.Sensor]);
        Assert.Equal(75, stage.Percent);
        // The gate's camera has no evidence yet: planned, deployed, not reachable.
        var gate = coverage.Zones.Single(z => z.Zone.Id == "gate");
        Assert.Equal((1, 0), (gate.Planned, gate.Reachable));
        Assert.True(gate.Endpoints[0].Deployed);
        Assert.Null(gate.Endpoints[0].State);
        Assert.Equal(100, coverage.Zones.Single(z => z.Zone.Id == "empty").Percent);
        Assert.Equal((5, 3), (coverage.Planned, coverage.Reachable));
        // The fest's camera is nowhere in the Kerwe, whatever its state.
        Assert.DoesNotContain(coverage.Zones.SelectMany(z => z.Endpoints), e => e.Endpoint.Id == "cam-f");
    }

    [Fact]
    public void Coverage_BeforeSetup_ShowsThePlan_WithNothingDeployed()
    {
        var now = Start.AddDays(-5);
        var live = new Live(now, ("node:n-2", StateValue.Up), ("endpoint:cam-g", StateValue.Up));

        var coverage = EventCoverage.Of(Inventory(), Kerwe, live, now);

        Assert.Equal(EventPhase.Planned, coverage.Phase);
        Assert.Equal(5, coverage.Planned);
        Assert.Equal(0, coverage.Reachable);
        Assert.All(coverage.Zones.SelectMany(z => z.Endpoints), e => Assert.False(e.Deployed));
        Assert.All(coverage.Zones.SelectMany(z => z.Nodes), n => Assert.Null(n.State));
    }

    [Fact]
    public void Coverage_OfANodeAtAnotherEventNow_LeavesItsStateOut()
    {
        // Node 2 is at the fest now; the Kerwe (over) still plans it at the gate.
        var now = End.AddDays(11);
        var live = new Live(now, ("node:n-2", StateValue.Up));
        var gate = EventCoverage.Of(Inventory(), Kerwe, live, now).Zones.Single(z => z.Zone.Id == "gate");
        Assert.False(gate.Nodes[0].Deployed);
        Assert.Null(gate.Nodes[0].State);
    }

    private sealed class Live(DateTimeOffset now, params (string Entity, StateValue Value)[] values) : IStateReader
    {
        private readonly Dictionary<EntityRef, EntityState> _states = values.ToDictionary(
            v => new EntityRef(Enum.Parse<EntityKind>(v.Entity.Split(':')[0], ignoreCase: true), v.Entity.Split(':')[1]),
            v => new EntityState(new EntityRef(Enum.Parse<EntityKind>(v.Entity.Split(':')[0], ignoreCase: true), v.Entity.Split(':')[1]),
                v.Value, Reason.Of("test"), now, now, "test", TimeSpan.FromMinutes(1)));

        public long Version => 1;

        public IReadOnlyCollection<EntityState> States => _states.Values;

        public EntityState? Get(EntityRef entity) => _states.GetValueOrDefault(entity);
    }
}

/// <summary>Availability over a window from recorded changes: reachable over expected time, outages merged and named.</summary>
public sealed class AvailabilityTests
{
    private static readonly DateTimeOffset From = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);
    private static readonly EntityRef Camera = EntityRef.Endpoint("cam-1");

    [Fact]
    public void Availability_CountsUpAndDegraded_MergesDownAndUnknown_AndLeavesInactiveOut()
    {
        var changes = new[]
        {
            Change(-60, StateValue.Unknown, StateValue.Up, "seen"),
            Change(600, StateValue.Up, StateValue.Down, "port-down"),
            Change(900, StateValue.Down, StateValue.Unknown, "stale"),
            Change(1200, StateValue.Unknown, StateValue.Degraded, "poe-fault"),
            Change(1800, StateValue.Degraded, StateValue.Inactive, "torn-down"),
            Change(2400, StateValue.Inactive, StateValue.Down, "cut"),
        };

        var availability = Availability.Of(Camera, changes, From, From.AddSeconds(3000));

        // Expected 3000 s less 600 s inactive; reachable 600 s up and 600 s degraded.
        Assert.Equal(TimeSpan.FromSeconds(2400), availability.Observed);
        Assert.Equal(TimeSpan.FromSeconds(1200), availability.Reachable);
        Assert.Equal(50, availability.Percent);
        Assert.Equal(2, availability.Outages.Count);
        Assert.Equal((From.AddSeconds(600), From.AddSeconds(1200), "port-down"),
            (availability.Outages[0].Start, availability.Outages[0].End, availability.Outages[0].Reason.Code));
        // The last outage runs to the end of the window.
        Assert.Equal((TimeSpan.FromSeconds(600), "cut"), (availability.Outages[1].Duration, availability.Outages[1].Reason.Code));
    }

    [Fact]
    public void Availability_WithoutHistory_IsAnOutageOfNoEvidence_AndNeverExpectedIsNull()
    {
        var none = Availability.Of(Camera, [], From, From.AddHours(1));
        Assert.Equal(0, none.Percent);
        Assert.Equal(ReasonCodes.NoEvidence, Assert.Single(none.Outages).Reason.Code);

        var stored = Availability.Of(Camera, [Change(-10, StateValue.Up, StateValue.Inactive, "stored")], From, From.AddHours(1));
        Assert.Null(stored.Percent);
        Assert.Empty(stored.Outages);
    }

    private static StateChange Change(int seconds, StateValue from, StateValue to, string reason) =>
        new(From.AddSeconds(seconds), Camera, from, to, Reason.Of(reason));
}

/// <summary>The report counts from when NetOps first recorded the event's things, not from before it was watching.</summary>
public sealed class EventReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Report_StartsCountingAtTheFirstRecordedChange_AndIsNullBeforeTheStart()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var at = new Assignment("kerwe", "stage", Start.AddDays(-1), Start.AddDays(2));
        var inventory = new FleetInventory([], [], [], [new MobileNode("n-1", "Node 1", null, TimeSpan.FromSeconds(10), [at])],
            [new Endpoint("cam-1", "Camera, \"stage\"", EndpointKind.Camera, "00:00:00:00:00:01", "n-1", "ge-0/0/1", [at])],
            [new Event("kerwe", "Kerwe", Start, Start.AddDays(1), [new Zone("stage", "Bühne")])]);
        var watched = Start.AddHours(6);
        var history = new FakeHistory(
            new StateChange(watched, EntityRef.Endpoint("cam-1"), StateValue.Unknown, StateValue.Up, Reason.Of("seen")),
            new StateChange(watched.AddHours(1), EntityRef.Endpoint("cam-1"), StateValue.Up, StateValue.Down, Reason.Of("cut")),
            new StateChange(watched.AddHours(2), EntityRef.Endpoint("cam-1"), StateValue.Down, StateValue.Up, Reason.Of("back")));
        var ev = inventory.Events["kerwe"];

        Assert.Null(await EventReport.BuildAsync(inventory, ev, history, Start.AddMinutes(-1), CancellationToken.None));
        var report = await EventReport.BuildAsync(inventory, ev, history, Start.AddHours(10), CancellationToken.None);

        Assert.Equal(watched, report!.WatchedFrom);
        var camera = report.Lines.Single(l => l.Entity == EntityRef.Endpoint("cam-1")).Availability;
        Assert.Equal(TimeSpan.FromHours(4), camera.Observed);
        Assert.Equal(75, camera.Percent);
        Assert.Equal(TimeSpan.FromHours(1), Assert.Single(camera.Outages).Duration);
        Assert.Equal(75, report.Zones.Single().Percent);
    }
}

