using System.Net;

namespace NetOps.Snmp;

/// <summary>
/// A protocol data unit. For GetBulkRequest the error-status and error-index slots carry non-repeaters and
/// max-repetitions (<see cref="NonRepeaters"/>, <see cref="MaxRepetitions"/>); a v1 Trap carries <see cref="V1Trap"/>.
/// </summary>
public sealed record SnmpPdu(SnmpPduType Type, int RequestId, IReadOnlyList<VarBind> VarBinds)
{
    public SnmpErrorStatus ErrorStatus { get; init; }

    /// <summary>One-based index of the failing binding, 0 for the whole PDU.</summary>
    public int ErrorIndex { get; init; }

    public int NonRepeaters
    {
        get => (int)ErrorStatus;
        init => ErrorStatus = (SnmpErrorStatus)value;
    }

    public int MaxRepetitions
    {
        get => ErrorIndex;
        init => ErrorIndex = value;
    }

    /// <summary>The header fields of an SNMPv1 Trap-PDU; null for every other PDU type.</summary>
    public SnmpV1Trap? V1Trap { get; init; }
}

/// <summary>The header fields of an SNMPv1 Trap-PDU (RFC 1157).</summary>
public sealed record SnmpV1Trap(Oid Enterprise, IPAddress AgentAddress, int GenericTrap, int SpecificTrap, uint TimeStamp);

/// <summary>An SNMPv1 or SNMPv2c message. Its string form never shows the community.</summary>
public sealed class SnmpMessage(SnmpVersion version, string community, SnmpPdu pdu)
{
    public SnmpVersion Version { get; } = version;

    /// <summary>The community: a secret, never to be logged.</summary>
    public string Community { get; } = community;

    public SnmpPdu Pdu { get; } = pdu;

    public override string ToString() =>
        $"SNMP {Version} {Pdu.Type} request-id {Pdu.RequestId}, {Pdu.VarBinds.Count} bindings";
}
