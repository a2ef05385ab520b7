using System.Collections.Immutable;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Deployment: a node in storage, and the mobile switch and endpoints on it, are inactive rather than down.</summary>
public sealed partial class StateEngine
{
    private void MarkInactive(EntityRef entity, Reason reason, DateTimeOffset now)
    {
        var current = _states.GetValueOrDefault(entity);
        if (current is null || current.Value != StateValue.Inactive || !current.Reason.Equals(reason))
        {
            Put(new EntityState(entity, StateValue.Inactive, reason, now, now, "engine", DefaultFreshFor)
            {
                Metrics = current?.Metrics ?? ImmutableSortedDictionary<string, double>.Empty,
            });
        }
    }

    private bool NodeDeployed(string nodeId, DateTimeOffset at) =>
        _inventory.Nodes.TryGetValue(nodeId, out var node) && FleetInventory.PhaseOf(node.Assignments, at) == DeploymentPhase.Deployed;

    private Reason NotDeployedReason(string nodeId, DateTimeOffset now) =>
        Reason.Of(ReasonCodes.NotDeployed, ("node", nodeId), ("phase", FleetInventory.PhaseOf(_inventory.Nodes[nodeId].Assignments, now)));

    /// <summary>Fixed network devices are always deployed; a mobile switch only while its node is.</summary>
    private bool IsDeployed(Device device, DateTimeOffset at) =>
        device.NodeId is not { } nodeId || !_inventory.Nodes.TryGetValue(nodeId, out var node) ||
        FleetInventory.PhaseOf(node.Assignments, at) == DeploymentPhase.Deployed;
}
