using System.Collections.Concurrent;

namespace NetOps.Core.State;

/// <summary>
/// One process's view of the live state: a single subscription to the feed that loads a snapshot, applies
/// deltas in order, resynchronises on a gap, and tells its many readers (browser sessions) what changed,
/// coalescing bursts into one notification per interval.
/// </summary>
public sealed class LiveStateView : IStateReader, IAsyncDisposable
{
    private readonly IStateFeed _feed;
    private readonly TimeProvider _time;
    private readonly TimeSpan _coalesce;
    private readonly ConcurrentDictionary<EntityRef, EntityState> _states = new();
    private readonly ConcurrentDictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Action<IReadOnlyCollection<EntityRef>>> _readers = new();
    private readonly ConcurrentDictionary<Guid, Action<IReadOnlyCollection<EntityState>, IReadOnlyCollection<EntityRef>>> _appliedReaders = new();
    private readonly Lock _pendingGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<EntityRef> _pending = [];
    private Task? _run;

    public LiveStateView(IStateFeed feed, TimeProvider time, TimeSpan? coalesce = null)
    {
        _feed = feed;
        _time = time;
        _coalesce = coalesce ?? TimeSpan.FromMilliseconds(150);
    }

    /// <summary>The version of the last applied delta or snapshot.</summary>
    public long Version { get; private set; }

    /// <summary>How many times the view reloaded a snapshot because it saw a gap or its feed broke.</summary>
    public int Resyncs { get; private set; }

    /// <summary>Why the feed last broke, for readiness and logs; null while it never did.</summary>
    public string? LastError { get; private set; }

    public IReadOnlyCollection<EntityState> States => (IReadOnlyCollection<EntityState>)_states.Values;

    public EntityState? Get(EntityRef entity) => _states.GetValueOrDefault(entity);

    /// <summary>The model as this view holds it, for a standby engine that takes over.</summary>
    public StateSnapshot ToSnapshot() => new(Version, _states.Values.ToList())
    {
        Sequences = new Dictionary<string, long>(_sequences, StringComparer.Ordinal),
    };

    /// <summary>Completes when the first snapshot has been loaded.</summary>
    public Task Loaded => _loaded.Task;

    public void Start()
    {
        _run ??= Task.WhenAll(Task.Run(() => FollowAsync(_stop.Token)), Task.Run(() => FlushAsync(_stop.Token)));
    }

    /// <summary>Registers a reader told of changed entities at most once per coalescing interval.</summary>
    public IDisposable Subscribe(Action<IReadOnlyCollection<EntityRef>> onChanged)
    {
        var id = Guid.NewGuid();
        _readers[id] = onChanged;
        return new Registration(() => _readers.TryRemove(id, out _));
    }

    /// <summary>
    /// Registers a reader told of every state the view applies, in version order, on the view's feed loop (it must return
    /// at once: the next delta waits): each delta's changed states and removed entities, and on a (re)loaded snapshot all
    /// its states and the entities that left. Nothing is coalesced, so a recorder misses no intermediate state, except
    /// what a gap skipped (the snapshot that closes it carries each entity's latest state only).
    /// </summary>
    public IDisposable SubscribeApplied(Action<IReadOnlyCollection<EntityState>, IReadOnlyCollection<EntityRef>> onApplied)
    {
        var id = Guid.NewGuid();
        _appliedReaders[id] = onApplied;
        return new Registration(() => _appliedReaders.TryRemove(id, out _));
    }

    private void TellApplied(IReadOnlyCollection<EntityState> states, IReadOnlyCollection<EntityRef> removed)
    {
        foreach (var reader in _appliedReaders.Values)
        {
            try
            {
                reader(states, removed);
            }
            catch (Exception)
            {
                // A broken reader must not stop the view.
            }
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Subscribe first, then load: a delta published in between is seen twice, never missed.
                await using var deltas = _feed.SubscribeAsync(0, cancellationToken).GetAsyncEnumerator(cancellationToken);
                var first = deltas.MoveNextAsync();
                await LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
                var next = first;
                while (await next.ConfigureAwait(false))
                {
                    var delta = deltas.Current;
                    if (delta.Version <= Version)
                    {
                        next = deltas.MoveNextAsync();
                        continue;
                    }

                    if (delta.Version != Version + 1)
                    {
                        Resyncs++;
                        await LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
                        next = deltas.MoveNextAsync();
                        continue;
                    }

                    Apply(delta);
                    next = deltas.MoveNextAsync();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The feed broke (broker gone, say): start over with a fresh snapshot after a pause.
                LastError = $"{e.GetType().Name}: {e.Message}";
                Resyncs++;
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task LoadSnapshotAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _feed.GetSnapshotAsync(Scope.All, cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<EntityRef>();
        var changed = new List<EntityRef>();
        foreach (var state in snapshot.States)
        {
            seen.Add(state.Entity);
            _states[state.Entity] = state;
            changed.Add(state.Entity);
        }

        var left = _states.Keys.Where(k => !seen.Contains(k)).ToList();
        foreach (var gone in left)
        {
            _states.TryRemove(gone, out _);
            changed.Add(gone);
        }

        _sequences.Clear();
        foreach (var (source, sequence) in snapshot.Sequences)
        {
            _sequences[source] = sequence;
        }

        Version = snapshot.Version;
        TellApplied(snapshot.States, left);
        MarkChanged(changed);
        _loaded.TrySetResult();
    }

    private void Apply(StateDelta delta)
    {
        foreach (var removed in delta.Removed)
        {
            _states.TryRemove(removed, out _);
        }

        foreach (var state in delta.Changed)
        {
            _states[state.Entity] = state;
        }

        foreach (var (source, sequence) in delta.Sequences)
        {
            _sequences[source] = sequence;
        }

        Version = delta.Version;
        TellApplied(delta.Changed, delta.Removed);
        MarkChanged(delta.Changed.Select(s => s.Entity).Concat(delta.Removed));
    }

    private void MarkChanged(IEnumerable<EntityRef> entities)
    {
        lock (_pendingGate)
        {
            _pending.UnionWith(entities);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_coalesce, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                HashSet<EntityRef> batch;
                lock (_pendingGate)
                {
                    if (_pending.Count == 0)
                    {
                        continue;
                    }

                    batch = _pending;
                    _pending = [];
                }

                foreach (var reader in _readers.Values)
                {
                    try
                    {
                        reader(batch);
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        // One broken reader (a closed circuit) must not stop the others.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();
        _loaded.TrySetCanceled();
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
