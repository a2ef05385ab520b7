using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

public sealed class StateEngineTopologyTests
{
    private static readonly string[] AccWestPorts = ["Te1/1/1", "Gi1/0/5", "Gi1/0/6", "Gi1/0/7"];
    private static readonly string[] MogliPorts = ["xe-0/0/0", "ge-0/0/1"];

    private readonly FakeTimeProvider _clock = new(Fleet.Start);
    private readonly StateEngine _engine;
    private long _sequence;

    public StateEngineTopologyTests()
    {
        _engine = new StateEngine(_clock);
        _engine.SetInventory(TopologyFleet.Build());
    }

    [Fact]
    public void PeersSeenAtTheWrongPort_DegradeTheLinkWithAReasonNamingBothEnds_UntilTheCableIsRight()
    {
        Poll("acc-west", AccWestPorts, TopologyFleet.FromMogli("Gi1/0/5", 2));
        Poll("mogli-03-sw", MogliPorts, TopologyFleet.FromAccWest("ge-0/0/1", "Gi1/0/5"));

        var link = _engine.Get(EntityRef.Link(TopologyFleet.Uplink))!;
        Assert.Equal(StateValue.Degraded, link.Value);
        Assert.Equal(ReasonCodes.LinkMiswired, link.Reason.Code);
        Assert.Equal("xe-0/0/0", link.Reason["port_b"]);
        Assert.Equal("Gi1/0/5", link.Reason["seen_a"]);
        Assert.Equal("ge-0/0/1", link.Reason["seen_b"]);
        Assert.Equal("miswired", link.Attributes["discovery"]);
        Assert.Equal("ge-0/0/1", link.Attributes["actual_b_port"]);
        Assert.Equal("planned acc-west Gi1/0/5 ↔ mogli-03-sw xe-0/0/0, seen acc-west Gi1/0/5 ↔ mogli-03-sw ge-0/0/1", link.Attributes["discovery_detail"]);
        Assert.DoesNotContain(_engine.Snapshot(Scope.All).States, s => s.Entity.Id.StartsWith("discovered:", StringComparison.Ordinal));

        Poll("mogli-03-sw", MogliPorts, TopologyFleet.FromAccWest("xe-0/0/0", "Gi1/0/5"));
        var delta = Poll("acc-west", AccWestPorts, TopologyFleet.FromMogli("Gi1/0/5", 1))!;

        link = Assert.Single(delta.Changed, s => s.Entity == EntityRef.Link(TopologyFleet.Uplink));
        Assert.Equal(StateValue.Up, link.Value);
        Assert.Equal(ReasonCodes.LinkUp, link.Reason.Code);
        Assert.Equal("confirmed", link.Attributes["discovery"]);
        Assert.Equal("seen from both ends", link.Attributes["discovery_detail"]);
        Assert.False(link.Attributes.ContainsKey("actual_a_port"));
    }

    [Fact]
    public void NeitherEndSeesTheOther_WithBothPortsUp_IsMissing_ButTheLinkStaysUp()
    {
        Poll("acc-west", AccWestPorts);
        Poll("mogli-03-sw", MogliPorts);

        var link = _engine.Get(EntityRef.Link(TopologyFleet.Uplink))!;
        Assert.Equal(StateValue.Up, link.Value);
        Assert.Equal("missing", link.Attributes["discovery"]);
        Assert.Equal("nothing", link.Attributes["a_seen"]);
    }

    [Fact]
    public void PlannedPortDown_IsDownAndUnverified_NotMissing()
    {
        Poll("acc-west", AccWestPorts);
        Poll("mogli-03-sw", MogliPorts, down: "xe-0/0/0");

        var link = _engine.Get(EntityRef.Link(TopologyFleet.Uplink))!;
        Assert.Equal(StateValue.Down, link.Value);
        Assert.Equal("unverified", link.Attributes["discovery"]);
    }

