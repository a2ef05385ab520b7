using System.Globalization;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>A device on the topology diagram, with the state it is drawn in.</summary>
public sealed class DeviceNode(string deviceId, DeviceClass deviceClass, Point position) : NodeModel(position)
{
    public string DeviceId { get; } = deviceId;
    public DeviceClass DeviceClass { get; } = deviceClass;
    public StateValue State { get; set; } = StateValue.Unknown;
    public string Reason { get; set; } = "";
}

/// <summary>A planned link on the diagram: coloured by health, drawn thicker with load.</summary>
public sealed class HealthLink(string linkId, NodeModel a, NodeModel b)
    : LinkModel(new ShapeIntersectionAnchor(a), new ShapeIntersectionAnchor(b))
{
    public string LinkId { get; } = linkId;
    public StateValue State { get; set; } = StateValue.Unknown;
}

/// <summary>
/// Page state of the topology: the Rainbow star laid out around the core (rays, then the sites behind them, then
/// the mobile nodes patched into them), links coloured from the process's live view and updated in place.
/// </summary>
public sealed class TopologyViewModel
{
    public const string Up = "#2ea043", Degraded = "#d29922", Down = "#f85149", Unknown = "#6e7781", Inactive = "#3b4654";

    private const double Ring = 230;
    private readonly LiveStateView _live;
    private readonly ReasonText _text;
    private readonly Dictionary<string, DeviceNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HealthLink> _links = new(StringComparer.Ordinal);

    public TopologyViewModel(LiveStateView live, ReasonText text, FleetInventory inventory)
    {
        _live = live;
        _text = text;
        Diagram = new BlazorDiagram(new BlazorDiagramOptions
        {
            AllowMultiSelection = false,
            Zoom = { Enabled = true },
            Links = { DefaultRouter = new NormalRouter(), DefaultPathGenerator = new StraightPathGenerator() },
        });
        Diagram.RegisterComponent<DeviceNode, Components.Controls.Topology.DeviceNodeWidget>();
        Build(inventory);
        Refresh();
    }

    public BlazorDiagram Diagram { get; }

    public int LinkCount => _links.Count;

    /// <summary>Recolours links and nodes from the live view; the diagram redraws only what changed.</summary>
    public void Refresh()
    {
        foreach (var node in _nodes.Values)
        {
            var state = _live.Get(EntityRef.Device(node.DeviceId));
            var value = state?.Value ?? StateValue.Unknown;
            var reason = state is null ? "no evidence yet" : _text.Render(state.Reason);
            if (node.State != value || node.Reason != reason)
            {
                node.State = value;
                node.Reason = reason;
                node.Refresh();
            }
        }

        foreach (var link in _links.Values)
        {
            var state = _live.Get(EntityRef.Link(link.LinkId));
            var value = state?.Value ?? StateValue.Unknown;
            var utilisation = state?.Metrics.GetValueOrDefault("utilisation_pct") ?? 0;
            var width = Math.Round(2 + Math.Min(utilisation, 100) / 12.5, 1);
            var color = ColorOf(value);
            if (link.State != value || link.Color != color || Math.Abs(link.Width - width) > 0.05)
            {
                link.State = value;
                link.Color = color;
                link.Width = width;
                link.Refresh();
            }
        }
    }

    public static string ColorOf(StateValue value) => value switch
    {
        StateValue.Up => Up,
        StateValue.Degraded => Degraded,
        StateValue.Down => Down,
        StateValue.Inactive => Inactive,
        _ => Unknown,
    };

    private void Build(FleetInventory inventory)
    {
        foreach (var (deviceId, position) in Layout(inventory))
        {
            var device = inventory.Devices[deviceId];
            var node = new DeviceNode(deviceId, device.Class, position) { Title = device.Name, Locked = false };
            _nodes[deviceId] = node;
            Diagram.Nodes.Add(node);
        }

        foreach (var link in inventory.Links.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (_nodes.TryGetValue(link.A.DeviceId, out var a) && _nodes.TryGetValue(link.B.DeviceId, out var b))
            {
                var model = new HealthLink(link.Id, a, b) { Color = Unknown, Width = 2 };
                _links[link.Id] = model;
                Diagram.Links.Add(model);
            }
        }
    }

    /// <summary>The star: cores in the middle, each further hop on the next ring, children fanned around their parent's angle.</summary>
    private static Dictionary<string, Point> Layout(FleetInventory inventory)
    {
        var adjacent = inventory.Links.Values
            .SelectMany(l => new[] { (From: l.A.DeviceId, To: l.B.DeviceId), (From: l.B.DeviceId, To: l.A.DeviceId) })
            .ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
        var cores = inventory.Devices.Values.Where(d => d.Class == DeviceClass.Core).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
        var angle = new Dictionary<string, double>(StringComparer.Ordinal);
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        var positions = new Dictionary<string, Point>(StringComparer.Ordinal);
        const double centre = 720;
        for (var i = 0; i < cores.Count; i++)
        {
            angle[cores[i]] = 0;
            depth[cores[i]] = 0;
            positions[cores[i]] = new Point(centre + i * 140, centre);
        }

        var frontier = new List<string>(cores);
        var span = 2 * Math.PI;
        while (frontier.Count > 0)
        {
            var next = new List<string>();
            foreach (var parent in frontier)
            {
                var children = adjacent[parent].Where(c => !depth.ContainsKey(c)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                for (var i = 0; i < children.Count; i++)
                {
                    var child = children[i];
                    depth[child] = depth[parent] + 1;
                    // The first ring shares the whole circle; further rings fan within their parent's slice.
                    angle[child] = depth[parent] == 0
                        ? i * span / Math.Max(children.Count, 1)
                        : angle[parent] + (i - (children.Count - 1) / 2.0) * (span / 14);
                    var radius = Ring * depth[child];
                    positions[child] = new Point(centre + radius * Math.Cos(angle[child]), centre + radius * Math.Sin(angle[child]));
                    next.Add(child);
                }
            }

            frontier = next;
        }

        // Devices no link reaches (a node in storage without its uplink): a row below the star.
        var spare = 0;
        foreach (var device in inventory.Devices.Values.Where(d => !positions.ContainsKey(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            positions[device.Id] = new Point(60 + spare++ * 160, centre * 2 + 60);
        }

        return positions;
    }

    public static string Describe(StateValue value) => value.ToString().ToLower(CultureInfo.InvariantCulture);
}
