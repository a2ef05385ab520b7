using NetOps.Core.Inventory;

namespace NetOps.Core.State;

/// <summary>
/// What a <see cref="Scope"/> covers, one rule for the state engine, the pages, the API and the alerts. A mobile node or
/// endpoint belongs to an event while its assignment in force is for that event; between deployments (in storage, torn
/// down) it belongs to every event it is planned for, so a coordinator sees what is planned before setup. A node's switch
/// and its ports go with the node, a fixed device with its site, a link where both its ends are (an uplink from the fixed
/// network is not part of an event), an alert where its subject is.
/// </summary>
public static class ScopeRules
{
    /// <summary>Whether <paramref name="entity"/> is in <paramref name="scope"/>; a discovered link is placed by its ends' attributes.</summary>
    public static bool Contains(this FleetInventory inventory, Scope scope, EntityRef entity, DateTimeOffset now,
        IReadOnlyDictionary<string, string>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.IsAll)
        {
            return true;
        }

        return entity.Kind switch
        {
            EntityKind.Device => DeviceIn(inventory, scope, entity.Id, now),
            EntityKind.Port => DeviceIn(inventory, scope, entity.Id.Split('/', 2)[0], now),
            EntityKind.Node => NodeIn(inventory, scope, entity.Id, now),
            EntityKind.Endpoint => inventory.Endpoints.TryGetValue(entity.Id, out var endpoint) && EndpointIn(inventory, scope, endpoint, now),
            EntityKind.Link when inventory.Links.TryGetValue(entity.Id, out var link) =>
                DeviceIn(inventory, scope, link.A.DeviceId, now) && DeviceIn(inventory, scope, link.B.DeviceId, now),
            EntityKind.Link when attributes is not null && attributes.ContainsKey("discovery") =>
                attributes.GetValueOrDefault("a_device") is { } a && attributes.GetValueOrDefault("b_device") is { } b &&
                DeviceIn(inventory, scope, a, now) && DeviceIn(inventory, scope, b, now),
            _ => false,
        };
    }

    /// <summary>
    /// Whether an alert's subject ("link:core-acc-nord", "zone:kerwe-2026/main-stage") is in <paramref name="scope"/>: a zone
    /// with its event, an entity by <see cref="Contains"/>.
    /// </summary>
    public static bool ContainsSubject(this FleetInventory inventory, Scope scope, string subject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(subject);
        if (scope.IsAll)
        {
            return true;
        }

        var colon = subject.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        var id = subject[(colon + 1)..];
        return subject[..colon] switch
        {
            "zone" => scope.EventIds is { } events && events.Contains(id.Split('/', 2)[0]),
            "device" => inventory.Contains(scope, EntityRef.Device(id), now),
            "port" => inventory.Contains(scope, new EntityRef(EntityKind.Port, id), now),
            "link" => inventory.Contains(scope, EntityRef.Link(id), now),
            "node" => inventory.Contains(scope, EntityRef.Node(id), now),
            "endpoint" => inventory.Contains(scope, EntityRef.Endpoint(id), now),
            _ => false,
        };
    }

    /// <summary>
    /// The inventory as <paramref name="scope"/> sees it: its events, the nodes, endpoints and switches in them, the links
    /// between those; no site and nothing of the fixed network. The policies stay (they hold no entity).
    /// </summary>
    public static FleetInventory ScopedTo(this FleetInventory inventory, Scope scope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.IsAll)
        {
            return inventory;
        }

        var devices = inventory.Devices.Values.Where(d => DeviceIn(inventory, scope, d.Id, now)).ToList();
        var kept = devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return new FleetInventory(
            inventory.Sites.Values.Where(s => scope.SiteIds is { } sites && sites.Contains(s.Id)),
            devices,
            inventory.Links.Values.Where(l => kept.Contains(l.A.DeviceId) && kept.Contains(l.B.DeviceId)),
            inventory.Nodes.Values.Where(n => NodeIn(inventory, scope, n.Id, now)),
            inventory.Endpoints.Values.Where(e => EndpointIn(inventory, scope, e, now)),
            inventory.Events.Values.Where(e => scope.EventIds is { } events && events.Contains(e.Id)),
            inventory.Policy,
            inventory.Alerting);
    }

    private static bool DeviceIn(FleetInventory inventory, Scope scope, string deviceId, DateTimeOffset now)
    {
        if (!inventory.Devices.TryGetValue(deviceId, out var device))
        {
            return false;
        }

        if (scope.SiteIds is { } sites && device.SiteId is { } site && sites.Contains(site))
        {
            return true;
        }

        return device.NodeId is { } nodeId && NodeIn(inventory, scope, nodeId, now);
    }

    private static bool NodeIn(FleetInventory inventory, Scope scope, string nodeId, DateTimeOffset now) =>
        inventory.Nodes.TryGetValue(nodeId, out var node) && InEvents(node.Assignments, scope, now);

    /// <summary>An endpoint with assignments of its own goes by them; one without goes with its node.</summary>
    private static bool EndpointIn(FleetInventory inventory, Scope scope, Endpoint endpoint, DateTimeOffset now) =>
        InEvents(inventory.AssignmentsOf(endpoint), scope, now);

    private static bool InEvents(IReadOnlyList<Assignment> assignments, Scope scope, DateTimeOffset now)
    {
        if (scope.EventIds is not { Count: > 0 } events)
        {
            return false;
        }

        return FleetInventory.CurrentAssignment(assignments, now) is { } current
            ? events.Contains(current.EventId)
            : assignments.Any(a => events.Contains(a.EventId));
    }
}
