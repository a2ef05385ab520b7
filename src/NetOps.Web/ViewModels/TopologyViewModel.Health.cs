using System.Globalization;
using NetOps.Core.State;

namespace NetOps.Web.ViewModels;

/// <summary>How the diagram is coloured: health of devices, groups and links from the live view, the filters, the palette.</summary>
public sealed partial class TopologyViewModel
{
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
