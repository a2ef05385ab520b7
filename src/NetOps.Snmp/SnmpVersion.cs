namespace NetOps.Snmp;

/// <summary>The SNMP message version; the values are those carried on the wire.</summary>
public enum SnmpVersion
{
    V1 = 0,
    V2c = 1,

    /// <summary>SNMPv3 with the user-based security model (RFC 3412, RFC 3414); the target needs <see cref="SnmpTarget.V3"/>.</summary>
    V3 = 3,
}
