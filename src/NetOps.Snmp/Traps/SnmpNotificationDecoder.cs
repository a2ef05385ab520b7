using System.Net;

namespace NetOps.Snmp;

/// <summary>
/// Turns decoded v1/v2c/v3 PDUs into <see cref="SnmpNotification"/>s: the RFC 3584 3.1 translation of v1 traps and
/// the RFC 3416 4.2.6 layout of v2 notifications (sysUpTime.0, snmpTrapOID.0 first).
/// </summary>
public static class SnmpNotificationDecoder
{
    /// <summary>Why a datagram is no notification: the tag of netops.traps.malformed.</summary>
    internal const string ReasonBer = "ber";
    internal const string ReasonPduType = "pdu_type";
    internal const string ReasonTrapOid = "trap_oid";

    /// <summary>
    /// Decodes one v1/v2c datagram as a notification. Values are copied out of <paramref name="packet"/>. Any
    /// malformation, and any PDU that is not a notification, throws <see cref="SnmpDecodeException"/>, and nothing else.
    /// </summary>
    public static SnmpNotification Decode(ReadOnlyMemory<byte> packet, IPEndPoint source)
    {
        var message = SnmpCodec.Decode(packet);
        return FromMessage(message, source, out var notification) is { } reason
            ? throw new SnmpDecodeException($"not a notification ({reason})")
            : notification!;
    }

    /// <summary>The notification a v1/v2c message carries, or the reason it carries none.</summary>
    internal static string? FromMessage(SnmpMessage message, IPEndPoint source, out SnmpNotification? notification)
    {
        var reason = FromPdu(message.Pdu, message.Version, source, out notification);
        if (notification is not null)
        {
            notification = notification with { Community = message.Community };
        }

        return reason;
    }

    /// <summary>The notification <paramref name="pdu"/> is, or the reason it is none. Octet strings are copied.</summary>
    internal static string? FromPdu(SnmpPdu pdu, SnmpVersion version, IPEndPoint source, out SnmpNotification? notification)
    {
        notification = null;
        switch (pdu.Type)
        {
            case SnmpPduType.TrapV1 when version == SnmpVersion.V1 && pdu.V1Trap is { } trap:
                notification = FromV1(pdu, trap, source);
                return null;
            case SnmpPduType.TrapV2 or SnmpPduType.InformRequest when version != SnmpVersion.V1:
                var bindings = pdu.VarBinds;
                // RFC 3416 4.2.6: the first two bindings are sysUpTime.0 and snmpTrapOID.0, in that order.
                if (bindings.Count < 2 || bindings[0].Oid != SnmpNotification.SysUpTimeInstance || bindings[0].Value.Type != SnmpType.TimeTicks ||
                    bindings[1].Oid != SnmpNotification.SnmpTrapOidInstance || bindings[1].Value.Type != SnmpType.ObjectIdentifier)
                {
                    return ReasonTrapOid;
                }

                notification = new SnmpNotification(source, version, pdu.Type, bindings[1].Value.AsOid(), (uint)bindings[0].Value.RawBits,
                    Detach(bindings))
                {
                    RequestId = pdu.RequestId,
                };
                return null;
            default:
                return ReasonPduType;
        }
    }

    /// <summary>RFC 3584 3.1: the v2 form of a v1 trap. snmpTrapCommunity.0 is left out on purpose: it is a secret.</summary>
    private static SnmpNotification FromV1(SnmpPdu pdu, SnmpV1Trap trap, IPEndPoint source)
    {
        var trapOid = trap.GenericTrap is >= 0 and < 6
            ? SnmpNotification.SnmpTraps.Append((uint)trap.GenericTrap + 1)
            : trap.Enterprise.Append(0, unchecked((uint)trap.SpecificTrap));
        var original = pdu.VarBinds;
        var bindings = new VarBind[original.Count + 4];
        bindings[0] = new VarBind(SnmpNotification.SysUpTimeInstance, SnmpValue.TimeTicks(trap.TimeStamp));
        bindings[1] = new VarBind(SnmpNotification.SnmpTrapOidInstance, SnmpValue.ObjectIdentifier(trapOid));
        var count = 2;
        var hasAddress = false;
        var hasEnterprise = false;
        foreach (var binding in original)
        {
            hasAddress |= binding.Oid == SnmpNotification.SnmpTrapAddressInstance;
            hasEnterprise |= binding.Oid == SnmpNotification.SnmpTrapEnterpriseInstance;
            bindings[count++] = Detach(binding);
        }

        if (!hasAddress)
        {
            bindings[count++] = new VarBind(SnmpNotification.SnmpTrapAddressInstance, SnmpValue.IpAddress(trap.AgentAddress));
        }

        if (!hasEnterprise)
        {
            bindings[count++] = new VarBind(SnmpNotification.SnmpTrapEnterpriseInstance, SnmpValue.ObjectIdentifier(trap.Enterprise));
        }

        return new SnmpNotification(source, SnmpVersion.V1, SnmpPduType.TrapV1, trapOid, trap.TimeStamp, bindings[..count])
        {
            AgentAddress = trap.AgentAddress,
        };
    }

    private static VarBind[] Detach(IReadOnlyList<VarBind> bindings)
    {
        var copy = new VarBind[bindings.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Detach(bindings[i]);
        }

        return copy;
    }

    /// <summary>The codec's octet strings are slices of the receive buffer, which the next datagram overwrites.</summary>
    private static VarBind Detach(VarBind binding) => binding.Value.Type is SnmpType.OctetString or SnmpType.IpAddress or SnmpType.Opaque
        ? binding with { Value = SnmpValue.FromBytes(binding.Value.Type, binding.Value.AsMemory().ToArray()) }
        : binding;
}
