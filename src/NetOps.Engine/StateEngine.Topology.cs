using System.Collections.Immutable;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Topology discovery: LLDP neighbour tables against planned links. Each planned link carries what LLDP says about it
/// (attribute "discovery": confirmed, missing, miswired, unverified); a miswire is a warning on the link; adjacencies no
/// planned link explains become links of their own ("discovered:…", discovery = unexpected) while they are seen.
/// </summary>
public sealed partial class StateEngine
{
    private const string TopologyConcern = "topology";

    /// <summary>The last neighbour table of each device, until its freshness runs out.</summary>
    private readonly Dictionary<string, NeighbourEvidence> _neighbourTables = new(StringComparer.Ordinal);

    private HashSet<EntityRef> _discoveredLinks = [];
    private TopologyResult? _topology;
    private TopologyInputs? _topologyInputs;

    partial void ApplyNeighbours(Device device, DevicePollObservation poll)
    {
        // The same poll's ifIndex → ifName map: neighbours that name this device's ports by number resolve through it.
        var ifNames = new Dictionary<int, string>();
        foreach (var port in poll.Ports)
        {
            ifNames.TryAdd(port.IfIndex, port.Name);
        }

        _neighbourTables[device.Id] = new NeighbourEvidence(
            new NeighbourView(device.Id, poll.Neighbours ?? [], poll.LldpLocal, ifNames), poll.ObservedAt,
            FreshForSection(device, poll, PollSections.Neighbours), poll.Source, poll.Sequence);
    }

