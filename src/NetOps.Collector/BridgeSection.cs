using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Snmp;
using SnmpTarget = NetOps.Snmp.SnmpTarget;

namespace NetOps.Collector;

/// <summary>
/// Which MAC address is behind which port (Q-BRIDGE-MIB dot1qTpFdbTable, or BRIDGE-MIB dot1dTpFdbTable where a switch
/// has no Q-BRIDGE) and what Power over Ethernet says of each port (POWER-ETHERNET-MIB pethPsePortTable, RFC 3621).
/// Both tables name ports by numbers that are not ifIndex: bridge ports map through dot1dBasePortIfIndex, PoE ports
/// as described at <see cref="MapPoePortsAsync"/>; see docs/endpoints.md.
/// </summary>
/// <remarks>
/// Both parts are read whenever either section is wanted: they are collected together in every poll plan, and the
/// section cannot tell which of its flags a poll asked for. A device without one of the MIBs yields an empty list.
/// </remarks>
public sealed class BridgeSection : IPollSection
{
    internal static readonly Oid Dot1dBasePortEntry = Oid.Parse("1.3.6.1.2.1.17.1.4.1");
    internal static readonly Oid Dot1dTpFdbEntry = Oid.Parse("1.3.6.1.2.1.17.4.3.1");
    internal static readonly Oid Dot1qTpFdbEntry = Oid.Parse("1.3.6.1.2.1.17.7.1.2.2.1");
    internal static readonly Oid Dot1qVlanCurrentEntry = Oid.Parse("1.3.6.1.2.1.17.7.1.4.2.1");
    internal static readonly Oid PethPsePortEntry = Oid.Parse("1.3.6.1.2.1.105.1.1.1");
    internal static readonly Oid CpeExtPsePortEntPhyIndex = Oid.Parse("1.3.6.1.4.1.9.9.402.1.2.1.11");
    internal static readonly Oid EntAliasMappingIdentifier = Oid.Parse("1.3.6.1.2.1.47.1.3.2.1.2");

    private const uint BasePortIfIndex = 2, FdbPort = 2, FdbStatus = 3, VlanFdbId = 3;
    private const uint PoeAdminEnable = 3, PoeDetectionStatus = 6;

    /// <summary>dot1dTpFdbStatus / dot1qTpFdbStatus values that are not a station learned on a port.</summary>
    private const long StatusInvalid = 2, StatusSelf = 4, StatusMgmt = 5;

    public PollSections Sections => PollSections.Forwarding | PollSections.Poe;

    public async Task<DevicePollObservation> ReadAsync(
        SnmpClient client, SnmpTarget target, IReadOnlyDictionary<int, string> ports, DevicePollObservation poll,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(poll);
        var bridgePorts = await ReadBridgePortsAsync(client, target, cancellationToken).ConfigureAwait(false);
        var forwarding = await ReadForwardingAsync(client, target, bridgePorts, ports, cancellationToken).ConfigureAwait(false);
        var poe = await ReadPoeAsync(client, target, bridgePorts, ports, cancellationToken).ConfigureAwait(false);
        return poll with { Forwarding = forwarding, Poe = poe };
    }

    /// <summary>dot1dBasePortIfIndex: bridge port number → ifIndex.</summary>
    private static async Task<Dictionary<int, int>> ReadBridgePortsAsync(SnmpClient client, SnmpTarget target, CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(target, Dot1dBasePortEntry, [BasePortIfIndex], cancellationToken).ConfigureAwait(false);
        var map = new Dictionary<int, int>();
        foreach (var row in table.Rows)
        {
            if (row.Index.Length == 1 && row.TryGet(BasePortIfIndex, out var ifIndex) && ifIndex.IsNumeric)
            {
                map[(int)row.Index[0]] = (int)ifIndex.AsInt64();
            }
        }

        return map;
    }

