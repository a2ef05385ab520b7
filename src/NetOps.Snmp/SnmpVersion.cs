namespace NetOps.Snmp;

/// <summary>The SNMP message version; the values are those carried on the wire.</summary>
public enum SnmpVersion
{
    V1 = 0,
    V2c = 1,
}
