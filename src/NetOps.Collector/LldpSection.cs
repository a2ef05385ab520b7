using System.Globalization;
using System.Net;
using System.Text;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Snmp;

namespace NetOps.Collector;

/// <summary>
/// Reads LLDP-MIB (IEEE 802.1AB, 1.0.8802.1.1.2): what the device advertises (lldpLocChassisId, lldpLocSysName,
/// lldpLocPortTable) and what its neighbours advertised to it (lldpRemTable), each neighbour on the ifName of the local
/// port it was heard on. A device without LLDP-MIB leaves the neighbours unread (null), never "no neighbours".
/// </summary>
public sealed class LldpSection : IPollSection
{
    internal static readonly Oid LocChassisIdSubtype = Oid.Parse("1.0.8802.1.1.2.1.3.1.0");
    internal static readonly Oid LocChassisId = Oid.Parse("1.0.8802.1.1.2.1.3.2.0");
    internal static readonly Oid LocSysName = Oid.Parse("1.0.8802.1.1.2.1.3.3.0");
    internal static readonly Oid LocPortEntry = Oid.Parse("1.0.8802.1.1.2.1.3.7.1");
    internal static readonly Oid RemEntry = Oid.Parse("1.0.8802.1.1.2.1.4.1.1");

    internal const uint LocPortIdSubtype = 2, LocPortId = 3, LocPortDesc = 4;
    internal const uint RemChassisIdSubtype = 4, RemChassisId = 5, RemPortIdSubtype = 6, RemPortId = 7, RemPortDesc = 8, RemSysName = 9;

    private const uint IfPhysAddress = 6, IfAlias = 18;

    public PollSections Sections => PollSections.Neighbours;

    public async Task<DevicePollObservation> ReadAsync(
        SnmpClient client,
        Snmp.SnmpTarget target,
        IReadOnlyDictionary<int, string> ports,
        DevicePollObservation poll,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(poll);
        var scalars = await client.GetAsync(target, [LocChassisIdSubtype, LocChassisId, LocSysName], cancellationToken).ConfigureAwait(false);
        var localTable = await client.GetTableAsync(target, LocPortEntry, [LocPortIdSubtype, LocPortId, LocPortDesc], cancellationToken).ConfigureAwait(false);
        var locals = localTable.Rows
            .Where(r => r.Index.Length == 1)
            .Select(r => new LocalPortRow(
                r.Index[0],
                (LldpPortIdKind)(r.TryGet(LocPortIdSubtype, out var kind) && kind.IsNumeric ? kind.AsInt64() : 0),
                r.TryGet(LocPortId, out var id) && id.Type == SnmpType.OctetString ? id.AsBytes() : [],
                r.TryGet(LocPortDesc, out var desc) && desc.Type == SnmpType.OctetString ? Text(desc.AsMemory().Span) : null))
            .ToList();
        if (locals.Count == 0 && scalars.All(s => s.Value.IsException))
        {
            return poll;
        }

        // ifAlias and ifPhysAddress cost two more walks: only for devices that name their ports that way.
        var aliases = new Dictionary<int, string>();
        var macs = new Dictionary<int, string>();
        if (locals.Any(l => l.Kind is LldpPortIdKind.InterfaceAlias or LldpPortIdKind.MacAddress))
        {
            foreach (var row in (await client.GetTableAsync(target, SnmpDevicePoller.IfXEntry, [IfAlias], cancellationToken).ConfigureAwait(false)).Rows)
            {
                if (row.Index.Length == 1 && row.TryGet(IfAlias, out var alias) && alias.Type == SnmpType.OctetString)
                {
                    aliases[(int)row.Index[0]] = Text(alias.AsMemory().Span);
                }
            }

            foreach (var row in (await client.GetTableAsync(target, SnmpDevicePoller.IfEntry, [IfPhysAddress], cancellationToken).ConfigureAwait(false)).Rows)
            {
                if (row.Index.Length == 1 && row.TryGet(IfPhysAddress, out var mac) && mac.Type == SnmpType.OctetString && mac.AsMemory().Length == 6)
                {
                    macs[(int)row.Index[0]] = Mac(mac.AsMemory().Span);
                }
            }
        }

        var localPorts = MapLocalPorts(locals, ports, aliases, macs);
        var remote = await client.GetTableAsync(target, RemEntry,
            [RemChassisIdSubtype, RemChassisId, RemPortIdSubtype, RemPortId, RemPortDesc, RemSysName], cancellationToken).ConfigureAwait(false);
        var neighbours = new List<LldpNeighbour>();
        // Index: lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex. An agent may briefly hold an entry under an old and
        // a new time mark: the newest wins.
        foreach (var row in remote.Rows.Where(r => r.Index.Length == 3).GroupBy(r => (Port: r.Index[1], Index: r.Index[2])).Select(g => g.MaxBy(r => r.Index[0])!))
        {
            var localNum = row.Index[1];
            var localPort = localPorts.GetValueOrDefault(localNum)
                ?? (ports.TryGetValue((int)localNum, out var byIndex) ? byIndex : $"lldp-port-{localNum}");
            var chassisSubtype = row.TryGet(RemChassisIdSubtype, out var cs) && cs.IsNumeric ? (int)cs.AsInt64() : 0;
            var portKind = (LldpPortIdKind)(row.TryGet(RemPortIdSubtype, out var ps) && ps.IsNumeric ? ps.AsInt64() : 0);
            neighbours.Add(new LldpNeighbour(
                localPort,
                Bytes(row, RemChassisId) is { } chassis ? ChassisId(chassisSubtype, chassis) : null,
                Bytes(row, RemSysName) is { Length: > 0 } sysName ? Text(sysName) : null,
                portKind,
                Bytes(row, RemPortId) is { } portId ? PortId(portKind, portId) : null,
                Bytes(row, RemPortDesc) is { Length: > 0 } portDesc ? Text(portDesc) : null));
        }

        var localChassis = scalars[1].Value is { Type: SnmpType.OctetString } c
            ? ChassisId(scalars[0].Value.IsNumeric ? (int)scalars[0].Value.AsInt64() : 0, c.AsBytes())
            : null;
        var localName = scalars[2].Value is { Type: SnmpType.OctetString } n && n.AsMemory().Length > 0 ? Text(n.AsMemory().Span) : null;
        var advertised = locals
            .Where(l => localPorts.ContainsKey(l.Num))
            .Select(l => new LldpLocalPort(localPorts[l.Num], l.Kind, PortId(l.Kind, l.Id)))
            .ToList();
        return poll with { Neighbours = neighbours, LldpLocal = new LldpLocalSystem(localChassis, localName, advertised) };
    }

