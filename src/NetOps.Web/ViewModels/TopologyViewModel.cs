using System.Globalization;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>A node of the topology diagram (a device or a collapsed group) with the state it is drawn in.</summary>
public abstract class TopologyNode(string key, Point position) : NodeModel(key, position)
{
    /// <summary>"device:acc-nord" or "group:ray:nord": stable across rebuilds, used for saved positions.</summary>
    public string Key => Id;
    public StateValue State { get; set; } = StateValue.Unknown;
    public string Reason { get; set; } = "";

    /// <summary>Does not match the filters: drawn faded.</summary>
    public bool Dimmed { get; set; }

    /// <summary>Found by the search.</summary>
    public bool Highlighted { get; set; }
}

/// <summary>A device on the topology diagram.</summary>
public sealed class DeviceNode(string deviceId, DeviceClass deviceClass, Point position) : TopologyNode("device:" + deviceId, position)
{
    public string DeviceId { get; } = deviceId;
    public DeviceClass DeviceClass { get; } = deviceClass;

    /// <summary>The MOGLI node this switch belongs to, if any.</summary>
    public string? MobileNodeId { get; init; }
}

/// <summary>A collapsed group (the sites of a ray, the nodes of an event): one node with the worst health and counts.</summary>
public sealed class GroupNode(TopologyGroup group, Point position) : TopologyNode(group.Key, position)
{
    public TopologyGroup Definition { get; } = group;
    public IReadOnlyDictionary<StateValue, int> Counts { get; set; } = new Dictionary<StateValue, int>();

    /// <summary>Drills down into the group (set by the view model).</summary>
    public Action? Expand { get; set; }
}

/// <summary>How a link's existence is known, from the link state's "discovery" attribute.</summary>
public enum Discovery
{
    /// <summary>No discovery evidence (yet): drawn as planned.</summary>
    Unverified,
    Confirmed,
    Missing,
    Miswired,

    /// <summary>Seen by discovery, not in the plan.</summary>
    Unexpected,
}

/// <summary>A link on the diagram (a planned one, a discovered-only one, or several folded into a collapsed group).</summary>
public sealed class HealthLink(string key, NodeModel a, NodeModel b)
    : LinkModel(key, new ShapeIntersectionAnchor(a), new ShapeIntersectionAnchor(b))
{
    public string Key => Id;

    /// <summary>Keys of the nodes at either end.</summary>
    public string EndA { get; } = a.Id;
    public string EndB { get; } = b.Id;

    /// <summary>The link's id when this draws exactly one link; null for an aggregate.</summary>
    public string? LinkId { get; init; }

    /// <summary>The links folded into this one (one for a plain link).</summary>
    public IReadOnlyList<string> Members { get; init; } = [];
    public StateValue State { get; set; } = StateValue.Unknown;
    public Discovery Discovery { get; set; }
    public bool Dimmed { get; set; }

    /// <summary>A line of text for the tooltip (reason; for discovered links the ends as reported: untrusted).</summary>
    public string Title { get; set; } = "";
}

/// <summary>The health filter of the topology.</summary>
public enum HealthFilter
{
    All,
    Problems,
    Down,
    Degraded,
    Unknown,
}

/// <summary>What the topology shows at full strength: one site or ray ("ray:nord"), one event, one health.</summary>
public sealed record TopologyFilter(string? Site = null, string? Event = null, HealthFilter Health = HealthFilter.All)
{
    public bool IsEmpty => Site is null && Event is null && Health == HealthFilter.All;
}

/// <summary>
/// Page state of the topology: the Rainbow star with the sites of each ray and the MOGLI nodes of each event folded into
/// one node per group until drilled into, coloured from the process's live view and updated in place. Filters fade
/// what does not match (the star stays where the eye expects it); search expands, highlights and centres.
/// </summary>
public sealed class TopologyViewModel
{
    public const string Up = "#2ea043", Degraded = "#d29922", Down = "#f85149", Unknown = "#6e7781", Inactive = "#3b4654";

    /// <summary>Colour of links seen by discovery only.</summary>
    public const string Discovered = "#a371f7";

    private const string DiscoveredPrefix = "discovered:";
    private readonly LiveStateView _live;
    private readonly ReasonText _text;
    private readonly Dictionary<string, TopologyNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HealthLink> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Point> _manual = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _deviceByName;
    private HashSet<string> _discovered = new(StringComparer.Ordinal);

