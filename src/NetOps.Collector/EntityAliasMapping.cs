using NetOps.Snmp;

namespace NetOps.Collector;

/// <summary>
/// ENTITY-MIB entAliasMappingIdentifier (RFC 6933): how a physical entity (a port, a transceiver's parent) names its
/// interface. The value is an instance of ifIndex (ifIndex.N); the optics and PoE sections both map entities to ports by it.
/// </summary>
internal static class EntityAliasMapping
{
    private static readonly Oid IfIndexColumn = Oid.Parse("1.3.6.1.2.1.2.2.1.1");

    /// <summary>The ifIndex an alias points at, when it is an ifIndex instance and not some other object.</summary>
    public static bool TryGetIfIndex(in SnmpValue alias, out int ifIndex)
    {
        if (alias.Type == SnmpType.ObjectIdentifier && alias.AsOid() is var oid &&
            oid.IsChildOf(IfIndexColumn) && oid.Length == IfIndexColumn.Length + 1)
        {
            ifIndex = (int)oid[^1];
            return true;
        }

        ifIndex = 0;
        return false;
    }
}
