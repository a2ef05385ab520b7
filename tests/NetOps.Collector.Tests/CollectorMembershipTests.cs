using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Cluster;
using NetOps.Core.Inventory;
using NetOps.Inventory;

namespace NetOps.Collector.Tests;

/// <summary>
/// The membership's rules, heartbeat by heartbeat, on one clock the test turns: three collectors sharing a store whose
/// outages the test switches on and off (PostgreSQL itself: tests/NetOps.Database.Tests, and the cluster of processes in
/// tests/NetOps.Engine.Tests/ClusterTests).
/// </summary>
public sealed class CollectorMembershipTests : IAsyncDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly FlakyStore _store;
    private readonly FixedInventoryProvider _inventory = new(Fleet(60));
    private readonly List<CollectorMembership> _members = [];

    public CollectorMembershipTests() => _store = new FlakyStore(new LocalMembershipStore(_clock));

    [Fact]
    public async Task ThreeCollectors_SplitEveryDevice_ExactlyOnce()
    {
        var (a, b, c) = (Member("c1"), Member("c2"), Member("c3"));
        await BeatAllAsync(a, b, c);
        await BeatAllAsync(a, b, c);

        AssertSplitOnce([a, b, c]);
        Assert.All(new[] { a, b, c }, m => Assert.Equal(["c1", "c2", "c3"], m.Current.Members));
    }

    [Fact]
    public async Task ACollectorThatStopsHeartbeating_IsDroppedAfterItsLease_AndItsDevicesGoToTheOthers()
    {
        var (a, b, c) = (Member("c1"), Member("c2"), Member("c3"));
        await BeatAllAsync(a, b, c);
        await BeatAllAsync(a, b, c);
        var changes = new List<ClusterAssignment>();
        a.Changed += changes.Add;

        // c3 is killed: no more heartbeats. Within its lease it still counts (its devices are not polled twice).
        for (var elapsed = TimeSpan.Zero; elapsed < Lease - Heartbeat; elapsed += Heartbeat)
        {
            _clock.Advance(Heartbeat);
            await BeatAllAsync(a, b);
            Assert.Equal(3, a.Current.Members.Count);
        }

        _clock.Advance(Heartbeat * 2);
        await BeatAllAsync(a, b);

        Assert.Equal(["c1", "c2"], a.Current.Members);
        Assert.Single(changes);
        AssertSplitOnce([a, b]);
    }

    [Fact]
    public async Task DisposedTwice_AsTheContainerDoesWithAHostedServiceRegisteredThroughItsSingleton_IsHarmless()
    {
        // CollectorExtensions registers it as itself and as a hosted service through it: the container disposes both.
        // The second disposal threw ObjectDisposedException at every collector's shutdown (poll-fleet showed it).
        var member = Member("c1");
        await member.BeatAsync(CancellationToken.None);

        await member.DisposeAsync();
        await member.DisposeAsync();
    }

    [Fact]
    public async Task ACollectorThatStops_LeavesAtOnce()
    {
        var (a, b) = (Member("c1"), Member("c2"));
        await BeatAllAsync(a, b);
        await BeatAllAsync(a, b);

        await b.StopAsync(CancellationToken.None);
        await a.BeatAsync(CancellationToken.None);

        Assert.Equal(["c1"], a.Current.Members);
        Assert.All(_inventory.Current.Devices.Keys, d => Assert.True(a.Current.Owns(d)));
    }

    [Fact]
    public async Task WhileTheStoreIsDown_TheSplitStays_AndAfterItReturns_AbsentMembersAreGivenALeaseToRenew()
    {
        var (a, b, c) = (Member("c1"), Member("c2"), Member("c3"));
        await BeatAllAsync(a, b, c);
        await BeatAllAsync(a, b, c);

        // Down for three leases: every heartbeat fails, nobody changes anything.
        _store.Down = true;
        for (var i = 0; i < 15; i++)
        {
            _clock.Advance(Heartbeat);
            await BeatAllAsync(a, b, c);
        }

        Assert.All(new[] { a, b, c }, m => Assert.NotNull(m.Status.Error));
        Assert.All(new[] { a, b, c }, m => Assert.Equal(3, m.Current.Members.Count));

        // Back: a renews first and sees only itself alive (the others' leases ran out during the outage); it keeps them.
        _store.Down = false;
        _clock.Advance(Heartbeat);
        await a.BeatAsync(CancellationToken.None);
        Assert.Equal(3, a.Current.Members.Count);
        Assert.Null(a.Status.Error);

        // b renews; c died during the outage and never does. c is dropped once a has been back for a lease, not before.
        for (var elapsed = Heartbeat; elapsed < Lease; elapsed += Heartbeat)
        {
            _clock.Advance(Heartbeat);
            await BeatAllAsync(a, b);
            Assert.Equal(3, a.Current.Members.Count);
        }

        _clock.Advance(Heartbeat);
        await BeatAllAsync(a, b);
        Assert.Equal(["c1", "c2"], a.Current.Members);
        // b came back one heartbeat after a, so it gives c that much longer.
        _clock.Advance(Heartbeat);
        await BeatAllAsync(a, b);
        AssertSplitOnce([a, b]);
    }

    [Fact]
    public async Task ACollectorStartingWhileTheStoreIsDown_PollsEverything_AndJoinsWhenItAnswers()
    {
        var a = Member("c1");
        await a.BeatAsync(CancellationToken.None);
        _store.Down = true;
        var late = Member("c2");
        await late.BeatAsync(CancellationToken.None);

        Assert.Equal(["c2"], late.Current.Members);
        Assert.All(_inventory.Current.Devices.Keys, d => Assert.True(late.Current.Owns(d)));

        _store.Down = false;
        await late.BeatAsync(CancellationToken.None);
        await a.BeatAsync(CancellationToken.None);
        AssertSplitOnce([a, late]);
    }

    [Fact]
    public async Task AJoiningCollector_TakesOnlyItsShare()
    {
        var (a, b, c) = (Member("c1"), Member("c2"), Member("c3"));
        await BeatAllAsync(a, b, c);
        await BeatAllAsync(a, b, c);
        var before = _inventory.Current.Devices.Keys.ToDictionary(d => d, d => a.Current.OwnerOf(d));

        var d4 = Member("c4");
        await BeatAllAsync(d4, a, b, c);

        AssertSplitOnce([a, b, c, d4]);
        var moved = before.Where(kv => a.Current.OwnerOf(kv.Key) != kv.Value).ToList();
        Assert.NotEmpty(moved);
        Assert.All(moved, kv => Assert.Equal("c4", a.Current.OwnerOf(kv.Key)));
    }

    [Fact]
    public async Task ACollectorRestartedUnderItsName_PollsNothing_UntilItsOldLeaseRunsOut_ThenItsShareIsItsOwn()
    {
        var (a, b, c) = (Member("c1"), Member("c2"), Member("c3"));
        await BeatAllAsync(a, b, c);
        await BeatAllAsync(a, b, c);

        // c3 is killed and restarted at once (another process under the same name): its old row is alive for a lease.
        var again = Member("c3", process: "host:restarted");
        await again.BeatAsync(CancellationToken.None);
        Assert.False(again.Current.IsMember);
        Assert.DoesNotContain(_inventory.Current.Devices.Keys, again.Current.Owns);
        Assert.Contains("held by", again.Status.Error, StringComparison.Ordinal);

        // Meanwhile nobody polls c3's share twice: a and b still count the old c3.
        for (var elapsed = TimeSpan.Zero; elapsed < Lease; elapsed += Heartbeat)
        {
            _clock.Advance(Heartbeat);
            await BeatAllAsync(a, b, again);
        }

        await BeatAllAsync(a, b, again);
        Assert.True(again.Current.IsMember);
        Assert.Null(again.Status.Error);
        AssertSplitOnce([a, b, again]);
    }

    private CollectorMembership Member(string name, string? process = null)
    {
        var member = new CollectorMembership(_store, _inventory, Options.Create(new CollectorOptions { Name = name, Lease = Lease, Heartbeat = Heartbeat }),
            NullLogger<CollectorMembership>.Instance, _clock, process);
        _members.Add(member);
        return member;
    }

    private static async Task BeatAllAsync(params CollectorMembership[] members)
    {
        foreach (var member in members)
        {
            await member.BeatAsync(CancellationToken.None);
        }
    }

    /// <summary>Every device owned by exactly one of the members, and all of them agreeing on the members.</summary>
    private void AssertSplitOnce(IReadOnlyList<CollectorMembership> members)
    {
        Assert.All(members, m => Assert.Equal(members.Select(x => x.Name).Order(StringComparer.Ordinal), m.Current.Members));
        Assert.All(_inventory.Current.Devices.Keys, d => Assert.Equal(1, members.Count(m => m.Current.Owns(d))));
        Assert.All(members, m => Assert.Contains(_inventory.Current.Devices.Keys, m.Current.Owns));
    }

    private static FleetInventory Fleet(int devices)
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "lab");
        return new FleetInventory([new Site("rathaus", "Rathaus")],
            [.. Enumerable.Range(0, devices).Select(i => new Device($"acc-{i:00}", $"Access {i}", DeviceClass.Access, "rathaus", null, snmp, []))],
            [], [], [], []);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.DisposeAsync();
        }
    }

    /// <summary>The in-memory store with an outage the test switches on: every call fails as a refused connection does.</summary>
    private sealed class FlakyStore(IMembershipStore inner) : IMembershipStore
    {
        public bool Down { get; set; }

        public string Description => "flaky " + inner.Description;

        public Task<MembershipView> HeartbeatAsync(MemberHeartbeat heartbeat, CancellationToken cancellationToken) =>
            Down ? throw new System.Net.Sockets.SocketException(111) : inner.HeartbeatAsync(heartbeat, cancellationToken);

        public Task LeaveAsync(string name, string? process, CancellationToken cancellationToken) =>
            Down ? throw new System.Net.Sockets.SocketException(111) : inner.LeaveAsync(name, process, cancellationToken);

        public Task<MembershipView> ReadAsync(CancellationToken cancellationToken) =>
            Down ? throw new System.Net.Sockets.SocketException(111) : inner.ReadAsync(cancellationToken);
    }
}
