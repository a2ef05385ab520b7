using System.Net;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// One notification (v1 Trap, SNMPv2-Trap or InformRequest) as a receiver got it, in the SNMPv2 form: a v1 trap is
/// translated as RFC 3584 3.1 says, so <see cref="TrapOid"/> and <see cref="VarBinds"/> look the same whatever the
/// version. Its string form never shows the community.
/// </summary>
/// <param name="Source">Where the datagram came from (address and port).</param>
/// <param name="Version">The message version.</param>
/// <param name="PduType">TrapV1, TrapV2 or InformRequest.</param>
/// <param name="TrapOid">snmpTrapOID.0: linkDown is 1.3.6.1.6.3.1.1.5.3, whatever the version.</param>
/// <param name="SysUpTime">sysUpTime.0 of the sender, in hundredths of a second (a v1 trap's time-stamp).</param>
/// <param name="VarBinds">All bindings: sysUpTime.0, snmpTrapOID.0, then the notification's objects (then, for v1,
/// snmpTrapAddress.0 and snmpTrapEnterprise.0).</param>
public sealed record SnmpNotification(
    IPEndPoint Source,
    SnmpVersion Version,
    SnmpPduType PduType,
    Oid TrapOid,
    uint SysUpTime,
    IReadOnlyList<VarBind> VarBinds)
{
    /// <summary>snmpTraps (RFC 3418): the generic traps' v2 identifiers are its children 1 (coldStart) to 6.</summary>
    public static readonly Oid SnmpTraps = new([1, 3, 6, 1, 6, 3, 1, 1, 5]);

    public static readonly Oid SysUpTimeInstance = new([1, 3, 6, 1, 2, 1, 1, 3, 0]);

    public static readonly Oid SnmpTrapOidInstance = new([1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0]);

    /// <summary>snmpTrapAddress.0 (RFC 3584 3.1): the agent-addr of a translated v1 trap.</summary>
    public static readonly Oid SnmpTrapAddressInstance = new([1, 3, 6, 1, 6, 3, 18, 1, 3, 0]);

    /// <summary>snmpTrapEnterprise.0 (SNMPv2-MIB): the enterprise of a translated v1 trap.</summary>
    public static readonly Oid SnmpTrapEnterpriseInstance = new([1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0]);

    public static readonly Oid ColdStart = SnmpTraps.Append(1);
    public static readonly Oid WarmStart = SnmpTraps.Append(2);
    public static readonly Oid LinkDown = SnmpTraps.Append(3);
    public static readonly Oid LinkUp = SnmpTraps.Append(4);

    /// <summary>The v1/v2c community: a secret, never to be logged; null for v3.</summary>
    public string? Community { get; init; }

    /// <summary>The v3 user name; null for v1/v2c.</summary>
    public string? UserName { get; init; }

    /// <summary>The v3 security level; NoAuthNoPriv for v1/v2c.</summary>
    public SnmpSecurityLevel SecurityLevel { get; init; }

    /// <summary>The v3 authoritative engine id: the sender's for a trap, the receiver's for an inform; empty for v1/v2c.</summary>
    public ReadOnlyMemory<byte> EngineId { get; init; }

    /// <summary>The v3 contextEngineID: the sending engine's own for traps and informs (RFC 3413 3.2); empty for v1/v2c.</summary>
    public ReadOnlyMemory<byte> ContextEngineId { get; init; }

    /// <summary>A v1 trap's agent-addr: the device's own view of its address, which NAT or a relay may hide from <see cref="Source"/>.</summary>
    public IPAddress? AgentAddress { get; init; }

    /// <summary>An inform's request id (0 for traps).</summary>
    public int RequestId { get; init; }

    public bool IsInform => PduType == SnmpPduType.InformRequest;

    /// <summary>The notification's own objects: the bindings after sysUpTime.0 and snmpTrapOID.0.</summary>
    public IEnumerable<VarBind> Objects => VarBinds.Skip(2);

    /// <summary>The first binding whose name is <paramref name="oid"/> or under it, if any.</summary>
    public VarBind? Find(Oid oid)
    {
        foreach (var binding in VarBinds)
        {
            if (binding.Oid == oid || binding.Oid.IsChildOf(oid))
            {
                return binding;
            }
        }

        return null;
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Source = ").Append(Source)
            .Append(", Version = ").Append(Version)
            .Append(", PduType = ").Append(PduType)
            .Append(", TrapOid = ").Append(TrapOid.ToDottedString())
            .Append(", SysUpTime = ").Append(SysUpTime)
            .Append(", VarBinds = ").Append(VarBinds.Count);
        if (UserName is not null)
        {
            builder.Append(", UserName = ").Append(UserName).Append(", SecurityLevel = ").Append(SecurityLevel)
                .Append(", EngineId = ").Append(Convert.ToHexString(EngineId.Span));
        }

        if (AgentAddress is not null)
        {
            builder.Append(", AgentAddress = ").Append(AgentAddress);
        }

        return true;
    }
}
