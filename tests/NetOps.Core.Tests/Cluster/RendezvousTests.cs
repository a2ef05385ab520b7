using NetOps.Core.Cluster;

namespace NetOps.Core.Tests.Cluster;

public sealed class RendezvousTests
{
    private static readonly string[] Devices = [.. Enumerable.Range(0, 2000).Select(i => $"acc-{i:0000}")];

    [Fact]
    public void ThreeMembers_ShareTwoThousandDevices_EachAboutAThird()
    {
        string[] members = ["collector-1", "collector-2", "collector-3"];
        var counts = Devices.GroupBy(d => Rendezvous.OwnerOf(d, members)).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(members, counts.Keys.Order(StringComparer.Ordinal));
        // A fair split gives 667 ± 21 (one standard deviation); names that differ in one character must not skew it.
        Assert.All(counts.Values, n => Assert.InRange(n, 600, 733));
    }

    [Fact]
    public void OrderOfMembers_DoesNotChangeTheOwner()
    {
        string[] members = ["b", "c", "a"];
        Assert.All(Devices.Take(200), d => Assert.Equal(Rendezvous.OwnerOf(d, ["a", "b", "c"]), Rendezvous.OwnerOf(d, members)));
    }

    [Fact]
    public void AFourthMemberJoining_TakesItsShareFromEach_AndMovesNothingElse()
    {
        string[] three = ["collector-1", "collector-2", "collector-3"];
        string[] four = [.. three, "collector-4"];
        var moved = Devices.Where(d => Rendezvous.OwnerOf(d, three) != Rendezvous.OwnerOf(d, four)).ToList();

        Assert.All(moved, d => Assert.Equal("collector-4", Rendezvous.OwnerOf(d, four)));
        Assert.InRange(moved.Count, 420, 580);
    }

    [Fact]
    public void AMemberLeaving_MovesOnlyItsOwnDevices()
    {
        string[] three = ["collector-1", "collector-2", "collector-3"];
        string[] two = ["collector-1", "collector-3"];
        foreach (var device in Devices)
        {
            var before = Rendezvous.OwnerOf(device, three);
            if (before != "collector-2")
            {
                Assert.Equal(before, Rendezvous.OwnerOf(device, two));
            }
        }
    }

    [Fact]
    public void Assignment_AlwaysCountsItself_AndOwnsEverythingAlone()
    {
        var alone = new ClusterAssignment("collector-1", []);
        Assert.Equal(["collector-1"], alone.Members);
        Assert.All(Devices.Take(50), d => Assert.True(alone.Owns(d)));

        var three = new ClusterAssignment("collector-2", ["collector-3", "collector-1"]);
        Assert.Equal(["collector-1", "collector-2", "collector-3"], three.Members);
        Assert.True(three.SameMembers(new ClusterAssignment("collector-1", ["collector-2", "collector-3"])));
        Assert.Equal(Devices.Count(d => Rendezvous.OwnerOf(d, three.Members) == "collector-2"), Devices.Count(three.Owns));
    }

    [Fact]
    public void NoMembers_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Rendezvous.OwnerOf("core", []));
}
