using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Core.Tests;

/// <summary>A small fleet for state engine tests: a core, an access switch, a fibre between them, one mobile node.</summary>
internal static class Fleet
{
    public static readonly DateTimeOffset Start = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(30);

    public static FleetInventory Build(bool nodeDeployed = true, bool withAccess = true)
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var devices = new List<Device>
        {
            new("core", "Core", DeviceClass.Core, "rathaus", null, snmp, [new PortPlan("Te1/0/1"), new PortPlan("Te1/0/2")]),
            new("mogli-01-sw", "MOGLI 01 switch", DeviceClass.MobileSwitch, null, "mogli-01", snmp, [new PortPlan("xe-0/0/0")]),
        };
        var links = new List<Link> { new("core--mogli-01", "MOGLI 01 uplink", new("core", "Te1/0/2"), new("mogli-01-sw", "xe-0/0/0")) };
        if (withAccess)
        {
            devices.Add(new("acc", "Access", DeviceClass.Access, "pop", null, snmp, [new PortPlan("Te1/1/1")]));
            links.Add(new("core--acc", "Rathaus – Access", new("core", "Te1/0/1"), new("acc", "Te1/1/1")));
        }

        var window = nodeDeployed
            ? new Assignment("kerwe", "stiftsplatz", Start.AddDays(-1), Start.AddDays(2))
            : new Assignment("kerwe", "stiftsplatz", Start.AddDays(10), Start.AddDays(12));
        return new FleetInventory(
            [new Site("rathaus", "Rathaus"), new Site("pop", "PoP")],
            devices,
            links,
            [new MobileNode("mogli-01", "MOGLI 01", "mogli-01-sw", TimeSpan.FromSeconds(10), [window])],
            [],
            [new Event("kerwe", "Kerwe", Start.AddDays(-1), Start.AddDays(12), [new Zone("stiftsplatz", "Stiftsplatz")])]);
    }

    public static DevicePollObservation Poll(long sequence, DateTimeOffset at, string device, params (string Port, bool Up, ulong Octets)[] ports) =>
        new("collector#1", sequence, at, device, true, TimeSpan.FromHours(1), null,
            ports.Select((p, i) => new PortSample(p.Port, i + 1, true, p.Up, p.Octets, p.Octets, 10_000)).ToList(), Fresh);

    public static DevicePollObservation Unreachable(long sequence, DateTimeOffset at, string device) =>
        new("collector#1", sequence, at, device, false, null, "timeout", [], Fresh);
}
