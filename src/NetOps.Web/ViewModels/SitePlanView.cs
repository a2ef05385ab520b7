using System.Globalization;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using PlannedZone = NetOps.Core.Events.ZoneCoverage;

namespace NetOps.Web.ViewModels;

/// <summary>How a zone of the site plan is shaded by its coverage.</summary>
public enum PlanShade
{
    /// <summary>Nothing expected: nothing planned, or nothing of it deployed for the event now.</summary>
    None,

    /// <summary>At least <see cref="SitePlanView.GoodPercent"/> reachable.</summary>
    Good,

    /// <summary>At least <see cref="SitePlanView.PartialPercent"/> reachable.</summary>
    Partial,

    /// <summary>Less than <see cref="SitePlanView.PartialPercent"/> reachable.</summary>
    Poor,
}

/// <summary>Where a marker's place on the plan came from.</summary>
public enum PlanSource
{
    /// <summary>The node's last reported GPS position, mapped by the plan's bounds.</summary>
    Gps,

    /// <summary>Placed by hand in the plan's <c>placements</c>.</summary>
    Hand,

    /// <summary>Neither: a node in its zone's centre.</summary>
    Zone,

    /// <summary>Neither: a camera or sensor around its node.</summary>
    Node,
}

/// <summary>A zone as the plan draws it; numbers already formatted for SVG attributes (invariant culture).</summary>
public sealed record PlanZone(string ZoneId, string Name, string Points, string LabelX, string LabelY, int Reachable, int Planned,
    int Percent, PlanShade Shade)
{
    public string Label => $"{Name} {Reachable.ToString(CultureInfo.InvariantCulture)} of {Planned.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A node, camera or sensor on the plan.</summary>
public sealed record PlanMarker(EntityRef Entity, string Name, string Kind, PlanPoint At, PlanSource Source, StateValue Value, string Title)
{
    public string Transform => string.Create(CultureInfo.InvariantCulture, $"translate({At.X:0.#} {At.Y:0.#})");
}

/// <summary>
/// An event's site plan as the coverage page draws it: the zones shaded by coverage and the nodes, cameras and sensors at
/// their places, from the same <see cref="EventCoverage"/> the zone tables show (so only what the page may show).
/// </summary>
/// <remarks>
/// Where a thing goes: a node at its GPS position when it reports one on the plan, else where the plan places it by hand,
/// else in its zone's centre; a camera or sensor where the plan places it by hand, else around its node (nodes move and
/// report where they are; what hangs off them is mounted where the plan says). A thing with no place is not drawn.
/// </remarks>
public sealed record SitePlanView(string ImagePath, double Width, double Height, IReadOnlyList<PlanZone> Zones, IReadOnlyList<PlanMarker> Markers)
{
    /// <summary>A zone this share reachable or more is green.</summary>
    public const double GoodPercent = 90;

    /// <summary>A zone this share reachable or more (and below <see cref="GoodPercent"/>) is amber; below it, red.</summary>
    public const double PartialPercent = 50;

    /// <summary>How far around its node an endpoint without a place of its own is drawn (plan units).</summary>
    private const double Spread = 30;

    public string ViewBox => string.Create(CultureInfo.InvariantCulture, $"0 0 {Width} {Height}");

    /// <summary>The plan of an event's coverage; null when the event has no plan.</summary>
    public static SitePlanView? Of(EventCoverage coverage, ReasonText text)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        ArgumentNullException.ThrowIfNull(text);
        if (coverage.Event.Plan is not { } plan)
        {
            return null;
        }

        var zones = new List<PlanZone>();
        var markers = new List<PlanMarker>();
        foreach (var zone in coverage.Zones)
        {
            PlanPoint? centre = null;
            if (plan.Zones.TryGetValue(zone.Zone.Id, out var polygon))
            {
                centre = SitePlan.Centroid(polygon);
                zones.Add(ZoneOf(zone, polygon));
            }

            var nodes = new Dictionary<string, PlanPoint>(StringComparer.Ordinal);
            foreach (var node in zone.Nodes)
            {
                var place = NodePlace(plan, node, centre);
                if (place is { } p)
                {
                    nodes[node.Node.Id] = p.At;
                    markers.Add(new PlanMarker(EntityRef.Node(node.Node.Id), node.Node.Name, "node", p.At, p.Source, ValueOf(node.Deployed, node.State),
                        Title(node.Node.Name, "node", node.Deployed, node.State, text)));
                }
            }

            foreach (var group in zone.Endpoints.GroupBy(e => e.Endpoint.NodeId, StringComparer.Ordinal))
            {
                var around = nodes.TryGetValue(group.Key, out var n) ? n : centre;
                var unplaced = group.Where(e => !plan.Placements.ContainsKey(e.Endpoint.Id)).ToList();
                foreach (var endpoint in group)
                {
                    var id = endpoint.Endpoint.Id;
                    (PlanPoint At, PlanSource Source)? place = plan.Placements.TryGetValue(id, out var hand) ? (hand, PlanSource.Hand)
                        : around is { } a ? (Around(plan, a, unplaced.IndexOf(endpoint), unplaced.Count), PlanSource.Node)
                        : null;
                    if (place is { } p)
                    {
                        var kind = EndpointKinds.Name(endpoint.Endpoint.Kind);
                        markers.Add(new PlanMarker(EntityRef.Endpoint(id), endpoint.Endpoint.Name, kind, p.At, p.Source,
                            ValueOf(endpoint.Deployed, endpoint.State), Title(endpoint.Endpoint.Name, kind, endpoint.Deployed, endpoint.State, text)));
                    }
                }
            }
        }

        return new SitePlanView(plan.ImagePath, plan.Width, plan.Height, zones, markers);
    }

    /// <summary>The shade of a zone: by the share reachable of what is planned, none while nothing of it is expected.</summary>
    public static PlanShade ShadeOf(PlannedZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.Planned == 0 || !zone.Endpoints.Any(e => e.Deployed) ? PlanShade.None : ShadeOf(zone.Percent);
    }

    /// <summary>The shade of a share reachable (0 to 100).</summary>
    public static PlanShade ShadeOf(double percent) =>
        percent >= GoodPercent ? PlanShade.Good : percent >= PartialPercent ? PlanShade.Partial : PlanShade.Poor;

    /// <summary>Where a node goes: GPS on the plan, else by hand, else its zone's centre.</summary>
    public static (PlanPoint At, PlanSource Source)? NodePlace(SitePlan plan, NodeCoverage node, PlanPoint? zoneCentre)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(node);
        if (node.State?.Metrics is { } metrics && metrics.TryGetValue("lat", out var lat) && metrics.TryGetValue("lon", out var lon) &&
            plan.ToPlan(new GpsPoint(lat, lon)) is { } gps)
        {
            return (gps, PlanSource.Gps);
        }

        if (plan.Placements.TryGetValue(node.Node.Id, out var hand))
        {
            return (hand, PlanSource.Hand);
        }

        return zoneCentre is { } centre ? (centre, PlanSource.Zone) : null;
    }

    private static PlanZone ZoneOf(PlannedZone zone, IReadOnlyList<PlanPoint> polygon)
    {
        var points = string.Join(' ', polygon.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.#},{p.Y:0.#}")));
        // The label sits in the upper part of the zone, clear of the node in its centre.
        var x = polygon.Average(p => p.X);
        var top = polygon.Min(p => p.Y);
        var y = top + Math.Min(18, (polygon.Max(p => p.Y) - top) / 2);
        return new PlanZone(zone.Zone.Id, zone.Zone.Name, points, Format(x), Format(y), zone.Reachable, zone.Planned,
            (int)Math.Floor(zone.Percent), ShadeOf(zone));
    }

    /// <summary>The i-th of n points on a circle around a node, kept on the plan.</summary>
    private static PlanPoint Around(SitePlan plan, PlanPoint centre, int i, int n)
    {
        var angle = Math.PI / 2 + 2 * Math.PI * i / Math.Max(1, n);
        var x = Math.Clamp(centre.X + Spread * Math.Cos(angle), 0, plan.Width);
        var y = Math.Clamp(centre.Y + Spread * Math.Sin(angle), 0, plan.Height);
        return new PlanPoint(x, y);
    }

    private static StateValue ValueOf(bool deployed, EntityState? state) =>
        state?.Value ?? (deployed ? StateValue.Unknown : StateValue.Inactive);

    private static string Title(string name, string kind, bool deployed, EntityState? state, ReasonText text) =>
        state is { } s ? $"{name} ({kind}): {s.Value.ToString().ToLowerInvariant()}, {text.Render(s.Reason)}"
        : deployed ? $"{name} ({kind}): no evidence yet"
        : $"{name} ({kind}): planned here, not deployed for this event now";

    private static string Format(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