    partial void DeriveTopology(DateTimeOffset now)
    {
        foreach (var (deviceId, table) in _neighbourTables.ToList())
        {
            if (table.ObservedAt + table.FreshFor <= now || !_inventory.Devices.ContainsKey(deviceId))
            {
                _neighbourTables.Remove(deviceId);
            }
        }

        // A table counts while its device answers: one that went unknown or down (collector gone, behind a failed
        // link) keeps no adjacency alive.
        var usable = _neighbourTables
            .Where(t => _states.GetValueOrDefault(EntityRef.Device(t.Key))?.Value is StateValue.Up or StateValue.Degraded &&
                        IsDeployed(_inventory.Devices[t.Key], now))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var inputs = new TopologyInputs(_inventory,
            usable.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value.Sequence, t.Value.Source)).ToList(),
            _inventory.Links.Values.SelectMany(l => new[] { l.A, l.B }).Select(PortUp).ToList());
        if (_topology is null || _topologyInputs is null || !_topologyInputs.SameAs(inputs))
        {
            _topology = TopologyComparison.Compare(_inventory, usable.ToDictionary(t => t.Key, t => t.Value.View, StringComparer.Ordinal), PortUp);
            _topologyInputs = inputs;
        }

        foreach (var link in _inventory.Links.Values)
        {
            if (_topology.Planned.TryGetValue(link.Id, out var discovery))
            {
                ApplyDiscovery(link, discovery, now);
            }
        }

        var seen = new HashSet<EntityRef>();
        foreach (var adjacency in _topology.Unexpected)
        {
            var evidence = new[] { adjacency.A, adjacency.B }
                .Select(e => e.DeviceId is { } id ? usable.GetValueOrDefault(id) : null)
                .OfType<NeighbourEvidence>()
                .MaxBy(e => e.ObservedAt);
            if (evidence is not null)
            {
                seen.Add(PutDiscovered(adjacency, evidence));
            }
        }

        foreach (var gone in _discoveredLinks.Where(e => !seen.Contains(e)))
        {
            _states.Remove(gone);
            _pending.Remove(gone);
            _complaints.Remove(gone);
            _pendingRemoved.Add(gone);
        }

        _discoveredLinks = seen;
    }

    /// <summary>Up (or degraded) is true, down or administratively down false, anything else unknown.</summary>
    private bool? PortUp(LinkEnd end) => _states.GetValueOrDefault(EntityRef.Port(end.DeviceId, end.Port))?.Value switch
    {
        StateValue.Up or StateValue.Degraded => true,
        StateValue.Down or StateValue.Inactive => false,
        _ => null,
    };

    /// <summary>Attributes on the planned link, and the topology complaint for a miswire.</summary>
    private void ApplyDiscovery(Link link, PlannedLinkDiscovery discovery, DateTimeOffset now)
    {
        var entity = EntityRef.Link(link.Id);
        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        attributes["discovery"] = DiscoveryValue(discovery.Status);
        attributes["discovery_detail"] = discovery.Detail;
        if (discovery.SeenAtA is { } seenA)
        {
            attributes["a_seen"] = seenA;
        }

        if (discovery.SeenAtB is { } seenB)
        {
            attributes["b_seen"] = seenB;
        }

        Reason? complaint = null;
        if (discovery.Actual is var (atA, atB))
        {
            attributes["actual_a_port"] = atA.Port ?? atA.PortDescription ?? atA.PortId ?? "";
            attributes["actual_b_port"] = atB.Port ?? atB.PortDescription ?? atB.PortId ?? "";
            complaint = Reason.Of(ReasonCodes.LinkMiswired,
                ("device_a", link.A.DeviceId), ("port_a", link.A.Port), ("device_b", link.B.DeviceId), ("port_b", link.B.Port),
                ("seen_a", attributes["actual_a_port"]), ("seen_b", attributes["actual_b_port"]));
        }

        var held = _complaints.GetValueOrDefault(entity)?.GetValueOrDefault(TopologyConcern)?.Reason;
        if (!Equals(held, complaint))
        {
            Complain(entity, TopologyConcern, complaint is null ? HealthLevel.Ok : HealthLevel.Warning, complaint);
            // Complain re-derives from a generic reason; the link's own derivation gives the right one.
            DeriveLink(link, now);
        }

        var wanted = attributes.ToImmutable();
        if (_states.GetValueOrDefault(entity) is { } state && !AttributesEqual(state.Attributes, wanted))
        {
            Put(state with { Attributes = wanted });
        }
    }

    /// <summary>An adjacency no planned link explains, as a link entity that is up while it is seen.</summary>
    private EntityRef PutDiscovered(Adjacency adjacency, NeighbourEvidence evidence)
    {
        var entity = EntityRef.Link(adjacency.Id);
        // The inventory end first in the attributes, whatever order the id has.
        var (a, b, seenFromA, seenFromB) = adjacency.A.DeviceId is null
            ? (adjacency.B, adjacency.A, adjacency.SeenFromB, adjacency.SeenFromA)
            : (adjacency.A, adjacency.B, adjacency.SeenFromA, adjacency.SeenFromB);
        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        attributes["discovery"] = "unexpected";
        attributes["seen_from"] = seenFromA && seenFromB ? "both" : seenFromA ? "a" : "b";
        AddEnd(attributes, "a", a);
        AddEnd(attributes, "b", b);
        var reason = Reason.Of(ReasonCodes.LinkDiscovered, ("a", a.Display), ("b", b.Display), ("seen_from", attributes["seen_from"]));
        var previous = _states.GetValueOrDefault(entity);
        var since = previous is not null && previous.Value == StateValue.Up ? previous.Since : evidence.ObservedAt;
        Put(new EntityState(entity, StateValue.Up, reason, since, evidence.ObservedAt, evidence.Source, evidence.FreshFor)
        {
            Attributes = attributes.ToImmutable(),
        });
        return entity;
    }

    private static void AddEnd(ImmutableSortedDictionary<string, string>.Builder attributes, string prefix, AdjacencyEnd end)
    {
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                attributes[prefix + "_" + key] = value;
            }
        }

        attributes[prefix] = end.DeviceId is { } device
            ? $"{device}/{end.Port ?? end.PortDescription ?? end.PortId ?? "?"}"
            : $"{end.ChassisId ?? end.SysName ?? "unknown"}/{end.PortId ?? end.PortDescription ?? "?"}";
        Add("device", end.DeviceId);
        Add("port", end.Port);
        Add("chassis", end.ChassisId);
        Add("sysname", end.SysName);
        Add("port_id", end.PortId);
        Add("port_desc", end.PortDescription);
    }

    private static string DiscoveryValue(DiscoveryStatus status) => status switch
    {
        DiscoveryStatus.Confirmed => "confirmed",
        DiscoveryStatus.Missing => "missing",
        DiscoveryStatus.Miswired => "miswired",
        _ => "unverified",
    };

    /// <summary>A device's last neighbour table with the evidence it came with.</summary>
    private sealed record NeighbourEvidence(NeighbourView View, DateTimeOffset ObservedAt, TimeSpan FreshFor, string Source, long Sequence);

    /// <summary>What the comparison depends on: recomputed only when the inventory, a table, or a planned port's state changed.</summary>
    private sealed record TopologyInputs(FleetInventory Inventory, IReadOnlyList<(string Device, long Sequence, string Source)> Tables, IReadOnlyList<bool?> Ports)
    {
        public bool SameAs(TopologyInputs other) =>
            ReferenceEquals(Inventory, other.Inventory) && Tables.SequenceEqual(other.Tables) && Ports.SequenceEqual(other.Ports);
    }
}
