using System.Collections.Frozen;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Alerting;

/// <summary>
/// What stands behind what, read from the inventory: for every subject the subjects whose outage explains its own,
/// topmost first (the links and switches on its path from the core, the MOGLI node that powers it). An outage alerts
/// only at the topmost failing subject; everything behind it is listed there instead.
/// </summary>
internal sealed class AlertTopology
{
    private readonly FrozenDictionary<EntityRef, EntityRef[]> _upstream;

    public AlertTopology(FleetInventory inventory)
    {
        Inventory = inventory;
        var paths = inventory.PathsFromCore();
        var nodeOfDevice = inventory.Nodes.Values.Where(n => n.DeviceId is not null)
            .GroupBy(n => n.DeviceId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var upstream = new Dictionary<EntityRef, EntityRef[]>();

        // A device: each link of its path with the switch it leads to (and that switch's node), then its own node.
        List<EntityRef> DeviceChain(string deviceId)
        {
            var chain = new List<EntityRef>();
            if (paths.TryGetValue(deviceId, out var path))
            {
                // The path starts at the end of its first link that is a core switch (its own path is empty).
                var first = path.Count > 0 ? inventory.Links[path[0]] : null;
                var at = first is not null && paths.GetValueOrDefault(first.A.DeviceId)?.Count == 0 ? first.A.DeviceId : first?.B.DeviceId;
                foreach (var linkId in path)
                {
                    chain.Add(EntityRef.Link(linkId));
                    var link = inventory.Links[linkId];
                    var next = link.A.DeviceId == at ? link.B.DeviceId : link.A.DeviceId;
                    if (next != deviceId)
                    {
                        if (nodeOfDevice.TryGetValue(next, out var hop))
                        {
                            chain.Add(EntityRef.Node(hop));
                        }

                        chain.Add(EntityRef.Device(next));
                    }

                    at = next;
                }
            }

            if (nodeOfDevice.TryGetValue(deviceId, out var own))
            {
                chain.Add(EntityRef.Node(own));
            }

            return chain;
        }

        var deviceChains = inventory.Devices.Keys.ToDictionary(id => id, DeviceChain, StringComparer.Ordinal);
        foreach (var (id, chain) in deviceChains)
        {
            upstream[EntityRef.Device(id)] = [.. chain];
            foreach (var port in inventory.Devices[id].Ports)
            {
                upstream[EntityRef.Port(id, port.Name)] = [.. chain, EntityRef.Device(id)];
            }
        }

        foreach (var link in inventory.Links.Values)
        {
            // Ports that are a link's ends: the link is their cause when it is down.
            foreach (var end in new[] { link.A, link.B })
            {
                var port = EntityRef.Port(end.DeviceId, end.Port);
                upstream[port] = [.. upstream.GetValueOrDefault(port) ?? [], EntityRef.Link(link.Id)];
            }

            // A link hangs off its end nearer the core.
            var near = Depth(paths, link.A.DeviceId) <= Depth(paths, link.B.DeviceId) ? link.A.DeviceId : link.B.DeviceId;
            upstream[EntityRef.Link(link.Id)] = [.. deviceChains.GetValueOrDefault(near) ?? [], EntityRef.Device(near)];
        }

        foreach (var node in inventory.Nodes.Values)
        {
            // A node's telemetry travels over its switch's uplink: what is above the switch is above the node.
            upstream[EntityRef.Node(node.Id)] = node.DeviceId is { } device && deviceChains.TryGetValue(device, out var chain)
                ? [.. chain.Where(e => e != EntityRef.Node(node.Id))]
                : [];
        }

        foreach (var endpoint in inventory.Endpoints.Values)
        {
            var node = inventory.Nodes.GetValueOrDefault(endpoint.NodeId);
            EntityRef[] chain = node?.DeviceId is { } device && upstream.TryGetValue(EntityRef.Device(device), out var above)
                ? [.. above, EntityRef.Device(device)]
                : node is not null ? [.. upstream[EntityRef.Node(node.Id)], EntityRef.Node(node.Id)] : [];
            upstream[EntityRef.Endpoint(endpoint.Id)] = chain;
        }

        _upstream = upstream.ToFrozenDictionary();
        Lifecycles = inventory.Events.Values.ToFrozenDictionary(e => e.Id, e => EventLifecycle.Of(inventory, e), StringComparer.Ordinal);
    }

    public FleetInventory Inventory { get; }

    /// <summary>Each event's lifecycle: its things are expected, and alerted on, only while it is set up or live.</summary>
    public FrozenDictionary<string, EventLifecycle> Lifecycles { get; }

    /// <summary>The subjects whose outage explains this one's, topmost first; empty for a core switch or an unknown entity.</summary>
    public ReadOnlySpan<EntityRef> Upstream(EntityRef entity) => _upstream.TryGetValue(entity, out var chain) ? chain : [];

    /// <summary>Every entity the topology knows, for counting what is behind an outage.</summary>
    public IEnumerable<EntityRef> Entities => _upstream.Keys;

    /// <summary>A subject's name as people say it ("Access Nord", "Te1/0/1 on Core Rathaus").</summary>
    public string NameOf(EntityRef entity) => entity.Kind switch
    {
        EntityKind.Device => Inventory.Devices.GetValueOrDefault(entity.Id)?.Name ?? entity.Id,
        EntityKind.Link => Inventory.Links.GetValueOrDefault(entity.Id)?.Name ?? entity.Id,
        EntityKind.Node => Inventory.Nodes.GetValueOrDefault(entity.Id)?.Name ?? entity.Id,
        EntityKind.Endpoint => Inventory.Endpoints.GetValueOrDefault(entity.Id)?.Name ?? entity.Id,
        EntityKind.Port when entity.Id.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 =>
            $"{entity.Id[(slash + 1)..]} on {Inventory.Devices.GetValueOrDefault(entity.Id[..slash])?.Name ?? entity.Id[..slash]}",
        _ => entity.Id,
    };

    private static int Depth(Dictionary<string, IReadOnlyList<string>> paths, string device) =>
        paths.TryGetValue(device, out var path) ? path.Count : int.MaxValue;
}
