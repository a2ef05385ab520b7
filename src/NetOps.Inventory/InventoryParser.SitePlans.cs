using System.Globalization;
using NetOps.Core.Inventory;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>An event's <c>plan:</c>: background image, size, GPS bounds and hand placements; and its zones' polygons.</summary>
internal sealed partial class InventoryParser
{
    /// <summary>The largest background image a plan may have: the page embeds it, so every view of the page carries it.</summary>
    public const long MaxPlanImageBytes = 2 * 1024 * 1024;

    private static readonly string[] PlanKeys = ["image", "width", "height", "bounds", "placements"];
    private static readonly string[] BoundsKeys = ["south", "west", "north", "east"];
    private static readonly string[] PlanImageExtensions = [".svg", ".png", ".jpg", ".jpeg"];

    /// <summary>A plan as read, before its zones' polygons are added; the placements' ids are checked once every file is read.</summary>
    private sealed record PlanDraft(string Image, string ImagePath, double Width, double Height, PlanBounds? Bounds,
        Dictionary<string, PlanPoint> Placements, List<Scalar> PlacementIds);

    /// <summary>The event's plan; null when there is none (<paramref name="complete"/> false when it is there but wrong).</summary>
    private PlanDraft? ReadPlan(MapReader ev, ref bool complete)
    {
        if (ev.Map("plan", PlanKeys) is not { } plan)
        {
            complete &= !ev.Has("plan") || Yaml.IsNull(ev.Node.Children[new YamlScalarNode("plan")]);
            return null;
        }

        var ok = true;
        var (image, path) = ReadPlanImage(plan, ref ok);
        var width = ReadSize(plan, "width", ref ok);
        var height = ReadSize(plan, "height", ref ok);
        var bounds = ReadBounds(plan, ref ok);
        var placements = new Dictionary<string, PlanPoint>(StringComparer.Ordinal);
        var ids = new List<Scalar>();
        foreach (var (key, value, field) in Entries(plan, "placements"))
        {
            var id = new Scalar(key.Value ?? "", plan.Context.At(key, field));
            ids.Add(id);
            if (ReadPoint(plan.Context, value, field, width, height) is { } point)
            {
                placements[id.Value] = point;
            }
            else
            {
                ok = false;
            }
        }

        complete &= ok;
        return ok ? new PlanDraft(image!, path!, width, height, bounds, placements, ids) : null;
    }

