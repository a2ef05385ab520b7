using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>What an observation re-derives: the links, reachability, topology and endpoints it can change, or everything.</summary>
public sealed partial class StateEngine
{
    /// <summary>
    /// Re-derives what an observation can change. Nothing is derived from a node's own state (links, reachability,
    /// topology and endpoints read ports, devices and the evidence tables), and an endpoint's evidence changes that
    /// endpoint only: MQTT telemetry, presence, heartbeats and camera status, the bulk of what arrives, cost O(1)
    /// instead of a pass over the whole fleet. What only time changes (evidence ageing out, a deployment ending) is
    /// caught by <see cref="Expire"/>, which the host calls every second.
    /// </summary>
    private void Rederive(Observation observation, DateTimeOffset now)
    {
        switch (observation)
        {
            case NodeTelemetryObservation or NodePresenceObservation:
                break;
            case DevicePollObservation poll when _inventory.Devices.ContainsKey(poll.DeviceId):
                RederiveAfterPoll(poll, now);
                break;
            case EndpointHeartbeatObservation heartbeat:
                DeriveEndpoint(heartbeat.EndpointId, now);
                break;
            case CameraStatusObservation camera:
                DeriveEndpoint(camera.EndpointId, now);
                break;
            case EndpointReachabilityObservation icmp:
                DeriveEndpoint(icmp.EndpointId, now);
                break;
            default:
                RederiveAll(now);
                break;
        }
    }

    /// <summary>
    /// After a poll of one device: its links (both ends are needed, and only its own changed), reachability (cheap,
    /// and a changed device or link can move any device behind it), the topology comparison only when the poll read
    /// neighbours or a device, port or link changed its state, and the endpoints the device can speak for: those of
    /// its node and those seen on it, or all of them when it read its forwarding table or PoE (a MAC may have left it).
    /// A poll of one switch in a fleet of 2,000 costs what that switch touches, not a pass over the fleet.
    /// </summary>
    private void RederiveAfterPoll(DevicePollObservation poll, DateTimeOffset now)
    {
        foreach (var link in LinksOf(poll.DeviceId))
        {
            DeriveLink(link, now);
        }

        DeriveReachability();
        if (poll.Neighbours is not null || _stateValuesChanged)
        {
            DeriveTopology(now);
        }

        if (poll.Forwarding is not null || poll.Poe is not null)
        {
            DeriveEndpoints(now);
        }
        else
        {
            DeriveEndpointsOf(poll.DeviceId, now);
        }
    }

    /// <summary>Derived states: links from both ends, node deployment lifecycle.</summary>
    private void RederiveAll(DateTimeOffset now)
    {
        foreach (var link in _inventory.Links.Values)
        {
            DeriveLink(link, now);
        }

        DeriveReachability();
        DeriveTopology(now);
        DeriveEndpoints(now);

        foreach (var device in _inventory.Devices.Values)
        {
            if (!IsDeployed(device, now))
            {
                var reason = NotDeployedReason(device.NodeId!, now);
                MarkInactive(EntityRef.Device(device.Id), reason, now);
                foreach (var port in device.Ports)
                {
                    MarkInactive(EntityRef.Port(device.Id, port.Name), reason, now);
                }
            }
        }

        foreach (var node in _inventory.Nodes.Values)
        {
            if (FleetInventory.PhaseOf(node.Assignments, now) is not DeploymentPhase.Deployed)
            {
                MarkInactive(EntityRef.Node(node.Id), NotDeployedReason(node.Id, now), now);
            }
        }
    }
}
