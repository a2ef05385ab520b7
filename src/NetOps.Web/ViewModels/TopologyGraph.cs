using Blazor.Diagrams.Core.Geometry;
using NetOps.Core.Inventory;

namespace NetOps.Web.ViewModels;

/// <summary>What a group of the topology stands for.</summary>
public enum GroupKind
{
    /// <summary>The sites behind one ray's access switch.</summary>
    Ray,

    /// <summary>The mobile nodes deployed to one event (or those in storage).</summary>
    Event,
}

/// <summary>A collapsible group of devices: drawn as one node until it is expanded.</summary>
public sealed record TopologyGroup(string Id, GroupKind Kind, string Label, IReadOnlyList<string> Devices)
{
    /// <summary>The key of the group's node on the diagram ("group:ray:nord").</summary>
    public string Key => "group:" + Id;
}

/// <summary>
/// The shape of the topology, independent of any diagram: which device belongs to which group, where everything sits
/// in the star, which site and event a device counts for in filters. Built once per inventory.
/// </summary>
public sealed class TopologyGraph
{
    private const double Ring = 230, Spacing = 170, RowGap = 90;

    public TopologyGraph(FleetInventory inventory, DateTimeOffset now)
    {
        Inventory = inventory;
        Positions = Layout(inventory);
        var groups = new List<TopologyGroup>();
        foreach (var ray in inventory.Devices.Values
                     .Where(d => d.Class == DeviceClass.Site && d.SiteId is { } s && inventory.Sites.TryGetValue(s, out var site) && site.Ray is not null)
                     .GroupBy(d => inventory.Sites[d.SiteId!].Ray!, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            groups.Add(new TopologyGroup("ray:" + ray.Key, GroupKind.Ray, "Ray " + ray.Key,
                ray.Select(d => d.Id).Order(StringComparer.Ordinal).ToList()));
        }

        foreach (var deployment in inventory.Nodes.Values
                     .Where(n => n.DeviceId is not null && inventory.Devices.ContainsKey(n.DeviceId))
                     .GroupBy(n => FleetInventory.CurrentAssignment(n.Assignments, now)?.EventId ?? "", StringComparer.Ordinal)
                     .OrderBy(g => g.Key.Length == 0).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var label = deployment.Key.Length == 0 ? "In storage"
                : inventory.Events.TryGetValue(deployment.Key, out var e) ? e.Name : deployment.Key;
            groups.Add(new TopologyGroup("event:" + (deployment.Key.Length == 0 ? "-" : deployment.Key), GroupKind.Event, label,
                deployment.Select(n => n.DeviceId!).Order(StringComparer.Ordinal).ToList()));
        }

        Groups = groups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        GroupOf = groups.SelectMany(g => g.Devices.Select(d => (d, g.Id))).ToDictionary(x => x.d, x => x.Id, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var members = group.Devices.Select(d => Positions[d]).ToList();
            Positions[group.Key] = new Point(members.Average(p => p.X), members.Average(p => p.Y));
        }

        // A mobile switch counts for the site it is patched into (its uplink's other end).
        Attachment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in inventory.Links.Values)
        {
            foreach (var (near, far) in new[] { (link.A.DeviceId, link.B.DeviceId), (link.B.DeviceId, link.A.DeviceId) })
            {
                if (inventory.Devices.TryGetValue(near, out var n) && n.Class == DeviceClass.MobileSwitch &&
                    inventory.Devices.TryGetValue(far, out var f) && f.SiteId is { } site)
                {
                    Attachment.TryAdd(near, site);
                }
            }
        }

        NodeOfDevice = inventory.Nodes.Values.Where(n => n.DeviceId is not null)
            .GroupBy(n => n.DeviceId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        EventOfDevice = inventory.Nodes.Values
            .Where(n => n.DeviceId is not null && FleetInventory.CurrentAssignment(n.Assignments, now) is not null)
            .GroupBy(n => n.DeviceId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => FleetInventory.CurrentAssignment(g.First().Assignments, now)!.EventId, StringComparer.Ordinal);
    }

    public FleetInventory Inventory { get; }

    /// <summary>Laid-out positions of every device id and every group key.</summary>
    public Dictionary<string, Point> Positions { get; }

    public IReadOnlyDictionary<string, TopologyGroup> Groups { get; }

    /// <summary>Device id → the id of the group it belongs to (devices in no group are always shown).</summary>
    public IReadOnlyDictionary<string, string> GroupOf { get; }

    /// <summary>Mobile switch → the site its uplink is patched into.</summary>
    public Dictionary<string, string> Attachment { get; }

    /// <summary>Mobile switch → its MOGLI node id.</summary>
    public IReadOnlyDictionary<string, string> NodeOfDevice { get; }

    /// <summary>Mobile switch → the event its node is deployed to now.</summary>
    public IReadOnlyDictionary<string, string> EventOfDevice { get; }

    /// <summary>The site a device counts for in the site filter (a mobile switch: where it is patched in).</summary>
    public string? SiteOf(string deviceId) =>
        Attachment.TryGetValue(deviceId, out var attached) ? attached
        : Inventory.Devices.TryGetValue(deviceId, out var d) ? d.SiteId : null;

    /// <summary>
    /// The star: cores in the middle, each further hop on the next ring. The first ring shares the circle; children share
    /// their parent's slice, in rows further out when the slice is too narrow for them side by side.
    /// </summary>
    private static Dictionary<string, Point> Layout(FleetInventory inventory)
    {
        var adjacent = inventory.Links.Values
            .SelectMany(l => new[] { (From: l.A.DeviceId, To: l.B.DeviceId), (From: l.B.DeviceId, To: l.A.DeviceId) })
            .ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
        var cores = inventory.Devices.Values.Where(d => d.Class == DeviceClass.Core).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
        var angle = new Dictionary<string, double>(StringComparer.Ordinal);
        var slice = new Dictionary<string, double>(StringComparer.Ordinal);
        var radius = new Dictionary<string, double>(StringComparer.Ordinal);
        var positions = new Dictionary<string, Point>(StringComparer.Ordinal);
        const double centre = 720;
        for (var i = 0; i < cores.Count; i++)
        {
            angle[cores[i]] = 0;
            slice[cores[i]] = 2 * Math.PI;
            radius[cores[i]] = 0;
            positions[cores[i]] = new Point(centre + i * 140, centre);
        }

        var frontier = new List<string>(cores);
        while (frontier.Count > 0)
        {
            var next = new List<string>();
            foreach (var parent in frontier)
            {
                var children = adjacent[parent].Where(c => !radius.ContainsKey(c) && inventory.Devices.ContainsKey(c))
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (children.Count == 0)
                {
                    continue;
                }

                var baseRadius = radius[parent] + Ring;
                var first = radius[parent] == 0;
                var perRow = first ? children.Count : Math.Max(1, (int)Math.Floor(slice[parent] * baseRadius / Spacing));
                for (var i = 0; i < children.Count; i++)
                {
                    var child = children[i];
                    var row = i / perRow;
                    var inRow = Math.Min(perRow, children.Count - row * perRow);
                    var column = i % perRow;
                    var width = slice[parent] / (first ? children.Count : Math.Max(perRow, 1));
                    angle[child] = first ? i * width : angle[parent] + (column - (inRow - 1) / 2.0) * width;
                    slice[child] = width;
                    radius[child] = baseRadius + row * RowGap;
                    positions[child] = new Point(centre + radius[child] * Math.Cos(angle[child]), centre + radius[child] * Math.Sin(angle[child]));
                    next.Add(child);
                }
            }

            frontier = next;
        }

        // Devices no link reaches (a node in storage without its uplink): a row below the star.
        var spare = 0;
        var bottom = positions.Count == 0 ? centre : positions.Values.Max(p => p.Y);
        foreach (var device in inventory.Devices.Values.Where(d => !positions.ContainsKey(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            positions[device.Id] = new Point(60 + spare % 20 * 160, bottom + 120 + spare / 20 * 60);
            spare++;
        }

        return positions;
    }
}
