using NetOps.Core.Inventory;

namespace NetOps.Core.State;

/// <summary>The live states a page or a request reads: the whole view, or the part of it one login may see.</summary>
public interface IStateReader
{
    /// <summary>The version of the last applied delta or snapshot.</summary>
    long Version { get; }

    IReadOnlyCollection<EntityState> States { get; }

    EntityState? Get(EntityRef entity);
}

/// <summary>
/// The part of a <see cref="LiveStateView"/> a <see cref="Scope"/> covers (<see cref="ScopeRules"/>), judged against the
/// inventory and the time of each read: what leaves the scope (a node moved to another event) is gone at the next read.
/// </summary>
public sealed class ScopedStateReader(IStateReader view, Scope scope, Func<FleetInventory> inventory, TimeProvider time) : IStateReader
{
    public long Version => view.Version;

    public IReadOnlyCollection<EntityState> States
    {
        get
        {
            var current = inventory();
            var now = time.GetUtcNow();
            return [.. view.States.Where(s => current.Contains(scope, s.Entity, now, s.Attributes))];
        }
    }

    public EntityState? Get(EntityRef entity) =>
        view.Get(entity) is { } state && inventory().Contains(scope, entity, time.GetUtcNow(), state.Attributes) ? state : null;

    /// <summary>The entities of <paramref name="changed"/> this scope covers (a removed entity counts where the inventory still places it).</summary>
    public IReadOnlyCollection<EntityRef> Filter(IReadOnlyCollection<EntityRef> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var current = inventory();
        var now = time.GetUtcNow();
        return [.. changed.Where(e => current.Contains(scope, e, now, view.Get(e)?.Attributes))];
    }

    /// <summary>The whole view for <see cref="Scope.All"/>, otherwise a scoped reader over it.</summary>
    public static IStateReader For(LiveStateView view, Scope scope, Func<FleetInventory> inventory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.IsAll ? view : new ScopedStateReader(view, scope, inventory, time);
    }
}
