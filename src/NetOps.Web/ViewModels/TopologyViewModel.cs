using Blazor.Diagrams;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>
/// Page state of the topology: the Rainbow star with the sites of each ray and the MOGLI nodes of each event folded into
/// one node per group until drilled into, coloured from the process's live view and updated in place. Filters fade
/// what does not match (the star stays where the eye expects it); search expands, highlights and centres.
/// </summary>
public sealed partial class TopologyViewModel
{
    public const string Up = "#2ea043", Degraded = "#d29922", Down = "#f85149", Unknown = "#6e7781", Inactive = "#3b4654";

    /// <summary>Colour of links seen by discovery only.</summary>
    public const string Discovered = "#a371f7";

    private const string DiscoveredPrefix = "discovered:";
    private readonly IStateReader _live;
    private readonly ReasonText _text;
    private readonly Dictionary<string, TopologyNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HealthLink> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Point> _manual = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _deviceByName;
    private HashSet<string> _discovered = new(StringComparer.Ordinal);

    public TopologyViewModel(IStateReader live, ReasonText text, FleetInventory inventory, DateTimeOffset? now = null)
    {
        _live = live;
        _text = text;
        Graph = new TopologyGraph(inventory, now ?? DateTimeOffset.UtcNow);
        _deviceByName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var device in inventory.Devices.Values.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            foreach (var name in new[] { device.Id, device.SysName, device.Name, device.ChassisId })
            {
                if (!string.IsNullOrEmpty(name))
                {
                    _deviceByName.TryAdd(name, device.Id);
                }
            }
        }

