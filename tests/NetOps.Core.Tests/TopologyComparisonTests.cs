using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Core.Tests;

public sealed class TopologyComparisonTests
{
    private readonly FleetInventory _fleet = TopologyFleet.Build();

    private static Func<LinkEnd, bool?> AllUp => _ => true;

    private TopologyResult Compare(Func<LinkEnd, bool?>? portUp, params NeighbourView[] views) =>
        TopologyComparison.Compare(_fleet, views.ToDictionary(v => v.DeviceId, StringComparer.Ordinal), portUp ?? AllUp);

    [Fact]
    public void PlannedLink_SeenFromOneEndAtThePlannedPorts_IsConfirmed()
    {
        var result = Compare(null, new NeighbourView("core", [TopologyFleet.FromAccWest("Te1/0/1", "Te1/1/1")]));

        var backbone = result.Planned[TopologyFleet.Backbone];
        Assert.Equal(DiscoveryStatus.Confirmed, backbone.Status);
        Assert.Equal("seen from core Te1/0/1", backbone.Detail);
        Assert.Equal("acc-west Te1/1/1", backbone.SeenAtA);
        Assert.Null(backbone.SeenAtB);
        Assert.Empty(result.Unexpected);
    }

    [Fact]
    public void LocalPortIdThatIsAnIfIndex_ResolvesThroughThePeersOwnPoll()
    {
        // acc-west hears "1" (subtype local): the MOGLI switch's ifIndex 1 is xe-0/0/0, as its own poll says.
        var result = Compare(null,
            new NeighbourView("acc-west", [TopologyFleet.FromMogli("Gi1/0/5", 1)]),
            new NeighbourView("mogli-03-sw", [], IfNames: TopologyFleet.MogliIfNames));

        Assert.Equal(DiscoveryStatus.Confirmed, result.Planned[TopologyFleet.Uplink].Status);
        Assert.Empty(result.Unexpected);
    }

    [Fact]
    public void PortIdNothingMatches_IsSettledByTheOtherEnd_AndBothSightingsAreOneAdjacency()
    {
        // No ifIndex map for the MOGLI switch: "1" matches nothing, but the MOGLI switch sees acc-west on xe-0/0/7 … at Gi1/0/7.
        var result = Compare(null,
            new NeighbourView("acc-west", [TopologyFleet.FromMogli("Gi1/0/7", 1)]),
            new NeighbourView("mogli-03-sw", [TopologyFleet.FromAccWest("ge-0/0/1", "Gi1/0/7")]));

        var uplink = result.Planned[TopologyFleet.Uplink];
        Assert.Equal(DiscoveryStatus.Miswired, uplink.Status);
        Assert.Equal("planned acc-west Gi1/0/5 ↔ mogli-03-sw xe-0/0/0, seen acc-west Gi1/0/7 ↔ mogli-03-sw ge-0/0/1", uplink.Detail);
        Assert.Equal("Gi1/0/7", uplink.Actual!.Value.AtA.Port);
        Assert.Equal("ge-0/0/1", uplink.Actual!.Value.AtB.Port);
        Assert.Empty(result.Unexpected);
    }

    [Fact]
    public void MacPortId_ResolvesThroughWhatTheDeviceAdvertisesItself()
    {
        var site = new LldpLocalSystem("02:4e:4f:00:00:05", "site", [new LldpLocalPort("Gi0/1", LldpPortIdKind.MacAddress, "02:00:5e:00:01:01")]);
        var result = Compare(null,
            new NeighbourView("acc-west", [new LldpNeighbour("Gi1/0/6", "02:4e:4f:00:00:05", null, LldpPortIdKind.MacAddress, "02:00:5e:00:01:01", null)]),
            new NeighbourView("site", [], site));

        Assert.Equal(DiscoveryStatus.Confirmed, result.Planned[TopologyFleet.SiteLink].Status);
    }

    [Fact]
    public void ChassisIdInAnySpelling_MatchesTheConfiguredOne()
    {
        var neighbour = new LldpNeighbour("Gi1/0/5", "024e.4f00.0003", "unrelated-name", LldpPortIdKind.InterfaceName, "xe-0/0/0", null);

        var result = Compare(null, new NeighbourView("acc-west", [neighbour]));

        Assert.Equal(DiscoveryStatus.Confirmed, result.Planned[TopologyFleet.Uplink].Status);
    }

    [Fact]
    public void InterfaceAliasPortId_MatchesThePlannedDescription()
    {
        var neighbour = new LldpNeighbour("Gi1/0/6", null, "site", LldpPortIdKind.InterfaceAlias, "uplink west", null);

        var result = Compare(null, new NeighbourView("acc-west", [neighbour]));

        Assert.Equal(DiscoveryStatus.Confirmed, result.Planned[TopologyFleet.SiteLink].Status);
    }

    [Fact]
    public void BothTablesFreshAndBothPortsUp_ButNeitherSeesTheOther_IsMissing()
    {
        var result = Compare(null, new NeighbourView("acc-west", []), new NeighbourView("mogli-03-sw", []));

        var uplink = result.Planned[TopologyFleet.Uplink];
        Assert.Equal(DiscoveryStatus.Missing, uplink.Status);
        Assert.Equal("nothing", uplink.SeenAtA);
        Assert.Equal("nothing", uplink.SeenAtB);
    }

