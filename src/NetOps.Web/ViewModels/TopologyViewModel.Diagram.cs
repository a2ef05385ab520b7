using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using NetOps.Core.State;

namespace NetOps.Web.ViewModels;

/// <summary>Which nodes and links the diagram holds: the current expansion, planned and discovered links, folded per group.</summary>
public sealed partial class TopologyViewModel
{
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
}
