using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Reachability and root cause: a device behind a failed link on its path from the core is unknown, not down.</summary>
public sealed partial class StateEngine
{
    private Dictionary<string, IReadOnlyList<string>> _pathsFromCore = new(StringComparer.Ordinal);

    /// <summary>
    /// A device that does not answer while a link on its path from the core is down is not down itself as far as
    /// anyone can tell: it is unknown, and the failed link is the one root cause to show and alert on.
    /// </summary>
    private void DeriveReachability()
    {
        foreach (var (deviceId, path) in _pathsFromCore)
        {
            var entity = EntityRef.Device(deviceId);
            if (_states.GetValueOrDefault(entity) is not { Value: StateValue.Down, Reason.Code: ReasonCodes.DeviceUnreachable } state)
            {
                continue;
            }

            var failed = path.Select(id => _states.GetValueOrDefault(EntityRef.Link(id))).FirstOrDefault(l => l?.Value == StateValue.Down);
            if (failed is null)
            {
                continue;
            }

            var reason = Reason.Of(ReasonCodes.BehindFailedLink, ("device", deviceId), ("link", failed.Entity.Id), ("since", failed.Since));
            Put(state with { Value = StateValue.Unknown, Reason = reason, Since = failed.Since });
            var device = _inventory.Devices[deviceId];
            foreach (var port in device.Ports)
            {
                var portRef = EntityRef.Port(deviceId, port.Name);
                if (_states.GetValueOrDefault(portRef) is { } portState && portState.Reason.Code == ReasonCodes.DeviceUnreachable)
                {
                    Put(portState with { Reason = reason });
                }
            }
        }
    }
}
