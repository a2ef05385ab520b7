using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

public sealed class StateEngineTests
{
    private readonly FakeTimeProvider _clock = new(Fleet.Start);
    private readonly StateEngine _engine;

    public StateEngineTests()
    {
        _engine = new StateEngine(_clock);
        _engine.SetInventory(Fleet.Build());
    }

    [Fact]
    public void NewInventory_StartsUnknownWithNoEvidence()
    {
        var link = _engine.Get(EntityRef.Link("core--acc"))!;
        Assert.Equal(StateValue.Unknown, link.Value);
        Assert.Equal(StateValue.Unknown, _engine.Get(EntityRef.Device("core"))!.Value);
    }

    [Fact]
    public void Link_IsUpOnlyWhenBothEndsAreUp()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        Assert.Equal(StateValue.Unknown, _engine.Get(EntityRef.Link("core--acc"))!.Value);

        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        var link = _engine.Get(EntityRef.Link("core--acc"))!;
        Assert.Equal(StateValue.Up, link.Value);
        Assert.Equal(ReasonCodes.LinkUp, link.Reason.Code);
    }

    [Fact]
    public void Link_DownAtOneEnd_IsDownNamingThatPortAndSince()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        _clock.Advance(TimeSpan.FromSeconds(5));
        var downAt = _clock.GetUtcNow();
        var delta = _engine.Apply(Fleet.Poll(2, downAt, "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)));

        var link = Assert.Single(delta!.Changed, s => s.Entity == EntityRef.Link("core--acc"));
        Assert.Equal(StateValue.Down, link.Value);
        Assert.Equal(ReasonCodes.LinkEndDown, link.Reason.Code);
        Assert.Equal("core", link.Reason["device"]);
        Assert.Equal("Te1/0/1", link.Reason["port"]);
        Assert.Equal(downAt, DateTimeOffset.Parse(link.Reason["since"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Evidence_OlderThanItsFreshness_TurnsUnknownInsteadOfStayingGreen()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        Assert.Equal(StateValue.Up, _engine.Get(EntityRef.Device("acc"))!.Value);

        _clock.Advance(Fleet.Fresh - TimeSpan.FromSeconds(1));
        Assert.Null(_engine.Expire());

        _clock.Advance(TimeSpan.FromSeconds(2));
        var delta = _engine.Expire()!;
        var device = Assert.Single(delta.Changed, s => s.Entity == EntityRef.Device("acc"));
        Assert.Equal(StateValue.Unknown, device.Value);
        Assert.Equal(ReasonCodes.Stale, device.Reason.Code);
        Assert.Equal("collector#1", device.Reason["source"]);
        Assert.Equal(StateValue.Unknown, _engine.Get(EntityRef.Link("core--acc"))!.Value);
    }

    [Fact]
    public void SameSourceAndSequence_IsAppliedOnce()
    {
        var poll = Fleet.Poll(7, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0));
        Assert.NotNull(_engine.Apply(poll));
        var version = _engine.Version;

        Assert.Null(_engine.Apply(poll with { ObservedAt = _clock.GetUtcNow().AddSeconds(1) }));
        Assert.Null(_engine.Apply(Fleet.Poll(6, _clock.GetUtcNow(), "acc", ("Te1/1/1", false, 0))));
        Assert.Equal(version, _engine.Version);
        Assert.Equal(2, _engine.DuplicatesIgnored);
        Assert.Equal(StateValue.Up, _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Value);
    }

    [Fact]
    public void UnreachableDevice_IsDown_AndItsPortsUnknown()
    {
        _engine.Apply(Fleet.Unreachable(1, _clock.GetUtcNow(), "acc"));
        var device = _engine.Get(EntityRef.Device("acc"))!;
        Assert.Equal(StateValue.Down, device.Value);
        Assert.Equal("timeout", device.Reason["error"]);
        Assert.Equal(StateValue.Unknown, _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Value);
    }

    [Fact]
    public void DeviceBehindADownLink_IsUnknownWithTheLinkAsRootCause_NotDown()
    {
        var at = _clock.GetUtcNow();
        _engine.Apply(Fleet.Poll(1, at, "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Unreachable(2, at.AddSeconds(1), "acc"));

        var access = _engine.Get(EntityRef.Device("acc"))!;
        Assert.Equal(StateValue.Unknown, access.Value);
        Assert.Equal(ReasonCodes.BehindFailedLink, access.Reason.Code);
        Assert.Equal("core--acc", access.Reason["link"]);
        Assert.Equal(StateValue.Down, _engine.Get(EntityRef.Link("core--acc"))!.Value);
        // Down: the link and the port that says so; no device is down because of it.
        Assert.Equal(["link:core--acc", "port:core/Te1/0/1"],
            _engine.Snapshot(Scope.All).States.Where(s => s.Value == StateValue.Down).Select(s => s.Entity.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CutShorterThanTheFarEndsPoll_LinkUpOnRestore_TurnsUnknownWhenThatPollTimesOut()
    {
        // The order LiveDashboardTests.LinkCutInSimulator_TurnsDownOnOpenPage_AndRecovers once met: a poll of the far end
        // is sent into the cut, the cut is restored before that poll gives up, and its timeout is the last word.
        var link = EntityRef.Link("core--acc");
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        Assert.Equal(StateValue.Up, _engine.Get(link)!.Value);

        // Cut: the near end says so at its next poll; the far end's poll is under way, waiting for an answer.
        _clock.Advance(TimeSpan.FromSeconds(1));
        var cut = _clock.GetUtcNow();
        _engine.Apply(Fleet.Poll(3, cut, "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)));
        Assert.Equal(StateValue.Down, _engine.Get(link)!.Value);
        var asked = cut.AddMilliseconds(200);

        // Restored: the near end says up, and the far end's last answer, from before the cut, is still fresh: up.
        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(Fleet.Poll(4, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        Assert.Equal(StateValue.Up, _engine.Get(link)!.Value);

        // Only now does the far end's poll from inside the cut time out: the link is unknown until the far end answers,
        // and so is the far end, behind the cut it was asked through; not down (AlertStormTests once met a
        // DeviceUnreachable alert for it right after the restore).
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        _engine.Apply(Fleet.Unreachable(5, _clock.GetUtcNow(), "acc") with { StartedAt = asked });
        Assert.Equal(StateValue.Unknown, _engine.Get(link)!.Value);
        Assert.Equal(ReasonCodes.LinkEndUnknown, _engine.Get(link)!.Reason.Code);
        var access = _engine.Get(EntityRef.Device("acc"))!;
        Assert.Equal((StateValue.Unknown, ReasonCodes.BehindFailedLink, "core--acc"), (access.Value, access.Reason.Code, access.Reason["link"]));
        Assert.Equal(cut, access.Since);
        Assert.Equal(ReasonCodes.BehindFailedLink, _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Reason.Code);

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        _engine.Apply(Fleet.Poll(6, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        Assert.Equal(StateValue.Up, _engine.Get(link)!.Value);
    }

    [Fact]
    public void CutSeenFromBothEnds_RestoreTurnsTheLinkUpOnlyOnceTheFarEndAnswers()
    {
        // What the browser test waits for before it restores: the far end's timeout is in, so up on the page is final.
        var link = EntityRef.Link("core--acc");
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(Fleet.Poll(3, _clock.GetUtcNow(), "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Unreachable(4, _clock.GetUtcNow(), "acc"));
        Assert.Equal(ReasonCodes.BehindFailedLink, _engine.Get(EntityRef.Device("acc"))!.Reason.Code);

        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(Fleet.Poll(5, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        Assert.Equal(StateValue.Unknown, _engine.Get(link)!.Value);

        _engine.Apply(Fleet.Poll(6, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        Assert.Equal(StateValue.Up, _engine.Get(link)!.Value);
    }

    [Fact]
    public void UnansweredPoll_AskedAfterTheLinkCameBack_IsTheDevicesOwn_Down()
    {
        var link = EntityRef.Link("core--acc");
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        Assert.NotEqual(StateValue.Down, _engine.Get(link)!.Value);

        var asked = _clock.GetUtcNow().AddMilliseconds(100);
        _clock.Advance(TimeSpan.FromSeconds(2));
        _engine.Apply(Fleet.Unreachable(3, _clock.GetUtcNow(), "acc") with { StartedAt = asked });
        var access = _engine.Get(EntityRef.Device("acc"))!;
        Assert.Equal((StateValue.Down, ReasonCodes.DeviceUnreachable), (access.Value, access.Reason.Code));
    }

    [Fact]
    public void UnreachableDevice_WithItsPathUp_StaysDown()
    {
        var at = _clock.GetUtcNow();
        _engine.Apply(Fleet.Poll(1, at, "core", ("Te1/0/1", true, 0), ("Te1/0/2", true, 0)));
        _engine.Apply(Fleet.Unreachable(2, at.AddSeconds(1), "acc"));

        Assert.Equal(StateValue.Down, _engine.Get(EntityRef.Device("acc"))!.Value);
        Assert.Equal(ReasonCodes.DeviceUnreachable, _engine.Get(EntityRef.Device("acc"))!.Reason.Code);
    }

    [Fact]
    public void Rates_ComeFromCounterDeltas_AndACounterGoingBackDrawsNoSpike()
    {
        var at = _clock.GetUtcNow();
        _engine.Apply(Fleet.Poll(1, at, "acc", ("Te1/1/1", true, 1_000_000)));
        _engine.Apply(Fleet.Poll(2, at.AddSeconds(10), "acc", ("Te1/1/1", true, 1_000_000 + 12_500_000)));
        var port = _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!;
        Assert.Equal(10_000_000, port.Metrics["in_bps"], precision: 3);
        Assert.Equal(0.1, port.Metrics["utilisation_pct"], precision: 3);

        _engine.Apply(Fleet.Poll(3, at.AddSeconds(20), "acc", ("Te1/1/1", true, 5)));
        Assert.False(_engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Metrics.ContainsKey("in_bps"));
    }

    [Fact]
    public void NodeInStorage_IsInactive_AndItsWillNeverMakesItDown()
    {
        var engine = new StateEngine(_clock);
        engine.SetInventory(Fleet.Build(nodeDeployed: false));
        engine.Apply(new NodePresenceObservation("mqtt:status:mogli-01", 2, _clock.GetUtcNow(), "mogli-01", false, TimeSpan.FromDays(1)));
        engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "core", ("Te1/0/1", true, 0), ("Te1/0/2", false, 0)));

        Assert.Equal(StateValue.Inactive, engine.Get(EntityRef.Node("mogli-01"))!.Value);
        Assert.Equal(StateValue.Inactive, engine.Get(EntityRef.Device("mogli-01-sw"))!.Value);
        var uplink = engine.Get(EntityRef.Link("core--mogli-01"))!;
        Assert.Equal(StateValue.Inactive, uplink.Value);
        Assert.Equal(ReasonCodes.NotDeployed, uplink.Reason.Code);
    }

    [Fact]
    public void DeployedNode_LastWill_MakesItDown_AndTelemetryBringsItBack()
    {
        var at = _clock.GetUtcNow();
        _engine.Apply(new NodePresenceObservation("mqtt:status:mogli-01", 2, at, "mogli-01", false, TimeSpan.FromDays(1)));
        Assert.Equal(ReasonCodes.NodeOffline, _engine.Get(EntityRef.Node("mogli-01"))!.Reason.Code);
        Assert.Equal(StateValue.Down, _engine.Get(EntityRef.Node("mogli-01"))!.Value);

        var telemetry = new NodeTelemetry(80, PowerSource.Battery, TimeSpan.FromHours(6), 24, UplinkKind.Fibre, null, new GeoPosition(49.4431, 7.7712));
        _engine.Apply(new NodeTelemetryObservation("mqtt:telemetry:mogli-01", 1, at.AddSeconds(1), "mogli-01", telemetry, TimeSpan.FromSeconds(30)));
        var node = _engine.Get(EntityRef.Node("mogli-01"))!;
        Assert.Equal(StateValue.Degraded, node.Value);
        Assert.Equal(ReasonCodes.NodeOnBattery, node.Reason.Code);
        Assert.Equal(80, node.Metrics["battery_pct"]);
        Assert.Equal((49.4431, 7.7712), (node.Metrics["lat"], node.Metrics["lon"]));
    }

    [Fact]
    public void EntityRemovedFromInventory_LeavesTheModelInADelta()
    {
        var delta = _engine.SetInventory(Fleet.Build(withAccess: false))!;
        Assert.Contains(EntityRef.Device("acc"), delta.Removed);
        Assert.Contains(EntityRef.Link("core--acc"), delta.Removed);
        Assert.Contains(EntityRef.Port("acc", "Te1/1/1"), delta.Removed);
        Assert.DoesNotContain(_engine.Snapshot(Scope.All).States, s => s.Entity == EntityRef.Device("acc"));
    }

    [Fact]
    public void Deltas_HaveConsecutiveVersions()
    {
        var first = _engine.Version;
        var a = _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)))!;
        var b = _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "core", ("Te1/0/1", false, 0), ("Te1/0/2", true, 0)))!;
        Assert.Equal(first + 1, a.Version);
        Assert.Equal(first + 2, b.Version);
        Assert.Equal(b.Version, _engine.Snapshot(Scope.All).Version);
    }

    [Fact]
    public void EventScope_CoversTheNodesOfThatEventOnly()
    {
        var scope = new Scope(EventIds: new HashSet<string> { "kerwe" });
        var states = _engine.Snapshot(scope).States.Select(s => s.Entity).ToList();
        Assert.Contains(EntityRef.Node("mogli-01"), states);
        Assert.Contains(EntityRef.Device("mogli-01-sw"), states);
        Assert.DoesNotContain(EntityRef.Device("acc"), states);
    }

    [Fact]
    public void LinkDownTrap_MarksItsPortDownAtOnce_AndTheLinkWithIt()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        _clock.Advance(TimeSpan.FromSeconds(3));
        var trapAt = _clock.GetUtcNow();

        var delta = _engine.Apply(Trap(1, trapAt, "acc", NotificationKind.LinkDown, "Te1/1/1"));

        var port = Assert.Single(delta!.Changed, s => s.Entity == EntityRef.Port("acc", "Te1/1/1"));
        Assert.Equal(StateValue.Down, port.Value);
        Assert.Equal(ReasonCodes.PortTrapLinkDown, port.Reason.Code);
        Assert.Equal("acc", port.Reason["device"]);
        Assert.Equal("Te1/1/1", port.Reason["port"]);
        Assert.Equal(trapAt, DateTimeOffset.Parse(port.Reason["at"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(StateValue.Down, _engine.Get(EntityRef.Link("core--acc"))!.Value);
    }

    [Fact]
    public void LinkDownTrap_IsCorrectedByThePollThatFollows()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        _engine.Apply(Trap(1, _clock.GetUtcNow(), "acc", NotificationKind.LinkDown, "Te1/1/1"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));

        var port = _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!;
        Assert.Equal(StateValue.Up, port.Value);
        Assert.Equal(ReasonCodes.PortOperUp, port.Reason.Code);
    }

    [Fact]
    public void LinkDownTrap_ConfirmedByThePoll_StaysDownSinceTheTrap()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", true, 0)));
        var trapAt = _clock.GetUtcNow();
        _engine.Apply(Trap(1, trapAt, "acc", NotificationKind.LinkDown, "Te1/1/1"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        _engine.Apply(Fleet.Poll(2, _clock.GetUtcNow(), "acc", ("Te1/1/1", false, 0)));

        var port = _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!;
        Assert.Equal(StateValue.Down, port.Value);
        Assert.Equal(ReasonCodes.PortOperDown, port.Reason.Code);
        Assert.Equal(trapAt, port.Since);
    }

    [Fact]
    public void LinkUpTrap_ChangesNothingUntilThePollSaysSo()
    {
        _engine.Apply(Fleet.Poll(1, _clock.GetUtcNow(), "acc", ("Te1/1/1", false, 0)));

        Assert.Null(_engine.Apply(Trap(1, _clock.GetUtcNow(), "acc", NotificationKind.LinkUp, "Te1/1/1")));
        Assert.Equal(StateValue.Down, _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Value);
    }

    [Fact]
    public void ColdStartTrap_MakesTheNextPollSkipItsRate()
    {
        var at = _clock.GetUtcNow();
        _engine.Apply(Fleet.Poll(1, at, "acc", ("Te1/1/1", true, 1_000_000)));
        _engine.Apply(Trap(1, at.AddSeconds(5), "acc", NotificationKind.ColdStart, null));

        // A counter that went up across the restart would otherwise yield a rate from two different runs of the device.
        _engine.Apply(Fleet.Poll(2, at.AddSeconds(10), "acc", ("Te1/1/1", true, 2_000_000)));
        Assert.False(_engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Metrics.ContainsKey("in_bps"));

        _engine.Apply(Fleet.Poll(3, at.AddSeconds(20), "acc", ("Te1/1/1", true, 2_000_000 + 12_500_000)));
        Assert.Equal(10_000_000, _engine.Get(EntityRef.Port("acc", "Te1/1/1"))!.Metrics["in_bps"], precision: 3);
    }

    private static DeviceNotificationObservation Trap(long sequence, DateTimeOffset at, string device, NotificationKind kind, string? port) =>
        new("traps#1", sequence, at, device, kind, "." + kind, port, [new NotificationVarbind(".1.3.6.1.2.1.2.2.1.1.1", "1")]);
}
