using System.Collections.Immutable;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Planned links: each link's health from both its ends, and the planned links of each device.</summary>
public sealed partial class StateEngine
{
    private Dictionary<string, IReadOnlyList<Link>>? _linksByDevice;
    private FleetInventory? _linksByDeviceOf;

    /// <summary>The planned links with an end on a device.</summary>
    private IReadOnlyList<Link> LinksOf(string deviceId)
    {
        if (_linksByDevice is null || !ReferenceEquals(_linksByDeviceOf, _inventory))
        {
            _linksByDevice = _inventory.Links.Values
                .SelectMany(l => new[] { (Device: l.A.DeviceId, Link: l), (Device: l.B.DeviceId, Link: l) })
                .GroupBy(e => e.Device, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<Link>)g.Select(e => e.Link).Distinct().ToList(), StringComparer.Ordinal);
            _linksByDeviceOf = _inventory;
        }

        return _linksByDevice.GetValueOrDefault(deviceId) ?? [];
    }

    private void DeriveLink(Link link, DateTimeOffset now)
    {
        var a = _states.GetValueOrDefault(EntityRef.Port(link.A.DeviceId, link.A.Port));
        var b = _states.GetValueOrDefault(EntityRef.Port(link.B.DeviceId, link.B.Port));
        var ends = new[] { (End: link.A, State: a), (End: link.B, State: b) };
        var down = ends.FirstOrDefault(e => e.State?.Value == StateValue.Down);
        var inactive = ends.FirstOrDefault(e => e.State?.Value == StateValue.Inactive);
        var unknown = ends.FirstOrDefault(e => e.State is null || e.State.Value == StateValue.Unknown);
        var degraded = ends.FirstOrDefault(e => e.State?.Value == StateValue.Degraded);
        var stored = ends.FirstOrDefault(e => _inventory.Devices.TryGetValue(e.End.DeviceId, out var d) && !IsDeployed(d, now));
        var (value, reason) = true switch
        {
            // A link to a node in storage is not patched: neither end's status says anything about it.
            _ when stored.End is not null => (StateValue.Inactive,
                NotDeployedReason(_inventory.Devices[stored.End.DeviceId].NodeId!, now)),
            _ when down.State is not null => (StateValue.Down,
                Reason.Of(ReasonCodes.LinkEndDown, ("device", down.End.DeviceId), ("port", down.End.Port), ("since", down.State.Since))),
            _ when inactive.State is not null => (StateValue.Inactive,
                Reason.Of(ReasonCodes.LinkEndAdminDown, ("device", inactive.End.DeviceId), ("port", inactive.End.Port))),
            _ when unknown.End is not null => (StateValue.Unknown,
                Reason.Of(ReasonCodes.LinkEndUnknown, ("device", unknown.End.DeviceId), ("port", unknown.End.Port))),
            _ when degraded.State is not null => (StateValue.Degraded, EndDegraded(degraded.End, degraded.State.Reason)),
            _ => (StateValue.Up, Reason.Of(ReasonCodes.LinkUp)),
        };
        var metrics = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var key in new[] { "in_bps", "out_bps", "utilisation_pct" })
        {
            var values = ends.Select(e => e.State?.Metrics.GetValueOrDefault(key)).Where(v => v is > 0).ToList();
            if (values.Count > 0)
            {
                metrics[key] = values.Max()!.Value;
            }
        }

        var entity = EntityRef.Link(link.Id);
        (value, reason) = WithComplaints(entity, value, reason);
        var previous = _states.GetValueOrDefault(entity);
        var observedAt = ends.Select(e => e.State?.ObservedAt ?? now).Min();
        var same = previous is not null && previous.Value == value && previous.Reason.Equals(reason);
        var freshFor = ends.Select(e => e.State?.FreshFor ?? DefaultFreshFor).Max();
        var next = new EntityState(entity, value, reason, same ? previous!.Since : now, observedAt, "engine", freshFor)
        {
            Metrics = metrics.ToImmutable(),
        };
        if (!same || !MetricsEqual(previous!.Metrics, next.Metrics))
        {
            Put(next);
        }
    }

    /// <summary>A link is as degraded as its worse end: the end's own reason, with the cause's code beside it.</summary>
    private static Reason EndDegraded(LinkEnd end, Reason cause) =>
        new(ReasonCodes.LinkEndDegraded, cause.Args
            .SetItem("device", end.DeviceId)
            .SetItem("port", end.Port)
            .SetItem("cause", cause.Code));
}
