using System.Collections.Immutable;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>The model: each entity's state, the changes pending since the last delta, and the versioned deltas handed out.</summary>
public sealed partial class StateEngine
{
    private readonly Dictionary<EntityRef, EntityState> _states = [];
    private readonly Dictionary<EntityRef, EntityState> _pending = [];
    private readonly HashSet<EntityRef> _pendingRemoved = [];
    private readonly Dictionary<string, long> _pendingSequences = new(StringComparer.Ordinal);

    /// <summary>Whether an entity changed its value (up, down, ...) since the observation being applied began.</summary>
    private bool _stateValuesChanged;

    public EntityState? Get(EntityRef entity) => _states.GetValueOrDefault(entity);

    /// <summary>
    /// Takes over a model another engine published (a standby becoming active): its states, its version, and the
    /// sequences it applied, so that deltas go on from the next version and redelivered observations are skipped.
    /// </summary>
    public StateDelta? Restore(StateSnapshot snapshot, FleetInventory inventory)
    {
        _states.Clear();
        _pending.Clear();
        _pendingRemoved.Clear();
        _pendingSequences.Clear();
        _unansweredFrom.Clear();
        _lastOutages.Clear();
        foreach (var state in snapshot.States)
        {
            _states[state.Entity] = state;
        }

        foreach (var (source, sequence) in snapshot.Sequences)
        {
            _lastSequence[source] = sequence;
        }

        Version = snapshot.Version;
        return SetInventory(inventory);
    }

    private void Put(EntityState state)
    {
        var previous = _states.GetValueOrDefault(state.Entity);
        _states[state.Entity] = state;
        if (state.Entity.Kind == EntityKind.Link && previous is { Value: StateValue.Down } && state.Value != StateValue.Down)
        {
            _lastOutages[state.Entity.Id] = new Outage(previous.Since, state.Since);
        }

        if (previous is null || previous.Value != state.Value)
        {
            _stateValuesChanged = true;
        }

        if (previous is null || !previous.SameHealthAs(state) || previous.ObservedAt != state.ObservedAt ||
            !MetricsEqual(previous.Metrics, state.Metrics) || !AttributesEqual(previous.Attributes, state.Attributes))
        {
            _pending[state.Entity] = state;
            _pendingRemoved.Remove(state.Entity);
        }
    }

    private StateDelta? TakeDelta()
    {
        if (_pending.Count == 0 && _pendingRemoved.Count == 0)
        {
            return null;
        }

        Version++;
        var delta = new StateDelta(Version, _pending.Values.ToList(), _pendingRemoved.ToList())
        {
            Sequences = new Dictionary<string, long>(_pendingSequences, StringComparer.Ordinal),
        };
        _pending.Clear();
        _pendingRemoved.Clear();
        _pendingSequences.Clear();
        return delta;
    }

    private static bool MetricsEqual(ImmutableSortedDictionary<string, double> a, ImmutableSortedDictionary<string, double> b) => SameEntries(a, b);

    private static bool AttributesEqual(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) => SameEntries(a, b);

    // Called for every entity an observation touches: no LINQ, no closure; the same map (kept when unchanged) is equal at once.
    private static bool SameEntries<T>(ImmutableSortedDictionary<string, T> a, ImmutableSortedDictionary<string, T> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<T>.Default.Equals(other, value))
            {
                return false;
            }
        }

        return true;
    }

    private static ImmutableSortedDictionary<string, double> Metrics(params (string Key, double Value)[] values) =>
        values.ToImmutableSortedDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static IEnumerable<EntityRef> EntitiesOf(FleetInventory inventory)
    {
        foreach (var device in inventory.Devices.Values)
        {
            yield return EntityRef.Device(device.Id);
            foreach (var port in device.Ports)
            {
                yield return EntityRef.Port(device.Id, port.Name);
            }
        }

        foreach (var link in inventory.Links.Values)
        {
            yield return EntityRef.Link(link.Id);
        }

        foreach (var node in inventory.Nodes.Values)
        {
            yield return EntityRef.Node(node.Id);
        }

        foreach (var endpoint in inventory.Endpoints.Values)
        {
            yield return EntityRef.Endpoint(endpoint.Id);
        }
    }
}
