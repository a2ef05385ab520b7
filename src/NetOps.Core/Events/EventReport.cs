using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>A stretch of time a thing was not reachable (down, or without evidence), and why it started.</summary>
public sealed record Outage(EntityRef Entity, DateTimeOffset Start, DateTimeOffset End, StateValue Value, Reason Reason)
{
    public TimeSpan Duration => End - Start;
}

/// <summary>
/// How long a thing was reachable in a window: time up or degraded over the time it was expected (inactive time, in
/// storage or torn down, is not counted), and each outage.
/// </summary>
public sealed record Availability(EntityRef Entity, TimeSpan Observed, TimeSpan Reachable, IReadOnlyList<Outage> Outages)
{
    /// <summary>Reachable of observed, 0 to 100; null when it was never expected in the window.</summary>
    public double? Percent => Observed > TimeSpan.Zero ? 100.0 * Reachable.Ticks / Observed.Ticks : null;

    /// <summary>
    /// The availability of <paramref name="entity"/> in [<paramref name="from"/>, <paramref name="until"/>) from its recorded
    /// changes (oldest first; those before <paramref name="from"/> give the value it entered the window with; without any,
    /// it entered with no evidence).
    /// </summary>
    public static Availability Of(EntityRef entity, IReadOnlyList<StateChange> changes, DateTimeOffset from, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var before = changes.LastOrDefault(c => c.At <= from);
        var value = before?.To ?? StateValue.Unknown;
        var reason = before?.Reason ?? Reason.Of(ReasonCodes.NoEvidence);
        var at = from;
        var observed = TimeSpan.Zero;
        var reachable = TimeSpan.Zero;
        var outages = new List<Outage>();
        Outage? open = null;
        foreach (var change in changes.Where(c => c.At > from && c.At < until).Append(null))
        {
            var end = change?.At ?? until;
            if (end > at && value != StateValue.Inactive)
            {
                observed += end - at;
                if (value is StateValue.Up or StateValue.Degraded)
                {
                    reachable += end - at;
                }
            }

            var down = value is StateValue.Down or StateValue.Unknown;
            if (down && end > at)
            {
                // Consecutive stretches down or without evidence are one outage, named by the reason it began with.
                open = open is null ? new Outage(entity, at, end, value, reason) : open with { End = end };
            }
            else if (!down && open is not null)
            {
                outages.Add(open);
                open = null;
            }

            if (change is null)
            {
                break;
            }

            (value, reason, at) = (change.To, change.Reason, change.At);
        }

        if (open is not null)
        {
            outages.Add(open);
        }

        return new Availability(entity, observed, reachable, outages);
    }
}

/// <summary>A thing in the report: what it is, where it was planned, its availability over the event's live time.</summary>
public sealed record ReportLine(string ZoneId, string ZoneName, EntityRef Entity, string Name, string Kind, Availability Availability);

/// <summary>
/// The after-event report: over the event's live time (start to end, or to now while it runs), the availability of each
/// planned node, camera and sensor per zone, with every outage. A zone's availability is the mean of its cameras' and
/// sensors'.
/// </summary>
public sealed record EventReport(Event Event, DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<ReportLine> Lines)
{
    /// <summary>From when NetOps watched the event: its start, or the first change it recorded of the event's things.</summary>
    public DateTimeOffset WatchedFrom { get; init; } = From;

    /// <summary>Per zone, the mean availability of its endpoints (null where none was expected).</summary>
    public IReadOnlyList<(string ZoneId, string ZoneName, double? Percent)> Zones =>
        [.. Event.Zones.Select(z =>
        {
            var percents = Lines.Where(l => l.ZoneId == z.Id && l.Entity.Kind == EntityKind.Endpoint && l.Availability.Percent is not null)
                .Select(l => l.Availability.Percent!.Value).ToList();
            return (z.Id, z.Name, percents.Count == 0 ? (double?)null : percents.Average());
        })];

    /// <summary>Every outage of the report, oldest first.</summary>
    public IEnumerable<(ReportLine Line, Outage Outage)> Outages =>
        Lines.SelectMany(l => l.Availability.Outages.Select(o => (l, o))).OrderBy(x => x.o.Start).ThenBy(x => x.l.Entity.ToString(), StringComparer.Ordinal);

    /// <summary>
    /// Builds the report of <paramref name="ev"/> from the recorded history; null before the event starts. The things are
    /// those <see cref="EventCoverage"/> plans in its zones.
    /// </summary>
    public static async Task<EventReport?> BuildAsync(FleetInventory inventory, Event ev, IStateHistory history, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(history);
        if (now < ev.Start)
        {
            return null;
        }

        var until = now < ev.End ? now : ev.End;
        var plan = EventCoverage.Of(inventory, ev, NoStates.Instance, ev.Start);
        var things = new List<(ZoneCoverage Zone, EntityRef Entity, string Name, string Kind, IReadOnlyList<StateChange> Changes)>();
        foreach (var zone in plan.Zones)
        {
            var planned = zone.Nodes.Select(n => (Entity: EntityRef.Node(n.Node.Id), n.Node.Name, Kind: "node"))
                .Concat(zone.Endpoints.Select(e => (Entity: EntityRef.Endpoint(e.Endpoint.Id), e.Endpoint.Name, Kind: EndpointKinds.Name(e.Endpoint.Kind))));
            foreach (var (entity, name, kind) in planned)
            {
                // Everything up to the end: the last change before the start says what the thing entered the live time with.
                var changes = await history.ChangesAsync(entity, DateTimeOffset.UnixEpoch, until, cancellationToken).ConfigureAwait(false);
                things.Add((zone, entity, name, kind, changes));
            }
        }

        // Before NetOps recorded anything of the event it knew nothing of it (it was not running, or not yet watching):
        // that time is not counted, neither as available nor as an outage.
        var first = things.SelectMany(t => t.Changes).Select(c => (DateTimeOffset?)c.At).Min();
        var watched = first is not { } at ? until : at > ev.Start ? (at < until ? at : until) : ev.Start;
        var lines = things
            .Select(t => new ReportLine(t.Zone.Zone.Id, t.Zone.Zone.Name, t.Entity, t.Name, t.Kind, Availability.Of(t.Entity, t.Changes, watched, until)))
            .ToList();
        return new EventReport(ev, ev.Start, until, lines) { WatchedFrom = watched };
    }

    /// <summary>The plan alone: no live state is read for it.</summary>
    private sealed class NoStates : IStateReader
    {
        public static readonly NoStates Instance = new();

        public long Version => 0;

        public IReadOnlyCollection<EntityState> States => [];

        public EntityState? Get(EntityRef entity) => null;
    }
}