    [Fact]
    public void UnplannedNeighbour_IsADiscoveredLinkThatIsUp_UntilItIsNoLongerSeen()
    {
        var laptop = new LldpNeighbour("Gi1/0/7", "aa:bb:cc:dd:ee:ff", "laptop-of-someone", LldpPortIdKind.InterfaceName, "eth0", "Intel NIC");
        var delta = Poll("acc-west", AccWestPorts, laptop)!;

        var discovered = Assert.Single(delta.Changed, s => s.Entity.Id.StartsWith("discovered:", StringComparison.Ordinal));
        Assert.Equal(EntityRef.Link("discovered:aa:bb:cc:dd:ee:ff/eth0--acc-west/Gi1/0/7"), discovered.Entity);
        Assert.Equal(StateValue.Up, discovered.Value);
        Assert.Equal(ReasonCodes.LinkDiscovered, discovered.Reason.Code);
        Assert.Equal("unexpected", discovered.Attributes["discovery"]);
        Assert.Equal("acc-west/Gi1/0/7", discovered.Attributes["a"]);
        Assert.Equal("acc-west", discovered.Attributes["a_device"]);
        Assert.Equal("aa:bb:cc:dd:ee:ff/eth0", discovered.Attributes["b"]);
        Assert.Equal("laptop-of-someone", discovered.Attributes["b_sysname"]);
        Assert.Equal("Intel NIC", discovered.Attributes["b_port_desc"]);
        Assert.False(discovered.Attributes.ContainsKey("b_device"));
        Assert.Equal("a", discovered.Attributes["seen_from"]);

        delta = Poll("acc-west", AccWestPorts)!;

        Assert.Contains(discovered.Entity, delta.Removed);
        Assert.Null(_engine.Get(discovered.Entity));
    }

    [Fact]
    public void DiscoveredLink_ExpiresWithItsNeighbourPoll_NotWithTheStatusPolls_AndSurvivesAnInventoryReload()
    {
        var entity = EntityRef.Link("discovered:core/Te1/0/1--mogli-03-sw/ge-0/0/1");
        Poll("mogli-03-sw", MogliPorts, TopologyFleet.FromCore("ge-0/0/1", "Te1/0/1"));
        Assert.Equal(StateValue.Up, _engine.Get(entity)?.Value);

        var reload = _engine.SetInventory(TopologyFleet.Build());
        Assert.DoesNotContain(entity, reload?.Removed ?? []);
        Assert.Equal(StateValue.Up, _engine.Get(entity)?.Value);

        // Neighbours are read every 5 minutes while status comes every 30 s: the table lasts until its own next reading.
        var plan = HealthPolicy.Default.PlanFor(DeviceClass.MobileSwitch);
        var until = _clock.GetUtcNow() + Fleet.Fresh * (plan.IntervalOf(PollSections.Neighbours) / plan.Tasks.Min(t => t.Interval));
        var step = TimeSpan.FromSeconds(25);
        while (_clock.GetUtcNow() + step < until)
        {
            _clock.Advance(step);
            StatusPoll("mogli-03-sw", MogliPorts);
            Assert.DoesNotContain(entity, _engine.Expire()?.Removed ?? []);
            Assert.Equal(StateValue.Up, _engine.Get(entity)?.Value);
        }

        _clock.Advance(until - _clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        var removed = (StatusPoll("mogli-03-sw", MogliPorts)?.Removed ?? []).Concat(_engine.Expire()?.Removed ?? []);

        Assert.Contains(entity, removed);
        Assert.Null(_engine.Get(entity));
    }

    [Fact]
    public void NeighboursOfAnUnreachableDevice_KeepNoDiscoveredLinkAlive()
    {
        var entity = EntityRef.Link("discovered:core/Te1/0/1--mogli-03-sw/ge-0/0/1");
        Poll("mogli-03-sw", MogliPorts, TopologyFleet.FromCore("ge-0/0/1", "Te1/0/1"));

        var delta = _engine.Apply(Fleet.Unreachable(++_sequence, _clock.GetUtcNow(), "mogli-03-sw"))!;

        Assert.Contains(entity, delta.Removed);
    }

    private StateDelta? Poll(string device, string[] ports, params LldpNeighbour[] neighbours) => Poll(device, ports, null, neighbours);

    /// <summary>A status-and-counters poll: no neighbour table read.</summary>
    private StateDelta? StatusPoll(string device, string[] ports) =>
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), device, true, TimeSpan.FromHours(1), null,
            ports.Select((p, i) => new PortSample(p, i + 1, true, true, 0, 0, 1_000)).ToList(), Fleet.Fresh));

    private StateDelta? Poll(string device, string[] ports, string? down, params LldpNeighbour[] neighbours) =>
        _engine.Apply(new DevicePollObservation("collector#1", ++_sequence, _clock.GetUtcNow(), device, true, TimeSpan.FromHours(1), null,
            ports.Select((p, i) => new PortSample(p, i + 1, true, p != down, 0, 0, 1_000)).ToList(), Fleet.Fresh)
        {
            Sections = PollSections.Interfaces | PollSections.Neighbours,
            Neighbours = neighbours,
        });
}