    /// <summary>
    /// Learned entries only (self and management addresses are the switch's own), each on the ifName of its bridge
    /// port. Q-BRIDGE first (index fdbId + 6 MAC octets; the fdbId turned into a VLAN through dot1qVlanFdbId where the
    /// switch reports it, otherwise taken as the VLAN as it is on switches with one FDB per VLAN), BRIDGE-MIB (index: 6 MAC
    /// octets, no VLAN) when Q-BRIDGE is absent or empty. Entries on ports with no ifName are left out: they cannot
    /// name a port.
    /// </summary>
    internal static async Task<IReadOnlyList<ForwardingEntry>> ReadForwardingAsync(
        SnmpClient client, SnmpTarget target, IReadOnlyDictionary<int, int> bridgePorts, IReadOnlyDictionary<int, string> ports,
        CancellationToken cancellationToken)
    {
        var entries = new List<ForwardingEntry>();
        var q = await client.GetTableAsync(target, Dot1qTpFdbEntry, [FdbPort, FdbStatus], cancellationToken).ConfigureAwait(false);
        if (q.Rows.Count > 0)
        {
            var vlanOfFdb = await ReadVlansOfFdbsAsync(client, target, cancellationToken).ConfigureAwait(false);
            foreach (var row in q.Rows.Where(r => r.Index.Length == 7))
            {
                var fdb = (int)row.Index[0];
                if (Entry(row, row.Index.Slice(1), bridgePorts, ports, vlanOfFdb.TryGetValue(fdb, out var vlan) ? vlan : fdb) is { } entry)
                {
                    entries.Add(entry);
                }
            }

            return entries;
        }

        var d = await client.GetTableAsync(target, Dot1dTpFdbEntry, [FdbPort, FdbStatus], cancellationToken).ConfigureAwait(false);
        foreach (var row in d.Rows.Where(r => r.Index.Length == 6))
        {
            if (Entry(row, row.Index, bridgePorts, ports, vlan: null) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private static ForwardingEntry? Entry(
        SnmpTableRow row, Oid mac, IReadOnlyDictionary<int, int> bridgePorts, IReadOnlyDictionary<int, string> ports, int? vlan)
    {
        if (row.TryGet(FdbStatus, out var status) && status.IsNumeric && status.AsInt64() is StatusInvalid or StatusSelf or StatusMgmt)
        {
            return null;
        }

        // Port 0: the switch learned the address but does not know the port.
        if (!row.TryGet(FdbPort, out var port) || !port.IsNumeric || port.AsInt64() is not (> 0 and <= int.MaxValue) ||
            mac.Arcs.ToArray().Any(octet => octet > 255))
        {
            return null;
        }

        var bridgePort = (int)port.AsInt64();
        // A switch without dot1dBasePortTable numbers bridge ports as its ifIndexes (most do when there is one table).
        var ifIndex = bridgePorts.Count == 0 ? bridgePort : bridgePorts.GetValueOrDefault(bridgePort, -1);
        if (!ports.TryGetValue(ifIndex, out var name))
        {
            return null;
        }

        var octets = mac.Arcs.ToArray().Select(o => (byte)o).ToArray();
        return new ForwardingEntry(MacAddress.Format(octets), name, vlan);
    }

    /// <summary>dot1qVlanFdbId: which FDB each VLAN learns into (index TimeMark.VlanIndex); fdbId → lowest VLAN.</summary>
    private static async Task<Dictionary<int, int>> ReadVlansOfFdbsAsync(SnmpClient client, SnmpTarget target, CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(target, Dot1qVlanCurrentEntry, [VlanFdbId], cancellationToken).ConfigureAwait(false);
        var map = new Dictionary<int, int>();
        foreach (var row in table.Rows.Where(r => r.Index.Length == 2).OrderBy(r => r.Index[1]))
        {
            if (row.TryGet(VlanFdbId, out var fdb) && fdb.IsNumeric)
            {
                map.TryAdd((int)fdb.AsInt64(), (int)row.Index[1]);
            }
        }

        return map;
    }

    internal static async Task<IReadOnlyList<PoePortStatus>> ReadPoeAsync(
        SnmpClient client, SnmpTarget target, IReadOnlyDictionary<int, int> bridgePorts, IReadOnlyDictionary<int, string> ports,
        CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(target, PethPsePortEntry, [PoeAdminEnable, PoeDetectionStatus], cancellationToken).ConfigureAwait(false);
        var rows = table.Rows.Where(r => r.Index.Length == 2 && r.TryGet(PoeDetectionStatus, out var d) && d.IsNumeric).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var names = await MapPoePortsAsync(client, target, rows.Select(r => ((int)r.Index[0], (int)r.Index[1])).ToList(), bridgePorts, ports,
            cancellationToken).ConfigureAwait(false);
        var result = new List<PoePortStatus>(rows.Count);
        foreach (var row in rows)
        {
            var detection = row[PoeDetectionStatus].AsInt64();
            if (!names.TryGetValue(((int)row.Index[0], (int)row.Index[1]), out var name) || detection is < 1 or > 6)
            {
                continue;
            }

            var admin = !row.TryGet(PoeAdminEnable, out var enable) || !enable.IsNumeric || enable.AsInt64() == 1;
            result.Add(new PoePortStatus(name, (PoeDetection)detection, admin));
        }

        return result;
    }

    /// <summary>
    /// RFC 3621 indexes PSE ports by (group, port) and leaves their relation to interfaces to the vendor. In order:
    /// <list type="number">
    /// <item>Cisco: cpeExtPsePortEntPhyIndex (CISCO-POWER-ETHERNET-EXT-MIB) names the port's ENTITY-MIB entry, whose
    /// entAliasMappingIdentifier is the ifIndex (group = stack member, port = a number of its own, not the bridge port).</item>
    /// <item>Otherwise, with one group (a single switch): the port number is the bridge port (HP/Aruba, most
    /// single-chassis switches, our simulator), mapped through dot1dBasePortIfIndex; where the switch has no bridge port
    /// table, the ifIndex.</item>
    /// <item>Several groups and no vendor table: the numbers repeat per group and name no interface we can tell;
    /// those ports are left out rather than guessed.</item>
    /// </list>
    /// Two PSE ports that land on one ifName are both left out.
    /// </summary>
    private static async Task<Dictionary<(int Group, int Port), string>> MapPoePortsAsync(
        SnmpClient client, SnmpTarget target, IReadOnlyList<(int Group, int Port)> psePorts, IReadOnlyDictionary<int, int> bridgePorts,
        IReadOnlyDictionary<int, string> ports, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(int, int), string>();
        var vendor = await ReadCiscoPoeMapAsync(client, target, cancellationToken).ConfigureAwait(false);
        var groups = psePorts.Select(p => p.Group).Distinct().Count();
        foreach (var pse in psePorts)
        {
            int ifIndex;
            if (vendor.TryGetValue(pse, out var mapped))
            {
                ifIndex = mapped;
            }
            else if (vendor.Count == 0 && groups == 1)
            {
                ifIndex = bridgePorts.Count == 0 ? pse.Port : bridgePorts.GetValueOrDefault(pse.Port, -1);
            }
            else
            {
                continue;
            }

            if (ports.TryGetValue(ifIndex, out var name))
            {
                found[pse] = name;
            }
        }

        var ambiguous = found.GroupBy(f => f.Value, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g.Select(f => f.Key)).ToList();
        foreach (var key in ambiguous)
        {
            found.Remove(key);
        }

        return found;
    }

    /// <summary>(group, port) → ifIndex from Cisco's PoE extension and ENTITY-MIB alias mapping; empty elsewhere.</summary>
    private static async Task<Dictionary<(int, int), int>> ReadCiscoPoeMapAsync(SnmpClient client, SnmpTarget target, CancellationToken cancellationToken)
    {
        var map = new Dictionary<(int, int), int>();
        var entities = new Dictionary<(int, int), uint>();
        await foreach (var binding in client.WalkAsync(target, CpeExtPsePortEntPhyIndex, cancellationToken).ConfigureAwait(false))
        {
            var index = binding.Oid.Slice(CpeExtPsePortEntPhyIndex.Length);
            if (index.Length == 2 && binding.Value.IsNumeric && binding.Oid.IsChildOf(CpeExtPsePortEntPhyIndex))
            {
                entities[((int)index[0], (int)index[1])] = (uint)binding.Value.AsInt64();
            }
        }

        if (entities.Count == 0)
        {
            return map;
        }

        var ifIndexOfEntity = new Dictionary<uint, int>();
        await foreach (var binding in client.WalkAsync(target, EntAliasMappingIdentifier, cancellationToken).ConfigureAwait(false))
        {
            // Index: entPhysicalIndex.entAliasLogicalIndexOrZero; value: ifIndex.N (the interface's ifIndex instance).
            var index = binding.Oid.Slice(EntAliasMappingIdentifier.Length);
            if (index.Length == 2 && EntityAliasMapping.TryGetIfIndex(binding.Value, out var ifIndex))
            {
                ifIndexOfEntity.TryAdd(index[0], ifIndex);
            }
        }

        foreach (var (pse, entity) in entities)
        {
            if (ifIndexOfEntity.TryGetValue(entity, out var ifIndex))
            {
                map[pse] = ifIndex;
            }
        }

        return map;
    }
}