    /// <summary>
    /// The image as named and its full path: relative to the inventory file, inside the inventory's directory, an SVG, PNG
    /// or JPEG of at most <see cref="MaxPlanImageBytes"/>.
    /// </summary>
    private (string? Image, string? Path) ReadPlanImage(MapReader plan, ref bool ok)
    {
        if (plan.Scalar("image", required: true) is not { } image)
        {
            ok = false;
            return (null, null);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(plan.Context.File)) ?? "";
        var path = Path.GetFullPath(Path.Combine(directory, image.Value));
        string? problem = null;
        if (!PlanImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
        {
            problem = $"'{image.Value}' is not an SVG, PNG or JPEG image ({string.Join(", ", PlanImageExtensions)})";
        }
        else if (Path.IsPathRooted(image.Value) || !path.StartsWith(Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            problem = $"'{image.Value}' is outside the inventory directory: name it relative to {directory}";
        }
        else if (!File.Exists(path))
        {
            problem = $"image '{image.Value}' not found in the inventory directory {directory}";
        }
        else if (new FileInfo(path).Length is var size && size > MaxPlanImageBytes)
        {
            problem = $"image '{image.Value}' is {size.ToString(CultureInfo.InvariantCulture)} bytes; a plan image is at most 2 MB (the page embeds it)";
        }

        if (problem is not null)
        {
            Report(image.At, problem);
            ok = false;
            return (null, null);
        }

        return (image.Value, path);
    }

    private double ReadSize(MapReader plan, string key, ref bool ok)
    {
        var scalar = plan.Scalar(key, required: true);
        var value = ReadNumber(scalar);
        if (value is not { } size || double.IsNaN(size))
        {
            ok = false;
            return double.NaN;
        }

        if (size <= 0)
        {
            Report(scalar!.Value.At, $"{key} must be a positive number, not {Num(size)}");
            ok = false;
            return double.NaN;
        }

        return size;
    }

    private PlanBounds? ReadBounds(MapReader plan, ref bool ok)
    {
        if (plan.Map("bounds", BoundsKeys) is not { } bounds)
        {
            ok &= !plan.Has("bounds");
            return null;
        }

        var south = ReadDegrees(bounds, "south", 90, ref ok);
        var west = ReadDegrees(bounds, "west", 180, ref ok);
        var north = ReadDegrees(bounds, "north", 90, ref ok);
        var east = ReadDegrees(bounds, "east", 180, ref ok);
        if (!ok)
        {
            return null;
        }

        if (north <= south)
        {
            Report(bounds.Scalar("north")!.Value.At, $"bounds are inverted: north ({Num(north)}) must be greater than south ({Num(south)})");
            ok = false;
        }

        if (east <= west)
        {
            Report(bounds.Scalar("east")!.Value.At, $"bounds are inverted: east ({Num(east)}) must be greater than west ({Num(west)})");
            ok = false;
        }

        return ok ? new PlanBounds(south, west, north, east) : null;
    }

    private double ReadDegrees(MapReader bounds, string key, double limit, ref bool ok)
    {
        var scalar = bounds.Scalar(key, required: true);
        if (ReadNumber(scalar) is not { } value || double.IsNaN(value))
        {
            ok = false;
            return double.NaN;
        }

        if (Math.Abs(value) > limit)
        {
            Report(scalar!.Value.At, $"{Num(value)} is not a {(limit == 90 ? "latitude" : "longitude")} (-{Num(limit)} to {Num(limit)} degrees)");
            ok = false;
        }

        return value;
    }

    /// <summary>A zone's polygon on the event's plan: at least three points, each on the plan.</summary>
    private List<PlanPoint>? ReadPolygon(MapReader zone, PlanDraft? plan, bool planGiven)
    {
        if (!zone.Has("polygon"))
        {
            return null;
        }

        var node = zone.Node.Children[new YamlScalarNode("polygon")];
        var at = zone.Context.At(node, zone.Path("polygon"));
        if (node is not YamlSequenceNode)
        {
            Report(at, "expected a list of points [[x, y], ...]");
            return null;
        }

        var items = zone.List("polygon").ToList();
        if (!planGiven)
        {
            Report(at, "a zone polygon is drawn on the event's plan: give the event a plan (image, width, height)");
            return null;
        }

        if (items.Count < 3)
        {
            Report(at, $"a polygon needs at least 3 points, not {items.Count.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        if (plan is null)
        {
            // The plan is wrong and reported: its size is unknown, so the points cannot be checked against it.
            return null;
        }

        var points = new List<PlanPoint>();
        foreach (var (item, field) in items)
        {
            if (ReadPoint(zone.Context, item, field, plan.Width, plan.Height) is not { } point)
            {
                return null;
            }

            points.Add(point);
        }

        return points;
    }

    /// <summary>A point <c>[x, y]</c> on a plan of the given size (NaN: unknown, not checked).</summary>
    private PlanPoint? ReadPoint(FileContext context, YamlNode node, string field, double width, double height)
    {
        if (node is not YamlSequenceNode { Children: [YamlScalarNode x, YamlScalarNode y] })
        {
            context.Error(node, field, "expected a point [x, y] of two numbers (plan units)");
            return null;
        }

        var xValue = ReadNumber(new Scalar(x.Value ?? "", context.At(x, field)));
        var yValue = ReadNumber(new Scalar(y.Value ?? "", context.At(y, field)));
        if (xValue is not { } px || yValue is not { } py || double.IsNaN(px) || double.IsNaN(py))
        {
            return null;
        }

        if (double.IsNaN(width) || double.IsNaN(height))
        {
            return null;
        }

        if (px < 0 || px > width || py < 0 || py > height)
        {
            context.Error(node, field, $"point [{Num(px)}, {Num(py)}] is outside the plan (x 0 to {Num(width)}, y 0 to {Num(height)})");
            return null;
        }

        return new PlanPoint(px, py);
    }

    /// <summary>A placement names a node or an endpoint of the inventory.</summary>
    private void CheckPlacements(Dictionary<string, NodeDraft> nodes, Dictionary<string, EndpointDraft> endpoints)
    {
        foreach (var id in _events.SelectMany(e => e.PlacementIds))
        {
            if (!nodes.ContainsKey(id.Value) && !endpoints.ContainsKey(id.Value))
            {
                ReportUnresolved(id.At, $"unknown node or endpoint '{id.Value}'");
            }
        }
    }
}
