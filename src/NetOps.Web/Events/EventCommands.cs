using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Events;
using NetOps.Core.Security;
using NetOps.Inventory;

namespace NetOps.Web.Events;

/// <summary>How an operator's change of an event ended.</summary>
public enum EventCommandStatus
{
    Done,
    NotFound,
    Invalid,
    Conflict,

    /// <summary>No operational database here: events cannot be stored.</summary>
    Unavailable,
}

/// <summary>The outcome of an event command, with what was wrong when it was refused.</summary>
public sealed record EventCommandResult(EventCommandStatus Status, IReadOnlyList<string> Errors)
{
    public static EventCommandResult Done { get; } = new(EventCommandStatus.Done, []);

    public static EventCommandResult Refused(EventCommandStatus status, params string[] errors) => new(status, errors);
}

/// <summary>
/// What operators do to events, for the page and the API alike: move an event to a later phase by hand, create or edit
/// one, delete a stored one. Each is stored in the operational database, in force at once in this process (other
/// processes within <see cref="PlannedInventory.PollInterval"/>) and written to the audit log with who, when and from where.
/// </summary>
public sealed class EventCommands(IServiceProvider services, IInventoryProvider inventory, TimeProvider time)
{
    private IEventStore? Store => services.GetService<IEventStore>();

    /// <summary>Whether events can be stored here (a host with the operational database).</summary>
    public bool Available => Store is not null;

    /// <summary>Moves <paramref name="eventId"/> to <paramref name="to"/> now: only forward (setup, live, teardown, closed).</summary>
    public async Task<EventCommandResult> MoveAsync(string eventId, EventPhase to, string by, string? address, CancellationToken cancellationToken)
    {
        if (Store is not { } store)
        {
            return EventCommandResult.Refused(EventCommandStatus.Unavailable, "no operational database here");
        }

        var fleet = inventory.Current;
        if (!fleet.Events.TryGetValue(eventId, out var ev))
        {
            return EventCommandResult.Refused(EventCommandStatus.NotFound, $"no event '{eventId}'");
        }

        var now = time.GetUtcNow();
        var lifecycle = EventLifecycle.Of(fleet, ev);
        var current = lifecycle.PhaseAt(now);
        if (!EventPlans.CanMove(current, to))
        {
            return EventCommandResult.Refused(EventCommandStatus.Conflict,
                $"{ev.Name} is in {Name(current)}: it can only move forward, to a phase after that");
        }

        // Setup deploys the event's things from now: an event that plans none has nothing to set up.
        if (to == EventPhase.Setup && !fleet.Nodes.Values.SelectMany(n => n.Assignments).Concat(fleet.Endpoints.Values.SelectMany(e => e.Assignments))
                .Any(a => a.EventId == eventId))
        {
            return EventCommandResult.Refused(EventCommandStatus.Conflict, $"nothing is planned for {ev.Name}: there is nothing to set up");
        }

        await store.AddTransitionAsync(new EventTransition(eventId, to, now, by), cancellationToken).ConfigureAwait(false);
        await InForceAsync(cancellationToken).ConfigureAwait(false);
        await AuditAsync(by, AuditActions.EventPhase, eventId, address, $"{Name(current)} → {Name(to)}").ConfigureAwait(false);
        return EventCommandResult.Done;
    }

    /// <summary>Creates or replaces the stored event <paramref name="stored"/>, checked by <see cref="EventEditing.Validate"/>.</summary>
    public async Task<EventCommandResult> SaveAsync(StoredEvent stored, string by, string? address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (Store is not { } store)
        {
            return EventCommandResult.Refused(EventCommandStatus.Unavailable, "no operational database here");
        }

        var errors = EventEditing.Validate(stored, inventory.Current);
        if (errors.Count > 0)
        {
            return new EventCommandResult(EventCommandStatus.Invalid, errors);
        }

        var created = !inventory.Current.Events.ContainsKey(stored.Event.Id);
        await store.SaveAsync(stored with { UpdatedAt = time.GetUtcNow(), UpdatedBy = by }, cancellationToken).ConfigureAwait(false);
        await InForceAsync(cancellationToken).ConfigureAwait(false);
        await AuditAsync(by, AuditActions.EventSaved, stored.Event.Id, address,
            $"{(created ? "created" : "edited")}: {stored.Event.Zones.Count} zones, {stored.Nodes.Count} nodes").ConfigureAwait(false);
        return EventCommandResult.Done;
    }

    /// <summary>Deletes the stored event: an inventory event of that id is in force again, otherwise it is gone.</summary>
    public async Task<EventCommandResult> DeleteAsync(string eventId, string by, string? address, CancellationToken cancellationToken)
    {
        if (Store is not { } store)
        {
            return EventCommandResult.Refused(EventCommandStatus.Unavailable, "no operational database here");
        }

        // An event of the files keeps what was done to it by hand; one made here is gone with its history.
        var inFiles = services.GetService<PlannedInventory>()?.Files.Events.ContainsKey(eventId) ?? false;
        if (!await store.DeleteAsync(eventId, withTransitions: !inFiles, cancellationToken).ConfigureAwait(false))
        {
            return EventCommandResult.Refused(EventCommandStatus.NotFound, $"no event '{eventId}' made on the dashboard");
        }

        await InForceAsync(cancellationToken).ConfigureAwait(false);
        await AuditAsync(by, AuditActions.EventDeleted, eventId, address, null).ConfigureAwait(false);
        return EventCommandResult.Done;
    }

    /// <summary>Whether <paramref name="eventId"/> was made or edited on the dashboard (it can be deleted there).</summary>
    public bool IsStored(string eventId) =>
        services.GetService<PlannedInventory>() is { } planned && planned.Plans.Events.Any(e => e.Event.Id == eventId);

    private static string Name(EventPhase phase) => phase.ToString().ToLowerInvariant();

    private async Task InForceAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<PlannedInventory>() is { } planned)
        {
            await planned.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Task AuditAsync(string by, string action, string target, string? address, string? detail) =>
        services.GetService<IAuditLog>() is { } log
            // Not the request's token: the line is written even when the client has gone away.
            ? log.WriteAsync(new AuditEvent(time.GetUtcNow(), by, action, target, address, detail), CancellationToken.None)
            : Task.CompletedTask;
}
