using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using NetOps.Core.State;
using NetOps.Testing;

namespace NetOps.Core.Tests;

public sealed class LiveStateViewTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task View_LoadsSnapshot_ThenAppliesDeltasInOrder()
    {
        var feed = new InProcessStateFeed();
        await feed.PublishAsync(Delta(1, ("a", StateValue.Up)), default);
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        view.Start();
        await view.Loaded.WaitAsync(Wait);
        Assert.Equal(StateValue.Up, view.Get(EntityRef.Device("a"))!.Value);

        await feed.PublishAsync(Delta(2, ("a", StateValue.Down)), default);
        await feed.PublishAsync(Delta(3, ("b", StateValue.Up)), default);
        await Eventually.TrueAsync(() => view.Version == 3, Wait, "view at version 3");
        Assert.Equal(StateValue.Down, view.Get(EntityRef.Device("a"))!.Value);
        Assert.Equal(StateValue.Up, view.Get(EntityRef.Device("b"))!.Value);
        Assert.Equal(0, view.Resyncs);
    }

    [Fact]
    public async Task View_SeeingAGap_ResynchronisesFromASnapshot()
    {
        var feed = new GappyFeed();
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        view.Start();
        await view.Loaded.WaitAsync(Wait);

        feed.Publish(Delta(1, ("a", StateValue.Up)));
        await Eventually.TrueAsync(() => view.Version == 1, Wait, "delta 1 applied");
        // Delta 2 is lost on the way; 3 arrives: the view must notice and reload the snapshot (version 3).
        feed.Lose(Delta(2, ("b", StateValue.Down)));
        feed.Publish(Delta(3, ("c", StateValue.Up)));

        await Eventually.TrueAsync(() => view.Version == 3, Wait, "view resynchronised");
        Assert.Equal(1, view.Resyncs);
        Assert.Equal(StateValue.Down, view.Get(EntityRef.Device("b"))!.Value);
    }

    [Fact]
    public async Task Readers_AreToldOfABurstOnce_WithEveryChangedEntity()
    {
        var feed = new InProcessStateFeed();
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(300));
        view.Start();
        await view.Loaded.WaitAsync(Wait);
        var notifications = new ConcurrentQueue<IReadOnlyCollection<EntityRef>>();
        using var subscription = view.Subscribe(notifications.Enqueue);

        for (var i = 1; i <= 50; i++)
        {
            await feed.PublishAsync(Delta(i, ($"d{i}", StateValue.Up)), default);
        }

        await Eventually.TrueAsync(() => notifications.Sum(n => n.Count) == 50, Wait, "all 50 changes told");
        Assert.True(notifications.Count <= 3, $"50 deltas in a burst made {notifications.Count} notifications");
    }

    [Fact]
    public async Task AppliedReaders_AreToldOfEveryDeltaInOrder_ThoughPagesGetOneNotification()
    {
        var feed = new InProcessStateFeed();
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(300));
        view.Start();
        await view.Loaded.WaitAsync(Wait);
        var applied = new ConcurrentQueue<(StateValue Value, bool Removed)>();
        using var subscription = view.SubscribeApplied((states, removed) =>
        {
            foreach (var state in states)
            {
                applied.Enqueue((state.Value, false));
            }

            foreach (var _ in removed)
            {
                applied.Enqueue((StateValue.Unknown, true));
            }
        });

        await feed.PublishAsync(Delta(1, ("a", StateValue.Up)), default);
        await feed.PublishAsync(Delta(2, ("a", StateValue.Down)), default);
        await feed.PublishAsync(Delta(3, ("a", StateValue.Up)), default);
        await feed.PublishAsync(new StateDelta(4, [], [EntityRef.Device("a")]), default);

        await Eventually.TrueAsync(() => applied.Count == 4, Wait, "four applied deltas told");
        Assert.Equal([(StateValue.Up, false), (StateValue.Down, false), (StateValue.Up, false), (StateValue.Unknown, true)], applied.ToArray());
    }

    [Fact]
    public async Task RemovedEntity_LeavesTheView()
    {
        var feed = new InProcessStateFeed();
        await feed.PublishAsync(Delta(1, ("a", StateValue.Up)), default);
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        view.Start();
        await view.Loaded.WaitAsync(Wait);
        await feed.PublishAsync(new StateDelta(2, [], [EntityRef.Device("a")]), default);
        await Eventually.TrueAsync(() => view.Get(EntityRef.Device("a")) is null, Wait, "a removed");
    }

    private static StateDelta Delta(long version, params (string Id, StateValue Value)[] states) =>
        new(version, states.Select(s => State(s.Id, s.Value)).ToList(), []);

    private static EntityState State(string id, StateValue value) =>
        new(EntityRef.Device(id), value, Reason.Of("test"), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "test", TimeSpan.FromMinutes(1))
        {
            Metrics = ImmutableSortedDictionary<string, double>.Empty,
        };

    /// <summary>A feed whose transport can lose a delta, as a broker restart would.</summary>
    private sealed class GappyFeed : IStateFeed
    {
        private readonly InProcessStateFeed _model = new();
        private readonly System.Threading.Channels.Channel<StateDelta> _wire = System.Threading.Channels.Channel.CreateUnbounded<StateDelta>();

        public void Publish(StateDelta delta)
        {
            _model.PublishAsync(delta, default).AsTask().Wait();
            _wire.Writer.TryWrite(delta);
        }

        public void Lose(StateDelta delta) => _model.PublishAsync(delta, default).AsTask().Wait();

        public ValueTask<StateSnapshot> GetSnapshotAsync(Scope scope, CancellationToken cancellationToken) =>
            _model.GetSnapshotAsync(scope, cancellationToken);

        public async IAsyncEnumerable<StateDelta> SubscribeAsync(long afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var delta in _wire.Reader.ReadAllAsync(cancellationToken))
            {
                yield return delta;
            }
        }
    }
}
