using NetOps.Core.Alerts;
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
    public static Availability Of(EntityRef entity, IReadOnlyList<StateChange> changes, DateTimeOffset from, DateTimeOffset until) =>
        Of(entity, StateSegments.Of(changes, from, until));

    /// <summary>The availability of <paramref name="entity"/> over its <paramref name="segments"/> (<see cref="StateSegments.Of"/>).</summary>
    public static Availability Of(EntityRef entity, IReadOnlyList<StateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var observed = TimeSpan.Zero;
        var reachable = TimeSpan.Zero;
        var outages = new List<Outage>();
        Outage? open = null;
        foreach (var segment in segments)
        {
            if (segment.Value != StateValue.Inactive)
            {
                observed += segment.Duration;
                reachable += segment.Reachable ? segment.Duration : TimeSpan.Zero;
            }

            if (segment.Value is StateValue.Down or StateValue.Unknown)
            {
                // Consecutive stretches down or without evidence are one outage, named by the reason it began with.
                open = open is null ? new Outage(entity, segment.From, segment.Until, segment.Value, segment.Reason) : open with { End = segment.Until };
            }
            else if (open is not null)
            {
                outages.Add(open);
                open = null;
            }
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
/// planned node, camera and sensor per zone, with every outage; each node's battery episodes and uplink; the alerts raised
/// for the event's things. A zone's availability is the mean of its cameras' and sensors'.
/// </summary>
public sealed record EventReport(Event Event, DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<ReportLine> Lines)
{
    /// <summary>How many alerts of the whole fleet the report looks at, at most: enough for any event's live time.</summary>
    public const int AlertLimit = 5000;

    /// <summary>From when NetOps watched the event: its start, or the first change it recorded of the event's things.</summary>
    public DateTimeOffset WatchedFrom { get; init; } = From;

    /// <summary>Each node's stretches on battery, oldest first.</summary>
    public IReadOnlyList<BatteryEpisode> BatteryEpisodes { get; init; } = [];

    /// <summary>Each node's uplink over the watched time: on fibre, on LTE, without one.</summary>
    public IReadOnlyList<UplinkTime> Uplinks { get; init; } = [];

    /// <summary>The alerts raised during the live time for the event's things, zones or with its event label, oldest first.</summary>
    public IReadOnlyList<Alert> Alerts { get; init; } = [];

    /// <summary>
    /// True when the alert history gave <see cref="AlertLimit"/> alerts of the fleet: older ones of the event may be missing.
    /// Null when no alert history was read (this process runs no alerting).
    /// </summary>
    public bool? AlertsTruncated { get; init; }

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
    /// those <see cref="EventCoverage"/> plans in its zones. With <paramref name="alerts"/> (already scoped to the caller) the
    /// report lists the alerts raised for them.
    /// </summary>
    public static async Task<EventReport?> BuildAsync(FleetInventory inventory, Event ev, IStateHistory history, IAlertBook? alerts,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await EventHistory.ReadAsync(inventory, ev, history, now, cancellationToken).ConfigureAwait(false) is not { } read)
        {
            return null;
        }

        var lines = read.Things
            .Select(t => new ReportLine(t.ZoneId, t.ZoneName, t.Entity, t.Name, t.Kind, Availability.Of(t.Entity, t.Segments)))
            .ToList();
        var nodes = read.Things.Where(t => t.Entity.Kind == EntityKind.Node).ToList();
        var report = new EventReport(ev, ev.Start, read.Until, lines)
        {
            WatchedFrom = read.WatchedFrom,
            BatteryEpisodes = [.. nodes.SelectMany(n => BatteryEpisode.Of(n.ZoneName, n.Entity, n.Name, n.Segments)).OrderBy(e => e.Start)],
            Uplinks = [.. nodes.Select(n => UplinkTime.Of(n.ZoneName, n.Entity, n.Name, n.Segments))],
        };
        if (alerts is null || read.Until <= ev.Start)
        {
            return alerts is null ? report : report with { AlertsTruncated = false };
        }

        var fleet = await alerts.HistoryAsync(ev.Start, read.Until, AlertLimit, cancellationToken).ConfigureAwait(false);
        var subjects = Subjects(inventory, read.Things.Select(t => t.Entity));
        return report with
        {
            Alerts = [.. fleet.Where(a => a.StartsAt >= ev.Start && a.StartsAt < read.Until && Concerns(a, ev, subjects))
                .OrderBy(a => a.StartsAt).ThenBy(a => a.Subject, StringComparer.Ordinal)],
            AlertsTruncated = fleet.Count >= AlertLimit,
        };
    }

    /// <summary>Builds the report without alerts.</summary>
    public static Task<EventReport?> BuildAsync(FleetInventory inventory, Event ev, IStateHistory history, DateTimeOffset now,
        CancellationToken cancellationToken) => BuildAsync(inventory, ev, history, null, now, cancellationToken);

    /// <summary>The planned nodes and endpoints, and each node's switch and its ports: what an event's alert may be about.</summary>
    private static HashSet<string> Subjects(FleetInventory inventory, IEnumerable<EntityRef> planned)
    {
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entity in planned)
        {
            subjects.Add(entity.ToString());
            if (entity.Kind == EntityKind.Node && inventory.Nodes.TryGetValue(entity.Id, out var node) && node.DeviceId is { } device)
            {
                subjects.Add(EntityRef.Device(device).ToString());
            }
        }

        return subjects;
    }

    private static bool Concerns(Alert alert, Event ev, HashSet<string> subjects)
    {
        if (alert.Labels.TryGetValue("event", out var label) && label == ev.Id)
        {
            return true;
        }

        if (subjects.Contains(alert.Subject) || alert.Subject.StartsWith("zone:" + ev.Id + "/", StringComparison.Ordinal))
        {
            return true;
        }

        // A port of a node's switch: "port:switch/ifName".
        return alert.Subject.StartsWith("port:", StringComparison.Ordinal) && alert.Subject.IndexOf('/', StringComparison.Ordinal) is > 5 and var slash &&
               subjects.Contains("device:" + alert.Subject[5..slash]);
    }
}

/// <summary>One planned node or endpoint of an event with its recorded stretches over the watched part of the live time.</summary>
public sealed record PlannedHistory(string ZoneId, string ZoneName, EntityRef Entity, string Name, string Kind, IReadOnlyList<StateSegment> Segments);

/// <summary>
/// The recorded history of an event's planned things over its live time, read once (one query per thing) for the report
/// and the coverage timeline alike.
/// </summary>
public sealed record EventHistory(Event Event, DateTimeOffset Until, DateTimeOffset WatchedFrom, IReadOnlyList<PlannedHistory> Things)
{
    /// <summary>
    /// Reads the history of <paramref name="ev"/>'s planned things (<see cref="EventCoverage"/>) up to
    /// <paramref name="now"/> or its end; null before it starts.
    /// </summary>
    public static async Task<EventHistory?> ReadAsync(FleetInventory inventory, Event ev, IStateHistory history, DateTimeOffset now,
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
        var plan = EventCoverage.Of(inventory, ev, _ => null, ev.Start);
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
        return new EventHistory(ev, until, watched, [.. things.Select(t =>
            new PlannedHistory(t.Zone.Zone.Id, t.Zone.Zone.Name, t.Entity, t.Name, t.Kind, StateSegments.Of(t.Changes, watched, until)))]);
    }
}
