using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

public sealed class DemoInventoryTests
{
    [Fact]
    public async Task DemoInventory_LoadsWithoutErrors()
    {
        var result = await Demo.Loader().LoadDirectoryAsync(Demo.Directory, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var inventory = result.Inventory!;
        Assert.Equal(28, inventory.Devices.Count);
        Assert.Equal(27, inventory.Links.Count);
        Assert.Equal(6, inventory.Nodes.Count);
        Assert.Equal(17, inventory.Endpoints.Count);
        Assert.Equal(3, inventory.Events.Count);
    }

    [Fact]
    public void DemoRainbow_IsAStarOfEightRaysAroundTheTownHallCore()
    {
        var inventory = Load();

        var core = inventory.Devices["core-rathaus"];
        Assert.Equal(DeviceClass.Core, core.Class);
        Assert.Equal("rathaus", core.SiteId);
        Assert.Equal(new SnmpTarget("127.77.0.1", 16161, SnmpVersionSetting.V2c, "rainbow-ro"), core.Snmp);
        var rays = inventory.Links.Values.Where(l => l.A.DeviceId == core.Id).ToList();
        Assert.Equal(8, rays.Count);
        Assert.All(rays, l =>
        {
            Assert.Equal(DeviceClass.Access, inventory.Devices[l.B.DeviceId].Class);
            Assert.Equal("Te1/1/1", l.B.Port);
            Assert.Equal("fibre", l.Medium);
        });
        Assert.All(inventory.Devices.Values.Where(d => d.Class == DeviceClass.Site), site =>
            Assert.Contains(inventory.Links.Values, l => l.B.DeviceId == site.Id && l.B.Port == "Gi0/10"));
        Assert.Equal(inventory.Devices.Count, inventory.Devices.Values.Select(d => d.Snmp.Host).Distinct().Count());
        Assert.All(inventory.Devices.Values, d => Assert.StartsWith("127.77.", d.Snmp.Host, StringComparison.Ordinal));
    }

    [Fact]
    public void DemoMogli_KerweIsRunningNow_AndTheSpareNodeIsInStorage()
    {
        var inventory = Load();

        var kerwe = inventory.Events["kerwe"];
        Assert.Equal(Demo.Now.AddDays(-1), kerwe.Start);
        Assert.Equal(Demo.Now.AddDays(2), kerwe.End);
        Assert.Equal(DeploymentPhase.Deployed, FleetInventory.PhaseOf(inventory.Nodes["mogli-01"].Assignments, Demo.Now));
        Assert.Equal("kerwe", FleetInventory.CurrentAssignment(inventory.Nodes["mogli-01"].Assignments, Demo.Now)!.EventId);
        Assert.Equal("altstadtfest", FleetInventory.CurrentAssignment(inventory.Nodes["mogli-04"].Assignments, Demo.Now)!.EventId);
        Assert.Equal(DeploymentPhase.InStorage, FleetInventory.PhaseOf(inventory.Nodes["mogli-06"].Assignments, Demo.Now));

        var node = inventory.Nodes["mogli-01"];
        Assert.Equal("mogli-01-sw", node.DeviceId);
        Assert.Equal(TimeSpan.FromSeconds(10), node.ReportInterval);
        Assert.Equal("mogli-ro", inventory.Devices["mogli-01-sw"].Snmp.CredentialRef);
        var endpoints = inventory.Endpoints.Values.Where(e => e.NodeId == node.Id).ToList();
        Assert.InRange(endpoints.Count, 2, 4);
        Assert.All(endpoints, e => Assert.Equal(node.Assignments, e.Assignments));
        Assert.All(endpoints, e => Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", e.Mac));
    }

    [Fact]
    public async Task DemoFleet_SnmpPortOfEveryDevice_ChangesWithOneLine()
    {
        using var temp = new TempInventory();
        temp.Replace("fleet.yaml", "port: 16161", "port: 20161");

        var result = await Demo.Loader().LoadDirectoryAsync(temp.Directory, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.All(result.Inventory!.Devices.Values, d => Assert.Equal(20161, d.Snmp.Port));
    }

    private static FleetInventory Load() =>
        Demo.Loader().LoadDirectoryAsync(Demo.Directory, CancellationToken.None).GetAwaiter().GetResult().GetOrThrow();
}
