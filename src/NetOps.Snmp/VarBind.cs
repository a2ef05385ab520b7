namespace NetOps.Snmp;

/// <summary>A variable binding: an object identifier and its value.</summary>
public readonly record struct VarBind(Oid Oid, SnmpValue Value)
{
    /// <summary>A binding with a NULL value, as requests carry them.</summary>
    public static VarBind Request(Oid oid) => new(oid, SnmpValue.Null);

    /// <summary>net-snmp's <c>-On</c> line: ".1.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45".</summary>
    public override string ToString() => NetSnmpFormat.Format(this);
}
