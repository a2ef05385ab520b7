namespace NetOps.Snmp.Tests.Support;

/// <summary>A small MIB-II view for tests: system group and an ifTable of <paramref name="interfaces"/> rows.</summary>
internal static class Mib2
{
    public static readonly Oid System = Oid.Parse("1.3.6.1.2.1.1");
    public static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");
    public static readonly Oid SysUpTime = Oid.Parse("1.3.6.1.2.1.1.3.0");
    public static readonly Oid Interfaces = Oid.Parse("1.3.6.1.2.1.2");
    public static readonly Oid IfEntry = Oid.Parse("1.3.6.1.2.1.2.2.1");

    public static MibView Build(int interfaces = 3)
    {
        var view = new MibView();
        var started = Environment.TickCount64;
        view.Set(SysDescr, SnmpValue.OctetString("NetOps test agent"));
        view.Set(Oid.Parse("1.3.6.1.2.1.1.2.0"), SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.8072.3.2.10")));
        view.SetProvider(SysUpTime, () => SnmpValue.TimeTicks((uint)((Environment.TickCount64 - started) / 10)));
        view.Set(Oid.Parse("1.3.6.1.2.1.1.5.0"), SnmpValue.OctetString("agent-1"), writable: true);
        view.Set(Oid.Parse("1.3.6.1.2.1.2.1.0"), SnmpValue.Integer(interfaces));
        for (uint i = 1; i <= interfaces; i++)
        {
            view.Set(IfEntry.Append(1, i), SnmpValue.Integer(i));
            view.Set(IfEntry.Append(2, i), SnmpValue.OctetString($"port{i}"));
            view.Set(IfEntry.Append(5, i), SnmpValue.Gauge32(1_000_000_000));
            view.Set(IfEntry.Append(8, i), SnmpValue.Integer(1));
            view.Set(IfEntry.Append(10, i), SnmpValue.Counter32(uint.MaxValue - i));
        }

        return view;
    }
}