    [Fact]
    public void APortDown_IsNotMissing_ButUnverified()
    {
        var result = Compare(end => end.Port != "xe-0/0/0", new NeighbourView("acc-west", []), new NeighbourView("mogli-03-sw", []));

        var uplink = result.Planned[TopologyFleet.Uplink];
        Assert.Equal(DiscoveryStatus.Unverified, uplink.Status);
        Assert.Equal("port xe-0/0/0 on mogli-03-sw is down: LLDP cannot cross it", uplink.Detail);
    }

    [Fact]
    public void OnlyOneTableRead_IsUnverified()
    {
        var result = Compare(null, new NeighbourView("acc-west", []));

        Assert.Equal(DiscoveryStatus.Unverified, result.Planned[TopologyFleet.Uplink].Status);
        Assert.Equal("no fresh neighbour table from mogli-03-sw", result.Planned[TopologyFleet.Uplink].Detail);
    }

    [Fact]
    public void UnknownPortState_IsUnverified()
    {
        var result = Compare(_ => null, new NeighbourView("acc-west", []), new NeighbourView("mogli-03-sw", []));

        Assert.Equal(DiscoveryStatus.Unverified, result.Planned[TopologyFleet.Uplink].Status);
    }

    [Fact]
    public void AdjacencyWithNoPlannedLink_IsUnexpected_WithAStableIdFromTheSortedEnds()
    {
        var fromMogli = Compare(null, new NeighbourView("mogli-03-sw", [TopologyFleet.FromCore("ge-0/0/1", "Te1/0/1")]));
        var fromCore = Compare(null,
            new NeighbourView("core", [TopologyFleet.FromMogli("Te1/0/1", 2)]),
            new NeighbourView("mogli-03-sw", [], IfNames: TopologyFleet.MogliIfNames));

        var adjacency = Assert.Single(fromMogli.Unexpected);
        Assert.Equal("discovered:core/Te1/0/1--mogli-03-sw/ge-0/0/1", adjacency.Id);
        Assert.False(adjacency.SeenFromA);
        Assert.True(adjacency.SeenFromB);
        Assert.Equal(adjacency.Id, Assert.Single(fromCore.Unexpected).Id);
    }

    [Fact]
    public void PlannedPeersSeenAtOtherPorts_AreAMiswire_NotAlsoUnexpected()
    {
        var result = Compare(null, new NeighbourView("core", [TopologyFleet.FromAccWest("Te1/0/1", "Gi1/0/7")]));

        var backbone = result.Planned[TopologyFleet.Backbone];
        Assert.Equal(DiscoveryStatus.Miswired, backbone.Status);
        Assert.Equal("planned core Te1/0/1 ↔ acc-west Te1/1/1, seen core Te1/0/1 ↔ acc-west Gi1/0/7", backbone.Detail);
        Assert.Empty(result.Unexpected);
    }

    [Fact]
    public void ForeignChassis_IsUnexpected_KeyedByItsChassisAndPort()
    {
        var laptop = new LldpNeighbour("Gi1/0/7", "aa:bb:cc:dd:ee:ff", "laptop\u0007", LldpPortIdKind.InterfaceName, "eth 0", null);

        var result = Compare(null, new NeighbourView("acc-west", [laptop]));

        var adjacency = Assert.Single(result.Unexpected);
        Assert.StartsWith("discovered:aa:bb:cc:dd:ee:ff/h", adjacency.Id, StringComparison.Ordinal);
        Assert.DoesNotContain(' ', adjacency.Id);
        Assert.Equal("acc-west", adjacency.EndAt("acc-west")!.DeviceId);
    }

    [Fact]
    public void SecondCableBetweenPlannedPeers_IsUnexpected_WhileThePlannedOneIsConfirmed()
    {
        var result = Compare(null, new NeighbourView("acc-west",
        [
            TopologyFleet.FromMogli("Gi1/0/5", 1),
            TopologyFleet.FromMogli("Gi1/0/7", 2),
        ]), new NeighbourView("mogli-03-sw", [], IfNames: TopologyFleet.MogliIfNames));

        Assert.Equal(DiscoveryStatus.Confirmed, result.Planned[TopologyFleet.Uplink].Status);
        Assert.Equal("discovered:acc-west/Gi1/0/7--mogli-03-sw/ge-0/0/1", Assert.Single(result.Unexpected).Id);
    }

    [Theory]
    [InlineData("00:11:22:AA:BB:CC", "00:11:22:aa:bb:cc")]
    [InlineData("0011.22aa.bbcc", "00:11:22:aa:bb:cc")]
    [InlineData("00-11-22-aa-bb-cc", "00:11:22:aa:bb:cc")]
    [InlineData("001122AABBCC", "00:11:22:aa:bb:cc")]
    [InlineData(" Core.Rainbow ", "core.rainbow")]
    public void ChassisIds_AreNormalised(string spelled, string normal) =>
        Assert.Equal(normal, MacAddress.Normalise(spelled));
}
