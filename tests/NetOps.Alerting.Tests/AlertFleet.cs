using NetOps.Core.Alerts;
using NetOps.Core.Inventory;

namespace NetOps.Alerting.Tests;

/// <summary>
/// A small Rainbow and MOGLI: core → acc-nord (backbone core-acc-nord) → sw-site, and acc-nord → MOGLI node mogli-1's
/// switch with four cameras in zone "stage" of the running Kerwe; mogli-2 with one camera waits for an event next month.
/// </summary>
internal static class AlertFleet
{
    public const string Backbone = "core-acc-nord";
    public const string SiteLink = "acc-site";
    public const string MogliLink = "acc-mogli-1";

    /// <summary>The fleet; <paramref name="policy"/> and <paramref name="mogli1Class"/> give mogli-1 a node class of its own.</summary>
    public static FleetInventory Build(DateTimeOffset now, AlertPolicy? alerting = null, HealthPolicy? policy = null, string? mogli1Class = null)
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var kerwe = new Event("kerwe", "Kerwe", now.AddHours(-1), now.AddDays(1), [new Zone("stage", "Main stage")]);
        var later = new Event("altstadtfest", "Altstadtfest", now.AddDays(30), now.AddDays(32), [new Zone("gate", "Gate")]);
        Assignment[] atKerwe = [new Assignment("kerwe", "stage", now.AddHours(-2), now.AddDays(2))];
        Assignment[] atLater = [new Assignment("altstadtfest", "gate", now.AddDays(29), now.AddDays(33))];
        return new FleetInventory(
            [new Site("rathaus", "Rathaus"), new Site("nord", "Nord")],
            [
                new Device("core", "Core Rathaus", DeviceClass.Core, "rathaus", null, snmp, [new PortPlan("Te1/0/1"), new PortPlan("Te1/0/2")]),
                new Device("acc-nord", "Access Nord", DeviceClass.Access, "nord", null, snmp,
                    [new PortPlan("Te1/1/1"), new PortPlan("Gi1/0/1"), new PortPlan("Gi1/0/2")]),
                new Device("sw-site", "Burggymnasium", DeviceClass.Site, "nord", null, snmp, [new PortPlan("Gi0/1"), new PortPlan("Gi0/2")]),
                new Device("mogli-1-sw", "MOGLI 1 switch", DeviceClass.MobileSwitch, null, "mogli-1", snmp,
                    [new PortPlan("xe-0/0/0"), new PortPlan("ge-0/0/1"), new PortPlan("ge-0/0/2"), new PortPlan("ge-0/0/3"), new PortPlan("ge-0/0/4")]),
            ],
            [
                new Link(Backbone, "Core – Nord", new LinkEnd("core", "Te1/0/1"), new LinkEnd("acc-nord", "Te1/1/1"), Class: "backbone"),
                new Link(SiteLink, "Nord – Burggymnasium", new LinkEnd("acc-nord", "Gi1/0/1"), new LinkEnd("sw-site", "Gi0/1")),
                new Link(MogliLink, "Nord – MOGLI 1", new LinkEnd("acc-nord", "Gi1/0/2"), new LinkEnd("mogli-1-sw", "xe-0/0/0")),
            ],
            [
                new MobileNode("mogli-1", "MOGLI 1", "mogli-1-sw", TimeSpan.FromSeconds(10), atKerwe) { Class = mogli1Class ?? NodeClassPolicy.Default.Name },
                new MobileNode("mogli-2", "MOGLI 2", null, TimeSpan.FromSeconds(10), atLater),
            ],
            [
                .. Enumerable.Range(1, 4).Select(i => new Endpoint($"cam-{i}", $"Camera {i}", EndpointKind.Camera, $"02:00:00:00:00:0{i}", "mogli-1",
                    $"ge-0/0/{i}", atKerwe)),
                new Endpoint("cam-9", "Camera 9", EndpointKind.Camera, "02:00:00:00:00:09", "mogli-2", null, atLater),
            ],
            [kerwe, later],
            policy,
            alerting);
    }
}