    public TopologyViewModel(LiveStateView live, ReasonText text, FleetInventory inventory, DateTimeOffset? now = null)
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

    /// <summary>Makes the diagram hold exactly the nodes and links of the current expansion, keeping what stays.</summary>
    private void Rebuild()
    {
        var inventory = Graph.Inventory;
        var wanted = new Dictionary<string, Func<TopologyNode>>(StringComparer.Ordinal);
        foreach (var device in inventory.Devices.Values)
        {
            var key = RepresentativeOf(device.Id);
            if (wanted.ContainsKey(key))
            {
                continue;
            }

            if (key.StartsWith("group:", StringComparison.Ordinal))
            {
                var group = Graph.Groups[Graph.GroupOf[device.Id]];
                wanted[key] = () => new GroupNode(group, PositionOf(group.Key, group.Key)) { Title = group.Label, Expand = () => Expand(group.Id) };
            }
            else
            {
                var d = device;
                wanted[key] = () => new DeviceNode(d.Id, d.Class, PositionOf(key, d.Id))
                {
                    Title = d.Name,
                    MobileNodeId = Graph.NodeOfDevice.GetValueOrDefault(d.Id),
                };
            }
        }

        var wantedLinks = WantedLinks();
        Diagram.Batch(() =>
        {
            foreach (var (key, link) in _links.Where(l => !wantedLinks.ContainsKey(l.Key)).ToList())
            {
                Diagram.Links.Remove(link);
                _links.Remove(key);
            }

            foreach (var (key, node) in _nodes.Where(n => !wanted.ContainsKey(n.Key)).ToList())
            {
                node.Moved -= OnMoved;
                Diagram.Nodes.Remove(node);
                _nodes.Remove(key);
            }

            var added = new List<NodeModel>();
            foreach (var (key, create) in wanted)
            {
                if (!_nodes.ContainsKey(key))
                {
                    var node = create();
                    node.Moved += OnMoved;
                    node.Highlighted = key == HighlightedKey;
                    _nodes[key] = node;
                    added.Add(node);
                }
            }

            Diagram.Nodes.Add(added);
            var addedLinks = new List<HealthLink>();
            foreach (var (key, (a, b, members, single)) in wantedLinks)
            {
                if (!_links.ContainsKey(key))
                {
                    var link = new HealthLink(key, _nodes[a], _nodes[b]) { LinkId = single, Members = members, Color = Unknown, Width = 2 };
                    _links[key] = link;
                    addedLinks.Add(link);
                }
            }

            Diagram.Links.Add(addedLinks);
        });
        Refresh();
        Rebuilt?.Invoke();
    }

    private Point PositionOf(string key, string layoutKey) =>
        _manual.TryGetValue(key, out var manual) ? manual : Graph.Positions[layoutKey];

    private void OnMoved(MovableModel model)
    {
        if (model is TopologyNode node)
        {
            _manual[node.Key] = node.Position;
            LayoutChanged?.Invoke();
        }
    }

    /// <summary>The links to draw: planned links between different visible nodes, folded per pair once a group is involved.</summary>
    private Dictionary<string, (string A, string B, IReadOnlyList<string> Members, string? Single)> WantedLinks()
    {
        var wanted = new Dictionary<string, (string A, string B, IReadOnlyList<string> Members, string? Single)>(StringComparer.Ordinal);
        var folded = new Dictionary<string, (string A, string B, List<string> Members)>(StringComparer.Ordinal);
        foreach (var link in Graph.Inventory.Links.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (!Graph.Inventory.Devices.ContainsKey(link.A.DeviceId) || !Graph.Inventory.Devices.ContainsKey(link.B.DeviceId))
            {
                continue;
            }

            Add(link.Id, RepresentativeOf(link.A.DeviceId), RepresentativeOf(link.B.DeviceId));
        }

        _discovered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in _live.States)
        {
            if (state.Entity.Kind == EntityKind.Link && state.Entity.Id.StartsWith(DiscoveredPrefix, StringComparison.Ordinal))
            {
                _discovered.Add(state.Entity.Id);
                if (ResolveDevice(state.Attributes.GetValueOrDefault("a")) is { } a && ResolveDevice(state.Attributes.GetValueOrDefault("b")) is { } b)
                {
                    Add(state.Entity.Id, RepresentativeOf(a), RepresentativeOf(b), fold: false);
                }
            }
        }

