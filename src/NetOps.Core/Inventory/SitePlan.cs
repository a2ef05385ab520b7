namespace NetOps.Core.Inventory;

/// <summary>A point on a site plan in the plan's own units: x to the right, y down, (0, 0) the top left corner.</summary>
public readonly record struct PlanPoint(double X, double Y);

/// <summary>A GPS position (WGS84 degrees).</summary>
public readonly record struct GpsPoint(double Latitude, double Longitude);

/// <summary>The WGS84 box a site plan covers: its edges are the plan's edges (south at the bottom, west at the left).</summary>
public sealed record PlanBounds(double South, double West, double North, double East);

/// <summary>
/// An event's site plan: a background image of the area, the event's zones drawn on it as polygons and things placed on
/// it by hand. With <see cref="Bounds"/> a GPS position maps to the plan linearly, which is exact enough for the few
/// hundred metres an event covers.
/// </summary>
/// <param name="Image">The image as the inventory names it (relative to the inventory file that names it).</param>
/// <param name="ImagePath">The image's full path, resolved and checked when the inventory was loaded.</param>
/// <param name="Width">The plan's width in plan units (the image's viewBox or pixel width).</param>
/// <param name="Height">The plan's height in plan units.</param>
/// <param name="Bounds">The GPS box the plan covers; without it nothing is placed by GPS.</param>
/// <param name="Zones">Each zone's polygon by zone id (zones without one are not drawn).</param>
/// <param name="Placements">Nodes and endpoints placed by hand, by id.</param>
public sealed record SitePlan(
    string Image,
    string ImagePath,
    double Width,
    double Height,
    PlanBounds? Bounds,
    IReadOnlyDictionary<string, IReadOnlyList<PlanPoint>> Zones,
    IReadOnlyDictionary<string, PlanPoint> Placements)
{
    /// <summary>Whether a point lies on the plan (edges included).</summary>
    public bool Contains(PlanPoint point) => point.X >= 0 && point.X <= Width && point.Y >= 0 && point.Y <= Height;

    /// <summary>Where a GPS position lies on the plan; null without bounds or when the position is off the plan.</summary>
    public PlanPoint? ToPlan(GpsPoint position)
    {
        if (Bounds is not { } b || !double.IsFinite(position.Latitude) || !double.IsFinite(position.Longitude))
        {
            return null;
        }

        var point = new PlanPoint(
            (position.Longitude - b.West) / (b.East - b.West) * Width,
            (b.North - position.Latitude) / (b.North - b.South) * Height);
        return Contains(point) ? point : null;
    }

    /// <summary>The GPS position of a point of the plan; null without bounds.</summary>
    public GpsPoint? ToGps(PlanPoint point) =>
        Bounds is not { } b
            ? null
            : new GpsPoint(b.North - point.Y / Height * (b.North - b.South), b.West + point.X / Width * (b.East - b.West));

    /// <summary>The centre of a polygon's area (the vertices' mean for a degenerate one).</summary>
    public static PlanPoint Centroid(IReadOnlyList<PlanPoint> polygon)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        double area = 0, x = 0, y = 0;
        for (var i = 0; i < polygon.Count; i++)
        {
            var (a, b) = (polygon[i], polygon[(i + 1) % polygon.Count]);
            var cross = a.X * b.Y - b.X * a.Y;
            area += cross;
            x += (a.X + b.X) * cross;
            y += (a.Y + b.Y) * cross;
        }

        return Math.Abs(area) < 1e-9
            ? new PlanPoint(polygon.Average(p => p.X), polygon.Average(p => p.Y))
            : new PlanPoint(x / (3 * area), y / (3 * area));
    }
}
