using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.State;
using NetOps.Engine;
using NetOps.Mqtt;
using NetOps.Testing;

namespace NetOps.Engine.Tests;

/// <summary>
/// What every <see cref="IStateFeed"/> promises its readers, run against the in-process feed and the feed over MQTT
/// (a real mosquitto): a snapshot then deltas in order, a gap noticed and repaired from a snapshot, bursts coalesced.
/// </summary>
public abstract class StateFeedContract : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    protected IStatePublisher Publisher { get; set; } = null!;

    protected abstract Task<IStateFeed> NewReaderAsync();

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Snapshot_HoldsEverythingPublishedSoFar()
    {
        await Publisher.PublishAsync(Delta(1, ("a", StateValue.Up), ("b", StateValue.Down)), default);
        await Publisher.PublishAsync(Delta(2, ("a", StateValue.Degraded)), default);
        var feed = await NewReaderAsync();

        var snapshot = await feed.GetSnapshotAsync(Scope.All, default);

        Assert.Equal(2, snapshot.Version);
        Assert.Equal(StateValue.Degraded, snapshot.States.Single(s => s.Entity == EntityRef.Device("a")).Value);
        Assert.Equal(StateValue.Down, snapshot.States.Single(s => s.Entity == EntityRef.Device("b")).Value);
        Assert.Equal(2, snapshot.Sequences["collector#1"]);
    }

    [Fact]
    public async Task Subscriber_GetsEveryDeltaAfterItsVersion_InOrder()
    {
        var feed = await NewReaderAsync();
        using var cts = new CancellationTokenSource(Wait);
        var received = new List<long>();
        // Starting the enumeration registers the subscription before anything is published.
        await using var deltas = feed.SubscribeAsync(0, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = deltas.MoveNextAsync();

        for (var version = 1; version <= 50; version++)
        {
            await Publisher.PublishAsync(Delta(version, ($"d{version % 7}", version % 2 == 0 ? StateValue.Up : StateValue.Down)), default);
        }

        while (await next)
        {
            received.Add(deltas.Current.Version);
            if (received.Count == 50)
            {
                break;
            }

            next = deltas.MoveNextAsync();
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(v => (long)v), received);
    }

    [Fact]
    public async Task LiveView_SeeingAVersionGap_ResynchronisesFromASnapshot()
    {
        var feed = await NewReaderAsync();
        await Publisher.PublishAsync(Delta(1, ("a", StateValue.Up)), default);
        await using var view = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        view.Start();
        await Eventually.TrueAsync(() => view.Version == 1, Wait, "view loaded at version 1");

        // A jump from 1 to 4 is what lost deltas (a dropped connection, an overrun reader) look like: it must trigger a resync.
        await Publisher.PublishAsync(Delta(4, ("b", StateValue.Down)), default);
        await Publisher.PublishAsync(Delta(5, ("c", StateValue.Up)), default);

        await Eventually.TrueAsync(() => view.Version == 5 && view.Get(EntityRef.Device("b")) is not null, Wait, "view resynchronised");
        Assert.True(view.Resyncs >= 1);
        Assert.Equal(StateValue.Down, view.Get(EntityRef.Device("b"))!.Value);
    }

    [Fact]
    public async Task LiveView_CoalescesABurst_AndTellsEveryChange()
    {
        var feed = await NewReaderAsync();
        await Publisher.PublishAsync(Delta(1, ("seed", StateValue.Up)), default);
        // The coalescing window runs on a fake clock: a burst applied within one window is told once, however long the
        // machine takes to deliver it.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var window = TimeSpan.FromMilliseconds(400);
        await using var view = new LiveStateView(feed, clock, window);
        view.Start();
        await Eventually.TrueAsync(() => view.Version == 1, Wait, "view loaded");
        var told = new ConcurrentQueue<IReadOnlyCollection<EntityRef>>();
        using var subscription = view.Subscribe(told.Enqueue);

        for (var version = 2; version <= 201; version++)
        {
            await Publisher.PublishAsync(Delta(version, ($"burst{version}", StateValue.Up)), default);
        }

        await Eventually.TrueAsync(() => view.Version == 201, Wait, "every delta applied");
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(window);
            return told.SelectMany(t => t).Count(e => e.Id.StartsWith("burst", StringComparison.Ordinal)) == 200;
        }, Wait, "every change told");
        Assert.Single(told, t => t.Any(e => e.Id.StartsWith("burst", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LateReader_SeesTheSameStateAsAnEarlyOne()
    {
        var early = await NewReaderAsync();
        await using var earlyView = new LiveStateView(early, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        await Publisher.PublishAsync(Delta(1, ("a", StateValue.Up)), default);
        earlyView.Start();
        for (var version = 2; version <= 20; version++)
        {
            await Publisher.PublishAsync(Delta(version, ($"x{version % 5}", (StateValue)(version % 4))), default);
        }

        var late = await NewReaderAsync();
        await using var lateView = new LiveStateView(late, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        lateView.Start();
        await Eventually.TrueAsync(() => earlyView.Version == 20 && lateView.Version == 20, Wait, "both views at version 20");
        Assert.Equal(
            earlyView.States.OrderBy(s => s.Entity.Id, StringComparer.Ordinal).Select(s => (s.Entity, s.Value)),
            lateView.States.OrderBy(s => s.Entity.Id, StringComparer.Ordinal).Select(s => (s.Entity, s.Value)));
    }

    protected static StateDelta Delta(long version, params (string Id, StateValue Value)[] states) =>
        new(version, states.Select(s => new EntityState(EntityRef.Device(s.Id), s.Value, Reason.Of("test", ("v", version)),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(version), "collector#1", TimeSpan.FromMinutes(1))
        {
            Metrics = ImmutableSortedDictionary<string, double>.Empty.Add("n", version),
        }).ToList(), [])
        {
            Sequences = new Dictionary<string, long> { ["collector#1"] = version },
        };
}

public sealed class InProcessStateFeedContract : StateFeedContract
{
    private readonly InProcessStateFeed _feed = new();

    public override Task InitializeAsync()
    {
        Publisher = _feed;
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;

    protected override Task<IStateFeed> NewReaderAsync() => Task.FromResult<IStateFeed>(_feed);
}

public sealed class MqttStateFeedContract : StateFeedContract
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TestMeterFactory _meters = new();
    private Mosquitto _broker = null!;
    private MqttStatePublisher _publisher = null!;
    private int _readers;

    public override async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync();
        _publisher = new MqttStatePublisher(Options("engine"), "engine-test", TimeSpan.FromSeconds(30), NullLogger<MqttStatePublisher>.Instance);
        await _publisher.StartAsync(new CancellationTokenSource(Wait).Token);
        Publisher = _publisher;
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _publisher.DisposeAsync();
        await _broker.DisposeAsync();
        _meters.Dispose();
    }

    protected override async Task<IStateFeed> NewReaderAsync()
    {
        var feed = new MqttStateFeed(Options("reader"), $"reader-{Interlocked.Increment(ref _readers)}", TimeSpan.FromSeconds(5),
            NullLogger<MqttStateFeed>.Instance, _meters);
        _owned.Add(feed);
        feed.Start();
        await Eventually.TrueAsync(() => feed.IsConnected, Wait, "reader connected");
        return feed;
    }

    private MqttOptions Options(string role) => new()
    {
        Host = "127.0.0.1",
        Port = _broker.Port,
        Username = Mosquitto.Username,
        Password = Mosquitto.Password,
        ClientId = role,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
    };
}