        foreach (var (key, (a, b, members)) in folded)
        {
            wanted[key] = (a, b, members, members.Count == 1 && !a.StartsWith("group:", StringComparison.Ordinal) && !b.StartsWith("group:", StringComparison.Ordinal) ? members[0] : null);
        }

        return wanted;

        void Add(string linkId, string a, string b, bool fold = true)
        {
            if (a == b)
            {
                return;
            }

            if (!fold || (a.StartsWith("device:", StringComparison.Ordinal) && b.StartsWith("device:", StringComparison.Ordinal)))
            {
                wanted["link:" + linkId] = (a, b, [linkId], linkId);
                return;
            }

            var (first, second) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            var key = "fold:" + first + "|" + second;
            if (!folded.TryGetValue(key, out var entry))
            {
                folded[key] = entry = (first, second, []);
            }

            entry.Members.Add(linkId);
        }
    }

    /// <summary>A device named by discovery ("acc-nord Gi1/0/3", "acc-nord.rainbow.kl/Gi1/0/3"): untrusted, only looked up.</summary>
    private string? ResolveDevice(string? reported)
    {
        if (string.IsNullOrWhiteSpace(reported))
        {
            return null;
        }

        var text = reported.Trim();
        if (_deviceByName.TryGetValue(text, out var exact))
        {
            return exact;
        }

        var cut = text.IndexOfAny([' ', '/', '\t']);
        return cut > 0 && _deviceByName.TryGetValue(text[..cut], out var id) ? id : null;
    }

    /// <summary>Recolours nodes and links from the live view; the diagram redraws only what changed.</summary>
    public void Refresh(IReadOnlyCollection<EntityRef>? changed = null)
    {
        // A discovered link that appeared or went away changes the set of links: rebuild.
        if (changed is not null && changed.Any(e => e.Kind == EntityKind.Link && e.Id.StartsWith(DiscoveredPrefix, StringComparison.Ordinal) &&
                                                    (_live.Get(e) is null) == _discovered.Contains(e.Id)))
        {
            Rebuild();
            return;
        }

        var matches = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var node in _nodes.Values)
        {
            var (value, reason, counts, match) = node switch
            {
                DeviceNode d => DeviceHealth(d.DeviceId),
                GroupNode g => GroupHealth(g.Definition),
                _ => (StateValue.Unknown, "", null, true),
            };
            matches[node.Key] = match;
            var changedNode = node.State != value || node.Reason != reason || node.Dimmed == match;
            if (node is GroupNode group && counts is not null && !group.Counts.SequenceEqual(counts))
            {
                group.Counts = counts;
                changedNode = true;
            }

            if (changedNode)
            {
                node.State = value;
                node.Reason = reason;
                node.Dimmed = !match;
                node.Refresh();
            }
        }

        foreach (var link in _links.Values)
        {
            var states = link.Members.Select(m => _live.Get(EntityRef.Link(m))).ToList();
            var value = Worst(states.Select(s => s?.Value ?? StateValue.Unknown));
            var utilisation = states.Max(s => s?.Metrics.GetValueOrDefault("utilisation_pct") ?? 0);
            var width = Math.Round(2 + Math.Min(utilisation, 100) / 12.5, 1);
            var discovery = states.Select(DiscoveryOf).DefaultIfEmpty(Discovery.Unverified).Max();
            var color = discovery == Discovery.Unexpected ? Discovered : ColorOf(value);
            var dimmed = !matches.GetValueOrDefault(link.EndA, true) || !matches.GetValueOrDefault(link.EndB, true);
            var title = LinkTitle(link, states);
            if (link.State != value || link.Color != color || Math.Abs(link.Width - width) > 0.05 || link.Discovery != discovery ||
                link.Dimmed != dimmed || link.Title != title)
            {
                link.State = value;
                link.Color = color;
                link.Width = width;
                link.Discovery = discovery;
                link.Dimmed = dimmed;
                link.Title = title;
                link.Refresh();
            }
        }
    }

    private string LinkTitle(HealthLink link, List<EntityState?> states)
    {
        if (link.Members.Count > 1)
        {
            var down = states.Count(s => s?.Value == StateValue.Down);
            return $"{link.Members.Count} links" + (down > 0 ? $", {down} down" : "");
        }

        var state = states.FirstOrDefault();
        if (state is null)
        {
            return link.Members[0] + ": no evidence yet";
        }

        var ends = state.Attributes.TryGetValue("a", out var a) && state.Attributes.TryGetValue("b", out var b) ? $" ({a} ↔ {b})" : "";
        return link.Members[0] + ": " + _text.Render(state.Reason) + ends;
    }

    private static Discovery DiscoveryOf(EntityState? state) =>
        state?.Attributes.GetValueOrDefault("discovery") switch
        {
            "confirmed" => Discovery.Confirmed,
            "missing" => Discovery.Missing,
            "miswired" => Discovery.Miswired,
            "unexpected" => Discovery.Unexpected,
            _ => Discovery.Unverified,
        };

    /// <summary>A device's health (a mobile switch: the worse of the switch and its node) and whether it matches the filters.</summary>
    private (StateValue, string, IReadOnlyDictionary<StateValue, int>?, bool) DeviceHealth(string deviceId)
    {
        var state = _live.Get(EntityRef.Device(deviceId));
        var value = state?.Value ?? StateValue.Unknown;
        var reason = state is null ? "no evidence yet" : _text.Render(state.Reason);
        if (Graph.NodeOfDevice.TryGetValue(deviceId, out var nodeId) && _live.Get(EntityRef.Node(nodeId)) is { } node && Rank(node.Value) > Rank(value))
        {
            value = node.Value;
            reason = _text.Render(node.Reason);
        }

        return (value, reason, null, Matches(deviceId, value));
    }

    private (StateValue, string, IReadOnlyDictionary<StateValue, int>?, bool) GroupHealth(TopologyGroup group)
    {
        var counts = new SortedDictionary<StateValue, int>();
        var match = false;
        foreach (var device in group.Devices)
        {
            var (value, _, _, matches) = DeviceHealth(device);
            counts[value] = counts.GetValueOrDefault(value) + 1;
            match |= matches;
        }

        var worst = Worst(counts.Keys);
        var summary = string.Join(", ", counts.OrderByDescending(c => Rank(c.Key)).Select(c => $"{c.Value} {Describe(c.Key)}"));
        return (worst, $"{group.Devices.Count} devices: {summary}", counts, match);
    }

    private bool Matches(string deviceId, StateValue value)
    {
        var filter = Filter;
        if (filter.Site is { } site)
        {
            var at = Graph.SiteOf(deviceId);
            var ok = site.StartsWith("ray:", StringComparison.Ordinal)
                ? at is not null && Graph.Inventory.Sites.TryGetValue(at, out var s) && "ray:" + s.Ray == site
                : at == site;
            if (!ok)
            {
                return false;
            }
        }

        if (filter.Event is { } e && Graph.EventOfDevice.GetValueOrDefault(deviceId) != e)
        {
            return false;
        }

        return filter.Health switch
        {
            HealthFilter.Problems => value is StateValue.Down or StateValue.Degraded or StateValue.Unknown,
            HealthFilter.Down => value == StateValue.Down,
            HealthFilter.Degraded => value == StateValue.Degraded,
            HealthFilter.Unknown => value == StateValue.Unknown,
            _ => true,
        };
    }

    /// <summary>Severity for aggregation: down, degraded, unknown, up, inactive.</summary>
    public static int Rank(StateValue value) => value switch
    {
        StateValue.Down => 4,
        StateValue.Degraded => 3,
        StateValue.Unknown => 2,
        StateValue.Up => 1,
        _ => 0,
    };

    public static StateValue Worst(IEnumerable<StateValue> values) =>
        values.DefaultIfEmpty(StateValue.Unknown).MaxBy(Rank);

    public static string ColorOf(StateValue value) => value switch
    {
        StateValue.Up => Up,
        StateValue.Degraded => Degraded,
        StateValue.Down => Down,
        StateValue.Inactive => Inactive,
        _ => Unknown,
    };

    public static string Describe(StateValue value) => value.ToString().ToLower(CultureInfo.InvariantCulture);
}
