using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Scopes: the whole model, or the part of it a scope (events, sites) covers.</summary>
public sealed partial class StateEngine
{
    /// <summary>The whole model, or the part a scope covers.</summary>
    public StateSnapshot Snapshot(Scope scope) =>
        new(Version, _states.Values.Where(s => InScope(s.Entity, scope)).ToList())
        {
            Sequences = new Dictionary<string, long>(_lastSequence, StringComparer.Ordinal),
        };

    private bool InScope(EntityRef entity, Scope scope)
    {
        if (scope.IsAll)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        var deviceId = entity.Kind switch
        {
            EntityKind.Device => entity.Id,
            EntityKind.Port => entity.Id.Split('/', 2)[0],
            _ => null,
        };
        if (deviceId is not null && _inventory.Devices.TryGetValue(deviceId, out var device))
        {
            if (scope.SiteIds is { } sites && device.SiteId is { } site && sites.Contains(site))
            {
                return true;
            }

            return device.NodeId is { } nodeId && NodeInEvents(nodeId, scope, now);
        }

        return entity.Kind switch
        {
            EntityKind.Node => NodeInEvents(entity.Id, scope, now),
            EntityKind.Endpoint when _inventory.Endpoints.TryGetValue(entity.Id, out var endpoint) => NodeInEvents(endpoint.NodeId, scope, now),
            EntityKind.Link when _inventory.Links.TryGetValue(entity.Id, out var link) =>
                InScope(EntityRef.Device(link.A.DeviceId), scope) || InScope(EntityRef.Device(link.B.DeviceId), scope),
            // A discovered link is in scope where one of its inventory ends is.
            EntityKind.Link when _states.GetValueOrDefault(entity)?.Attributes is { } attributes && attributes.ContainsKey("discovery") =>
                new[] { attributes.GetValueOrDefault("a_device"), attributes.GetValueOrDefault("b_device") }
                    .Any(d => d is not null && InScope(EntityRef.Device(d), scope)),
            _ => false,
        };
    }

    private bool NodeInEvents(string nodeId, Scope scope, DateTimeOffset now) =>
        scope.EventIds is { } events && _inventory.Nodes.TryGetValue(nodeId, out var node) &&
        FleetInventory.CurrentAssignment(node.Assignments, now) is { } assignment && events.Contains(assignment.EventId);
}
