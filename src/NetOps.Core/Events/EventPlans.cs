using NetOps.Core.Inventory;

namespace NetOps.Core.Events;

/// <summary>A node planned for an event kept in the operational database: in which zone, from when until when.</summary>
public sealed record NodePlan(string NodeId, string ZoneId, DateTimeOffset From, DateTimeOffset Until);

/// <summary>
/// An event created or edited on the dashboard: the event (times, zones) and where its nodes stand. It takes the place of
/// an inventory event with the same id, and of that event's node assignments, until it is deleted again.
/// </summary>
public sealed record StoredEvent(Event Event, IReadOnlyList<NodePlan> Nodes, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>An operator moved an event to <see cref="Phase"/> by hand at <see cref="At"/>.</summary>
public sealed record EventTransition(string EventId, EventPhase Phase, DateTimeOffset At, string By);

/// <summary>
/// What the operational database adds to the inventory's events: events made on the dashboard and the phases operators
/// set by hand. <see cref="ApplyTo"/> gives the inventory every part of NetOps reads (engine, collector, alerts, pages),
/// so an event's windows are the same everywhere.
/// </summary>
public sealed record EventPlans(IReadOnlyList<StoredEvent> Events, IReadOnlyList<EventTransition> Transitions)
{
    public static EventPlans None { get; } = new([], []);

    public bool IsEmpty => Events.Count == 0 && Transitions.Count == 0;

    /// <summary>
    /// The inventory with the stored events in place of the file's (their node assignments too) and each manual
    /// transition applied to its event's times and assignments:
    /// <list type="bullet">
    /// <item>setup at T: the event's things are deployed from T (assignments that begin later begin at T);</item>
    /// <item>live at T: the event starts at T (and its things are deployed from T at the latest);</item>
    /// <item>teardown at T: the event ends at T;</item>
    /// <item>closed at T: the event ends at T at the latest and its things are packed away at T.</item>
    /// </list>
    /// An assignment moved earlier never reaches back into the node's previous assignment: a node stands in one place.
    /// </summary>
    public FleetInventory ApplyTo(FleetInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (IsEmpty)
        {
            return inventory;
        }

        var events = inventory.Events.Values.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var nodes = inventory.Nodes.Values.ToDictionary(n => n.Id, n => n.Assignments.ToList(), StringComparer.Ordinal);
        foreach (var stored in Events)
        {
            // The dashboard edits times, zones and nodes; the site plan stays the inventory's.
            events[stored.Event.Id] = events.TryGetValue(stored.Event.Id, out var file) ? stored.Event with { Plan = file.Plan } : stored.Event;
            foreach (var assignments in nodes.Values)
            {
                assignments.RemoveAll(a => a.EventId == stored.Event.Id);
            }

            foreach (var plan in stored.Nodes.Where(p => nodes.ContainsKey(p.NodeId)))
            {
                nodes[plan.NodeId].Add(new Assignment(stored.Event.Id, plan.ZoneId, plan.From, plan.Until));
            }
        }

        // An endpoint that travels with its node holds its node's assignments (the parser copies them): it follows the stored plan too.
        var endpoints = inventory.Endpoints.Values.ToDictionary(e => e.Id,
            e => Travels(inventory, e) ? [.. nodes[e.NodeId]] : e.Assignments.ToList(), StringComparer.Ordinal);
        foreach (var transition in Transitions.OrderBy(t => t.At).Where(t => events.ContainsKey(t.EventId)))
        {
            events[transition.EventId] = Apply(events[transition.EventId], transition);
            foreach (var assignments in nodes.Values.Concat(endpoints.Values))
            {
                Apply(assignments, transition);
            }
        }

        return new FleetInventory(
            inventory.Sites.Values,
            inventory.Devices.Values,
            inventory.Links.Values,
            inventory.Nodes.Values.Select(n => n with { Assignments = Sorted(nodes[n.Id]) }),
            inventory.Endpoints.Values.Select(e => e with { Assignments = Sorted(endpoints[e.Id]) }),
            events.Values,
            inventory.Policy,
            inventory.Alerting);
    }

    private static bool Travels(FleetInventory inventory, Endpoint endpoint) =>
        inventory.Nodes.TryGetValue(endpoint.NodeId, out var node) && endpoint.Assignments.SequenceEqual(node.Assignments);

    /// <summary>The phase an operator may move <paramref name="current"/> to: only forward, one or more steps.</summary>
    public static bool CanMove(EventPhase current, EventPhase to) => to > current;

    private static Event Apply(Event ev, EventTransition t) => t.Phase switch
    {
        EventPhase.Live => ev with { Start = t.At, End = ev.End > t.At ? ev.End : t.At },
        EventPhase.Teardown or EventPhase.Closed when ev.End > t.At => ev with { End = t.At, Start = ev.Start < t.At ? ev.Start : t.At },
        _ => ev,
    };

    private static void Apply(List<Assignment> assignments, EventTransition t)
    {
        for (var i = 0; i < assignments.Count; i++)
        {
            var a = assignments[i];
            if (a.EventId != t.EventId)
            {
                continue;
            }

            if (t.Phase is EventPhase.Setup or EventPhase.Live && a.From > t.At)
            {
                // Not before the node left its previous place.
                var previous = assignments.Where(b => b.EventId != t.EventId && b.Until <= a.From).Select(b => b.Until).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
                var from = previous > t.At ? previous : t.At;
                assignments[i] = a with { From = from < a.Until ? from : a.From };
            }
            else if (t.Phase is EventPhase.Closed && a.Until > t.At)
            {
                assignments[i] = a with { From = a.From < t.At ? a.From : t.At, Until = t.At };
            }
        }

        // An assignment closed before it began is gone.
        assignments.RemoveAll(a => a.EventId == t.EventId && a.From >= a.Until);
    }

    private static List<Assignment> Sorted(List<Assignment> assignments) => [.. assignments.OrderBy(a => a.From)];
}

/// <summary>The operational database's events and manual phases.</summary>
public interface IEventStore
{
    /// <summary>Every stored event and transition.</summary>
    Task<EventPlans> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the stored event with <paramref name="stored"/>'s id.</summary>
    Task SaveAsync(StoredEvent stored, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the stored event (an inventory event of that id is in force again), and its manual transitions with it when
    /// <paramref name="withTransitions"/> (an event made on the dashboard: a new one of that id starts afresh); false when
    /// there was none.
    /// </summary>
    Task<bool> DeleteAsync(string eventId, bool withTransitions, CancellationToken cancellationToken);

    /// <summary>Records a manual transition.</summary>
    Task AddTransitionAsync(EventTransition transition, CancellationToken cancellationToken);
}
