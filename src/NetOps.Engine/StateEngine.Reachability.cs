using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Reachability and root cause: a device behind a failed link on its path from the core is unknown, not down.</summary>
public sealed partial class StateEngine
{
    private Dictionary<string, IReadOnlyList<string>> _pathsFromCore = new(StringComparer.Ordinal);

    /// <summary>Per device whose last poll got no answer: when that poll began asking.</summary>
    private readonly Dictionary<string, DateTimeOffset> _unansweredFrom = new(StringComparer.Ordinal);

    /// <summary>Per link: its last time down, from its start to the moment it came back.</summary>
    private readonly Dictionary<string, Outage> _lastOutages = new(StringComparer.Ordinal);

    private readonly record struct Outage(DateTimeOffset From, DateTimeOffset Until);

    /// <summary>
    /// A device that does not answer while a link on its path from the core is down is not down itself as far as
    /// anyone can tell: it is unknown, and the failed link is the one root cause to show and alert on. So is one whose
    /// unanswered poll began before such a link came back: a request sent into a cut times out after the restore, and
    /// that silence says nothing of the device until a poll asks again.
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

            if (FailureOnPath(path, _unansweredFrom.GetValueOrDefault(deviceId, state.ObservedAt)) is not { } failure)
            {
                continue;
            }

            var (failedLink, downSince) = failure;
            var reason = Reason.Of(ReasonCodes.BehindFailedLink, ("device", deviceId), ("link", failedLink), ("since", downSince));
            Put(state with { Value = StateValue.Unknown, Reason = reason, Since = downSince });
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

    /// <summary>The first link on <paramref name="path"/> down now, or down at some moment since <paramref name="asked"/>.</summary>
    private (string Link, DateTimeOffset DownSince)? FailureOnPath(IReadOnlyList<string> path, DateTimeOffset asked)
    {
        foreach (var id in path)
        {
            if (_states.GetValueOrDefault(EntityRef.Link(id)) is { Value: StateValue.Down } down)
            {
                return (id, down.Since);
            }

            if (_lastOutages.TryGetValue(id, out var outage) && outage.Until > asked)
            {
                return (id, outage.From);
            }
        }

        return null;
    }
}
