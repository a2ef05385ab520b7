namespace NetOps.Core.State;

/// <summary>One change of an entity's health: when, from which value to which, and why.</summary>
public sealed record StateChange(DateTimeOffset At, EntityRef Entity, StateValue From, StateValue To, Reason Reason);

/// <summary>
/// The recorded state changes, kept across restarts for as long as the operational database's retention says. Read by
/// the dashboard (last changes of a detail page) and by event reports (an entity's changes in a time range).
/// </summary>
public interface IStateHistory
{
    /// <summary>The last <paramref name="limit"/> changes of these entities together, newest first.</summary>
    Task<IReadOnlyList<StateChange>> LastChangesAsync(IEnumerable<EntityRef> entities, int limit, CancellationToken cancellationToken);

    /// <summary>The changes of one entity at or after <paramref name="from"/> and before <paramref name="until"/>, oldest first.</summary>
    Task<IReadOnlyList<StateChange>> ChangesAsync(EntityRef entity, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="recorded"/> with the entities of each batch this process wrote, once it is stored (a change
    /// another process stored first counts too), so a page re-reads only when its entities have new changes. Dispose to stop.
    /// </summary>
    IDisposable Subscribe(Action<IReadOnlyCollection<EntityRef>> recorded);
}