        Diagram = new BlazorDiagram(new BlazorDiagramOptions
        {
            AllowMultiSelection = false,
            Zoom = { Enabled = true },
            Links = { DefaultRouter = new NormalRouter(), DefaultPathGenerator = new StraightPathGenerator() },
        });
        Diagram.RegisterComponent<DeviceNode, Components.Controls.Topology.DeviceNodeWidget>();
        Diagram.RegisterComponent<GroupNode, Components.Controls.Topology.GroupNodeWidget>();
        Diagram.RegisterComponent<HealthLink, Components.Controls.Topology.HealthLinkWidget>();
        Rebuild();
    }

    public BlazorDiagram Diagram { get; }
    public TopologyGraph Graph { get; }
    public TopologyFilter Filter { get; private set; } = new();
    public IReadOnlySet<string> Expanded => _expanded;

    /// <summary>Positions the user dragged nodes to, by node key.</summary>
    public IReadOnlyDictionary<string, Point> ManualPositions => _manual;

    /// <summary>Raised when the user moved a node (the page saves the layout).</summary>
    public event Action? LayoutChanged;

    /// <summary>Raised when the set of nodes changed (expand, collapse, search): the page fits or centres after rendering.</summary>
    public event Action? Rebuilt;

    public int NodeCount => _nodes.Count;
    public int LinkCount => _links.Count;
    public string? HighlightedKey { get; private set; }
    public TopologyNode? Node(string key) => _nodes.GetValueOrDefault(key);
    public HealthLink? Link(string key) => _links.GetValueOrDefault(key);
    public IEnumerable<TopologyNode> Nodes => _nodes.Values;
    public IEnumerable<HealthLink> Links => _links.Values;

    public void Expand(string groupId)
    {
        if (Graph.Groups.ContainsKey(groupId) && _expanded.Add(groupId))
        {
            Rebuild();
        }
    }

    public void Collapse(string groupId)
    {
        if (_expanded.Remove(groupId))
        {
            Rebuild();
        }
    }

    public void ExpandAll()
    {
        _expanded.UnionWith(Graph.Groups.Keys);
        Rebuild();
    }

    public void CollapseAll()
    {
        _expanded.Clear();
        Rebuild();
    }

    public void SetFilter(TopologyFilter filter)
    {
        Filter = filter;
        Refresh();
    }

    /// <summary>Restores saved positions (from the browser) onto the nodes they name.</summary>
    public void ApplyManualPositions(IReadOnlyDictionary<string, Point> positions)
    {
        foreach (var (key, point) in positions)
        {
            _manual[key] = point;
            if (_nodes.TryGetValue(key, out var node))
            {
                node.SetPosition(point.X, point.Y);
            }
        }
    }

    /// <summary>Forgets dragged positions and puts every node back where the layout wants it.</summary>
    public void ResetLayout()
    {
        _manual.Clear();
        foreach (var node in _nodes.Values)
        {
            var p = Graph.Positions[node is DeviceNode d ? d.DeviceId : node.Key];
            node.SetPosition(p.X, p.Y);
        }
    }

    /// <summary>
    /// Finds a device, MOGLI node, site or group by id or name (exact first, then contained), expands its group and
    /// highlights it. Returns the key of the node to centre, or null when nothing matches.
    /// </summary>
    public string? Search(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var inventory = Graph.Inventory;
        var candidates = inventory.Devices.Values.Select(d => (Key: d.Id, Names: new[] { d.Id, d.Name, d.SysName ?? "" }, Group: false))
            .Concat(inventory.Nodes.Values.Where(n => n.DeviceId is not null && inventory.Devices.ContainsKey(n.DeviceId))
                .Select(n => (Key: n.DeviceId!, Names: new[] { n.Id, n.Name }, Group: false)))
            .Concat(inventory.Devices.Values.Where(d => d.SiteId is not null && inventory.Sites.ContainsKey(d.SiteId))
                .Select(d => (Key: d.Id, Names: new[] { d.SiteId!, inventory.Sites[d.SiteId!].Name }, Group: false)))
            .Concat(Graph.Groups.Values.Select(g => (Key: g.Id, Names: new[] { g.Id, g.Label }, Group: true)))
            .ToList();
        var match = candidates.FirstOrDefault(c => c.Names.Any(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)));
        if (match.Key is null)
        {
            match = candidates.FirstOrDefault(c => c.Names.Any(n => n.Contains(text, StringComparison.OrdinalIgnoreCase)));
        }

        if (match.Key is null)
        {
            return null;
        }

        string key;
        if (match.Group)
        {
            key = Graph.Groups[match.Key].Key;
            if (_expanded.Remove(match.Key))
            {
                Rebuild();
            }
        }
        else
        {
            key = "device:" + match.Key;
            if (Graph.GroupOf.TryGetValue(match.Key, out var group) && _expanded.Add(group))
            {
                Rebuild();
            }
        }

        Highlight(key);
        return key;
    }

    /// <summary>Pans so the node is in the middle of the canvas (once the browser has measured both).</summary>
    public bool CentreOn(string key)
    {
        if (!_nodes.TryGetValue(key, out var node) || node.Size is null || Diagram.Container is not { } container)
        {
            return false;
        }

        var zoom = Diagram.Zoom;
        var x = node.Position.X + node.Size.Width / 2;
        var y = node.Position.Y + node.Size.Height / 2;
        Diagram.SetPan(container.Width / 2 - x * zoom, container.Height / 2 - y * zoom);
        return true;
    }

    private void Highlight(string key)
    {
        if (HighlightedKey is { } previous && _nodes.TryGetValue(previous, out var old))
        {
            old.Highlighted = false;
            old.Refresh();
        }

        HighlightedKey = key;
        if (_nodes.TryGetValue(key, out var node))
        {
            node.Highlighted = true;
            node.Refresh();
        }
    }

    /// <summary>Where a device is drawn: its own node, or its collapsed group's.</summary>
    public string RepresentativeOf(string deviceId) =>
        Graph.GroupOf.TryGetValue(deviceId, out var group) && !_expanded.Contains(group) ? Graph.Groups[group].Key : "device:" + deviceId;
}