    /// <summary>
    /// Maps lldpLocPortNum to ifName. lldpLocPortNum is often not the ifIndex (Juniper numbers LLDP ports on their own),
    /// so the port id decides, by its subtype: interfaceName is the ifName, interfaceAlias the ifAlias, macAddress the
    /// ifPhysAddress (when only one interface has it), local a number that is the ifIndex. Devices mislabel subtypes, so
    /// then a port id or lldpLocPortDesc equal to an ifName counts, then a description equal to an ifAlias; only when
    /// nothing matches is lldpLocPortNum taken as the ifIndex. Unmapped ports are left out.
    /// </summary>
    internal static Dictionary<uint, string> MapLocalPorts(
        IEnumerable<LocalPortRow> rows,
        IReadOnlyDictionary<int, string> ifNames,
        IReadOnlyDictionary<int, string> ifAliases,
        IReadOnlyDictionary<int, string> ifMacs)
    {
        string? Unique(IReadOnlyDictionary<int, string> byIndex, string? value) =>
            value is null ? null
            : byIndex.Where(kv => kv.Value == value).Select(kv => kv.Key).ToList() is [var index] && ifNames.TryGetValue(index, out var name) ? name
            : null;

        string? Named(string? value) =>
            value is { Length: > 0 } && ifNames.Values.Contains(value) ? value : null;

        var map = new Dictionary<uint, string>();
        foreach (var row in rows)
        {
            var id = PortId(row.Kind, row.Id);
            var bySubtype = row.Kind switch
            {
                LldpPortIdKind.InterfaceName => Named(id),
                LldpPortIdKind.InterfaceAlias => Unique(ifAliases, id),
                LldpPortIdKind.MacAddress => Unique(ifMacs, id),
                LldpPortIdKind.Local when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var ifIndex) =>
                    ifNames.GetValueOrDefault(ifIndex),
                _ => null,
            };
            var name = bySubtype
                ?? Named(id)
                ?? Named(row.Description)
                ?? Unique(ifAliases, row.Description)
                ?? ifNames.GetValueOrDefault((int)row.Num);
            if (name is not null)
            {
                map[row.Num] = name;
            }
        }

        return map;
    }

    /// <summary>
    /// A port id as text by its subtype: a MAC address as lower-case colon hex (6 raw bytes, or already text), a network
    /// address as an IP address (IANA family byte first), anything else as text when printable, else hex.
    /// </summary>
    internal static string PortId(LldpPortIdKind kind, ReadOnlySpan<byte> bytes) => kind switch
    {
        LldpPortIdKind.MacAddress => MacOrText(bytes),
        LldpPortIdKind.NetworkAddress => NetworkAddress(bytes),
        _ => Text(bytes),
    };

    /// <summary>A chassis id as text by its subtype (LldpChassisIdSubtype: 4 macAddress, 5 networkAddress, others text).</summary>
    internal static string ChassisId(int subtype, ReadOnlySpan<byte> bytes) => subtype switch
    {
        4 => MacOrText(bytes),
        5 => NetworkAddress(bytes),
        _ => Text(bytes),
    };

    /// <summary>
    /// Device-supplied bytes as safe display text: UTF-8 without control characters (trailing NULs some agents pad with
    /// are dropped), otherwise colon hex, so no byte reaches a screen or a log as a control character.
    /// </summary>
    internal static string Text(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }

        bytes = bytes[..end];
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            if (!text.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned))
            {
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
        }

        return MacAddress.Format(bytes);
    }

    private static string MacOrText(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 6 ? Mac(bytes) : MacAddress.Normalise(Text(bytes));

    private static string Mac(ReadOnlySpan<byte> bytes) => MacAddress.Format(bytes);

    private static string NetworkAddress(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [1, .. var v4] when v4.Length == 4 => new IPAddress(v4).ToString(),
        [2, .. var v6] when v6.Length == 16 => new IPAddress(v6).ToString(),
        _ => MacAddress.Format(bytes),
    };


    private static byte[]? Bytes(SnmpTableRow row, uint column) =>
        row.TryGet(column, out var value) && value.Type == SnmpType.OctetString ? value.AsBytes() : null;

    /// <summary>One row of lldpLocPortTable.</summary>
    internal sealed record LocalPortRow(uint Num, LldpPortIdKind Kind, byte[] Id, string? Description);
}
