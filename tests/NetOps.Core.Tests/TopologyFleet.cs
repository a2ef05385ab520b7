using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Core.Tests;

/// <summary>A fleet for topology tests: a MOGLI switch patched into acc-west, acc-west on the core, a site switch behind acc-west.</summary>
internal static class TopologyFleet
{
    public const string Uplink = "mogli-03-uplink";
    public const string Backbone = "core--acc-west";
    public const string SiteLink = "acc-west--site";

    public static FleetInventory Build()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        return new FleetInventory(
            [new Site("rathaus", "Rathaus"), new Site("west", "West")],
            [
                new Device("core", "Core", DeviceClass.Core, "rathaus", null, snmp, [new PortPlan("Te1/0/1")], SysName: "core.rainbow.kl"),
                new Device("acc-west", "Access West", DeviceClass.Access, "west", null, snmp,
                    [new PortPlan("Te1/1/1"), new PortPlan("Gi1/0/5"), new PortPlan("Gi1/0/6"), new PortPlan("Gi1/0/7")], SysName: "acc-west.rainbow.kl"),
                new Device("mogli-03-sw", "MOGLI 03 switch", DeviceClass.MobileSwitch, null, null, snmp,
                    [new PortPlan("xe-0/0/0"), new PortPlan("ge-0/0/1")], ChassisId: "02-4E-4F-00-00-03"),
                new Device("site", "Site", DeviceClass.Site, "west", null, snmp, [new PortPlan("Gi0/1", "uplink west"), new PortPlan("Gi0/2")]),
            ],
            [
                new Link(Backbone, "Core – West", new LinkEnd("core", "Te1/0/1"), new LinkEnd("acc-west", "Te1/1/1")),
                new Link(Uplink, "MOGLI 03 uplink", new LinkEnd("acc-west", "Gi1/0/5"), new LinkEnd("mogli-03-sw", "xe-0/0/0")),
                new Link(SiteLink, "West – Site", new LinkEnd("acc-west", "Gi1/0/6"), new LinkEnd("site", "Gi0/1")),
            ],
            [], [], []);
    }

    /// <summary>What acc-west (Cisco-like: interfaceName) advertises on a port.</summary>
    public static LldpNeighbour FromAccWest(string localPort, string port) =>
        new(localPort, "02:4e:4f:00:00:01", "acc-west.rainbow.kl", LldpPortIdKind.InterfaceName, port, port);

    /// <summary>What the MOGLI switch (Juniper-like) advertises: its ifIndex as a local port id, no usable description.</summary>
    public static LldpNeighbour FromMogli(string localPort, int ifIndex) =>
        new(localPort, "02:4e:4f:00:00:03", "mogli-03-sw", LldpPortIdKind.Local, ifIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

    public static LldpNeighbour FromCore(string localPort, string port) =>
        new(localPort, "02:4e:4f:00:00:00", "core.rainbow.kl", LldpPortIdKind.InterfaceName, port, port);

    public static readonly IReadOnlyDictionary<int, string> MogliIfNames = new Dictionary<int, string> { [1] = "xe-0/0/0", [2] = "ge-0/0/1" };
}
