using System.Collections.Concurrent;
using NetOps.Core.State;

namespace NetOps.Web.History;

/// <summary>One change of an entity's health, as the detail pages list it.</summary>
public sealed record StateChange(DateTimeOffset At, EntityRef Entity, StateValue From, StateValue To, Reason Reason);

/// <summary>
/// The last health changes per entity, kept by the web process from its one live view (the feed carries states, not their
/// history). Held in memory: a restarted web host starts with an empty list, the states themselves say since when.
/// </summary>
public sealed class StateChangeLog(LiveStateView live) : IHostedService, IDisposable
{
    private const int PerEntity = 20;
    private readonly ConcurrentDictionary<EntityRef, (StateValue Value, Reason Reason)> _last = new();
    private readonly ConcurrentDictionary<EntityRef, StateChange[]> _changes = new();
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var state in live.States)
        {
            _last[state.Entity] = (state.Value, state.Reason);
        }

        _subscription = live.Subscribe(Record);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The last changes of these entities, newest first.</summary>
    public IReadOnlyList<StateChange> For(IEnumerable<EntityRef> entities, int limit = 30) =>
        entities.SelectMany(e => _changes.GetValueOrDefault(e) ?? []).OrderByDescending(c => c.At).Take(limit).ToList();

    /// <summary>Notes what changed; called with the view's coalesced batches (one caller at a time).</summary>
    public void Record(IReadOnlyCollection<EntityRef> changed)
    {
        foreach (var entity in changed)
        {
            var state = live.Get(entity);
            if (state is null)
            {
                _last.TryRemove(entity, out _);
                continue;
            }

            if (_last.TryGetValue(entity, out var before) && (before.Value != state.Value || !before.Reason.Equals(state.Reason)))
            {
                var change = new StateChange(state.Since, entity, before.Value, state.Value, state.Reason);
                _changes.AddOrUpdate(entity, [change], (_, list) => [change, .. list.Take(PerEntity - 1)]);
            }

            _last[entity] = (state.Value, state.Reason);
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
