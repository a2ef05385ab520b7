using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>
/// One planned camera, sensor or other endpoint of a zone, with its live state while it is deployed for this event (null
/// before any evidence, and while it is in storage or at another event).
/// </summary>
public sealed record EndpointCoverage(Endpoint Endpoint, bool Deployed, EntityState? State)
{
    public bool Reachable => EventCoverage.IsReachable(State);
}

/// <summary>One planned mobile node of a zone, with its live state while it is deployed for this event.</summary>
public sealed record NodeCoverage(MobileNode Node, bool Deployed, EntityState? State)
{
    public bool Reachable => EventCoverage.IsReachable(State);

    /// <summary>Its power and uplink against its node class's thresholds; nothing expected while it is not deployed here.</summary>
    public NodePower Power(HealthPolicy policy, ReasonText text)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Deployed ? NodePower.Of(State, policy.NodeClass(Node.Class), text) : NodePower.NotDeployed;
    }
}

/// <summary>Something deployed in a zone that does not do its job, and why ("cam-3: MAC not seen on …").</summary>
public sealed record CoverageGap(EntityRef Entity, string Name, string Reason);

/// <summary>A zone: its planned nodes and endpoints, and how many of each kind are reachable.</summary>
public sealed record ZoneCoverage(Zone Zone, IReadOnlyList<NodeCoverage> Nodes, IReadOnlyList<EndpointCoverage> Endpoints)
{
    public int Planned => Endpoints.Count;

    public int Reachable => Endpoints.Count(e => e.Reachable);

    /// <summary>Those deployed here now: expected to be reachable while the event is set up or live.</summary>
    public int Expected => Endpoints.Count(e => e.Deployed);

    /// <summary>Reachable of planned per endpoint kind ("5 of 6 cameras").</summary>
    public IReadOnlyDictionary<EndpointKind, (int Reachable, int Planned)> ByKind =>
        Endpoints.GroupBy(e => e.Endpoint.Kind).ToDictionary(g => g.Key, g => (g.Count(e => e.Reachable), g.Count()));

    /// <summary>The share reachable, 0 to 100; 100 for a zone with nothing planned.</summary>
    public double Percent => Planned == 0 ? 100 : 100.0 * Reachable / Planned;

    /// <summary>The share of those deployed now that is reachable, 0 to 100; 100 for a zone with nothing deployed (what alerting compares).</summary>
    public double ExpectedPercent => Expected == 0 ? 100 : 100.0 * Reachable / Expected;

    /// <summary>
    /// The zone's gaps, each with its reason: deployed nodes whose power or uplink is not right (battery, LTE, silence),
    /// then deployed endpoints that are not reachable. What is only planned (not deployed yet) is no gap.
    /// </summary>
    public IReadOnlyList<CoverageGap> Gaps(HealthPolicy policy, ReasonText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var gaps = new List<CoverageGap>();
        foreach (var node in Nodes)
        {
            if (node.Power(policy, text).Gap is { } reason)
            {
                gaps.Add(new CoverageGap(EntityRef.Node(node.Node.Id), node.Node.Name, reason));
            }
        }

        foreach (var endpoint in Endpoints.Where(e => e.Deployed && !e.Reachable))
        {
            gaps.Add(new CoverageGap(EntityRef.Endpoint(endpoint.Endpoint.Id), endpoint.Endpoint.Name,
                endpoint.State is { } state ? text.Render(state.Reason) : "no evidence yet"));
        }

        return gaps;
    }
}

/// <summary>
/// An event's coverage: per zone, what is planned there (the nodes and endpoints assigned to the zone for this event, at
/// any time: before setup a coordinator sees the plan) and what of it is reachable now.
/// </summary>
public sealed record EventCoverage(Event Event, EventLifecycle Lifecycle, EventPhase Phase, IReadOnlyList<ZoneCoverage> Zones)
{
    public int Planned => Zones.Sum(z => z.Planned);

    public int Reachable => Zones.Sum(z => z.Reachable);

    /// <summary>Connected: up, or degraded (reachable with a fault).</summary>
    public static bool IsReachable(EntityState? state) => state?.Value is StateValue.Up or StateValue.Degraded;

    /// <summary>The coverage of <paramref name="ev"/> at <paramref name="now"/> from <paramref name="live"/>.</summary>
    public static EventCoverage Of(FleetInventory inventory, Event ev, IStateReader live, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        return Of(inventory, ev, live.Get, now);
    }

    /// <summary>The coverage of <paramref name="ev"/> at <paramref name="now"/> with each thing's state from <paramref name="stateOf"/>.</summary>
    public static EventCoverage Of(FleetInventory inventory, Event ev, Func<EntityRef, EntityState?> stateOf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(stateOf);
        var live = stateOf;
        var lifecycle = EventLifecycle.Of(inventory, ev);
        var nodes = inventory.Nodes.Values
            .Select(n => (Node: n, Zone: ZoneOf(n.Assignments, ev.Id, now)))
            .Where(x => x.Zone is not null)
            .ToLookup(x => x.Zone!, x => x.Node, StringComparer.Ordinal);
        var endpoints = inventory.Endpoints.Values
            .Select(e => (Endpoint: e, Zone: ZoneOf(inventory.AssignmentsOf(e), ev.Id, now)))
            .Where(x => x.Zone is not null)
            .ToLookup(x => x.Zone!, x => x.Endpoint, StringComparer.Ordinal);
        var zones = ev.Zones
            .Select(z => new ZoneCoverage(z,
                [.. nodes[z.Id].OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => Node(n, Here(n.Assignments, ev.Id, now), live))],
                [.. endpoints[z.Id].OrderBy(e => e.Kind).ThenBy(e => e.Id, StringComparer.Ordinal)
                    .Select(e => Endpoint(e, Here(inventory.AssignmentsOf(e), ev.Id, now), live))]))
            .ToList();
        return new EventCoverage(ev, lifecycle, lifecycle.PhaseAt(now), zones);
    }

    private static NodeCoverage Node(MobileNode node, bool deployed, Func<EntityRef, EntityState?> stateOf) =>
        new(node, deployed, deployed ? stateOf(EntityRef.Node(node.Id)) : null);

    private static EndpointCoverage Endpoint(Endpoint endpoint, bool deployed, Func<EntityRef, EntityState?> stateOf) =>
        new(endpoint, deployed, deployed ? stateOf(EntityRef.Endpoint(endpoint.Id)) : null);

    private static bool Here(IReadOnlyList<Assignment> assignments, string eventId, DateTimeOffset now) =>
        FleetInventory.CurrentAssignment(assignments, now)?.EventId == eventId;

    /// <summary>
    /// The zone a node or endpoint is planned in for the event: the assignment in force now when it is for this event,
    /// otherwise the event's assignment nearest to now (a thing may move between zones of one event).
    /// </summary>
    private static string? ZoneOf(IReadOnlyList<Assignment> assignments, string eventId, DateTimeOffset now)
    {
        var mine = assignments.Where(a => a.EventId == eventId).ToList();
        if (mine.Count == 0)
        {
            return null;
        }

        return (mine.FirstOrDefault(a => a.Covers(now))
            ?? mine.OrderBy(a => a.Until <= now ? now - a.Until : a.From - now).First()).ZoneId;
    }
}
