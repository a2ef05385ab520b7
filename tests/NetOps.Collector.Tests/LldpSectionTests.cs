using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Snmp;

namespace NetOps.Collector.Tests;

/// <summary>The LLDP-MIB reader through the poller, against our own agent serving hand-built and simulated views.</summary>
public sealed class LldpSectionTests : IAsyncLifetime
{
    private static readonly Oid LldpLocal = Oid.Parse("1.0.8802.1.1.2.1.3");
    private static readonly Oid IfEntry = Oid.Parse("1.3.6.1.2.1.2.2.1");
    private static readonly Oid IfXEntry = Oid.Parse("1.3.6.1.2.1.31.1.1.1");

    private readonly SnmpClient _client = new();
    private readonly List<SnmpAgent> _agents = [];

    [Fact]
    public async Task TrickySubtypes_MapEveryLocalPortNumberToItsIfName_AndDecodeRemoteIdsToSafeText()
    {
        var view = Interfaces(("xe-0/0/0", ""), ("ge-0/0/1", "uplink nord"), ("ge-0/0/2", ""), ("ge-0/0/3", ""));
        view.Set(LldpLocal.Append(1, 0), SnmpValue.Integer(4));
        view.Set(LldpLocal.Append(2, 0), SnmpValue.OctetString(new byte[] { 0x00, 0x1B, 0x21, 0x0A, 0x0B, 0x0C }));
        view.Set(LldpLocal.Append(3, 0), SnmpValue.OctetString("mogli-07-sw"));
        // lldpLocPortNum is not the ifIndex: 501-503 name ifIndex 1-3 by local number, ifAlias and MAC; 4 matches nothing.
        LocalPort(view, 501, 7, Encoding.ASCII.GetBytes("1"), "");
        LocalPort(view, 502, 1, Encoding.ASCII.GetBytes("uplink nord"), "");
        LocalPort(view, 503, 3, Mac(3), "");
        LocalPort(view, 4, 7, Encoding.ASCII.GetBytes("weird"), "");
        Remote(view, (0, 501, 1), 4, [0x00, 0x1B, 0x21, 0xAA, 0xBB, 0xCC], 3, [0xAA, 0xBB, 0xCC, 0x00, 0x11, 0x22], "", "acc-nord");
        Remote(view, (100, 502, 1), 5, [1, 10, 0, 0, 1], 4, [1, 192, 0, 2, 7], "uplink", "evil\u001b[31m");
        Remote(view, (50, 503, 3), 7, Encoding.ASCII.GetBytes("old"), 5, Encoding.ASCII.GetBytes("Gi0/1"), "", "stale");
        Remote(view, (200, 503, 3), 7, Encoding.ASCII.GetBytes("chassis-7"), 5, Encoding.ASCII.GetBytes("Gi0/1\0\0"), "", "site-7");
        Remote(view, (0, 4, 1), 6, [0xFF, 0xFE, 0x01], 7, Encoding.ASCII.GetBytes("17"), "xe-0/0/17", "");

        var poll = await PollAsync(view, "xe-0/0/0", "ge-0/0/1", "ge-0/0/2", "ge-0/0/3");

        Assert.True(poll.Sections.HasFlag(PollSections.Neighbours));
        var neighbours = poll.Neighbours!.ToDictionary(n => n.LocalPort);
        Assert.Equal(["ge-0/0/1", "ge-0/0/2", "ge-0/0/3", "xe-0/0/0"], neighbours.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new LldpNeighbour("xe-0/0/0", "00:1b:21:aa:bb:cc", "acc-nord", LldpPortIdKind.MacAddress, "aa:bb:cc:00:11:22", null), neighbours["xe-0/0/0"]);
        Assert.Equal(new LldpNeighbour("ge-0/0/1", "10.0.0.1", "65:76:69:6c:1b:5b:33:31:6d", LldpPortIdKind.NetworkAddress, "192.0.2.7", "uplink"), neighbours["ge-0/0/1"]);
        Assert.Equal(new LldpNeighbour("ge-0/0/2", "chassis-7", "site-7", LldpPortIdKind.InterfaceName, "Gi0/1", null), neighbours["ge-0/0/2"]);
        Assert.Equal(new LldpNeighbour("ge-0/0/3", "ff:fe:01", null, LldpPortIdKind.Local, "17", "xe-0/0/17"), neighbours["ge-0/0/3"]);

        var local = poll.LldpLocal!;
        Assert.Equal("00:1b:21:0a:0b:0c", local.ChassisId);
        Assert.Equal("mogli-07-sw", local.SysName);
        Assert.Contains(new LldpLocalPort("xe-0/0/0", LldpPortIdKind.Local, "1"), local.Ports);
        Assert.Contains(new LldpLocalPort("ge-0/0/1", LldpPortIdKind.InterfaceAlias, "uplink nord"), local.Ports);
        Assert.Contains(new LldpLocalPort("ge-0/0/2", LldpPortIdKind.MacAddress, "02:00:5e:00:03:01"), local.Ports);
    }

    [Fact]
    public async Task DeviceWithoutLldpMib_LeavesNeighboursUnread_NotEmpty()
    {
        var poll = await PollAsync(Interfaces(("Gi0/1", "")), "Gi0/1");

        Assert.True(poll.Reachable, poll.Error);
        Assert.Null(poll.Neighbours);
        Assert.Null(poll.LldpLocal);
    }

    [Fact]
    public async Task SimulatedMogliSwitch_AdvertisesLocalNumbersUnderItsOwnPortNumbers_AndHearsItsPlannedPeer()
    {
        var fleet = SimulatedTopology.Build(port: 161);
        var mogli = new SimulatedSwitch(fleet.Devices["mogli-03-sw"], new Random(1), new HashSet<string> { "xe-0/0/0" }, fleet);
        Assert.True(mogli.View.TryGet(Oid.Parse("1.0.8802.1.1.2.1.3.7.1.3.501"), out var id));
        Assert.Equal("1", id.AsString());

        var poll = await PollAsync(mogli.View, [.. fleet.Devices["mogli-03-sw"].Ports.Select(p => p.Name)]);

        var uplink = Assert.Single(poll.Neighbours!);
        Assert.Equal("xe-0/0/0", uplink.LocalPort);
        Assert.Equal("acc-west", uplink.RemoteSysName);
        Assert.Equal(LldpPortIdKind.InterfaceName, uplink.RemotePortIdKind);
        Assert.Equal("Gi1/0/5", uplink.RemotePortId);
        Assert.Equal(Hex(SimulatedSwitch.ChassisMac("acc-west")), uplink.RemoteChassisId);
        Assert.Contains(new LldpLocalPort("xe-0/0/0", LldpPortIdKind.Local, "1"), poll.LldpLocal!.Ports);
    }

    [Fact]
    public async Task SimulatedSiteSwitch_AdvertisesRawMacPortIds()
    {
        var fleet = SimulatedTopology.Build(port: 161);
        var site = new SimulatedSwitch(fleet.Devices["site"], new Random(1), new HashSet<string> { "Gi0/1" }, fleet);

        var poll = await PollAsync(site.View, [.. fleet.Devices["site"].Ports.Select(p => p.Name)]);

        Assert.Contains(new LldpLocalPort("Gi0/1", LldpPortIdKind.MacAddress, "02:00:5e:00:01:01"), poll.LldpLocal!.Ports);
        Assert.Equal("acc-west", Assert.Single(poll.Neighbours!).RemoteSysName);
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x69, 0x30, 0x2F, 0x31 }, "Gi0/1")]
    [InlineData(new byte[] { 0x47, 0x69, 0x00, 0x00 }, "Gi")]
    [InlineData(new byte[] { 0x41, 0x0A, 0x42 }, "41:0a:42")]
    [InlineData(new byte[] { 0xC3, 0x28 }, "c3:28")]
    [InlineData(new byte[] { 0x4D, 0xC3, 0xBC, 0x6C, 0x6C }, "Müll")]
    [InlineData(new byte[] { 0x61, 0xE2, 0x80, 0xAE, 0x62 }, "61:e2:80:ae:62")]
    public void DeviceText_IsShownAsTextOnlyWhenPrintable(byte[] bytes, string shown) =>
        Assert.Equal(shown, LldpSection.Text(bytes));

    [Fact]
    public void MacPortIdSentAsText_IsNormalised() =>
        Assert.Equal("00:11:22:aa:bb:cc", LldpSection.PortId(LldpPortIdKind.MacAddress, Encoding.ASCII.GetBytes("00-11-22-AA-BB-CC")));

    [Fact]
    public void LocalPortNumberNothingNames_FallsBackToTheIfIndex_AndAnIdThatIsAnIfNameWinsOverIt()
    {
        var ifNames = new Dictionary<int, string> { [1] = "Gi0/1", [2] = "Gi0/2" };
        var map = LldpSection.MapLocalPorts(
        [
            new(1, LldpPortIdKind.Local, Encoding.ASCII.GetBytes("x"), null),
            new(2, LldpPortIdKind.Local, Encoding.ASCII.GetBytes("Gi0/1"), null),
            new(9, LldpPortIdKind.InterfaceName, Encoding.ASCII.GetBytes("Gi9/9"), null),
        ], ifNames, new Dictionary<int, string>(), new Dictionary<int, string>());

        Assert.Equal("Gi0/1", map[1]);
        Assert.Equal("Gi0/1", map[2]);
        Assert.False(map.ContainsKey(9));
    }

    private async Task<DevicePollObservation> PollAsync(MibView view, params string[] ports)
    {
        var agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), view);
        _agents.Add(agent);
        var snmp = new Core.Inventory.SnmpTarget("127.0.0.1", agent.LocalEndPoint.Port, SnmpVersionSetting.V2c, "ro");
        var device = new Device("dev", "Device", DeviceClass.MobileSwitch, null, null, snmp, [.. ports.Select(p => new PortPlan(p))]);
        var poll = await SimulatedTopology.Poller(_client).PollAsync(device, PollSections.Neighbours, CancellationToken.None);
        Assert.True(poll.Reachable, poll.Error);
        return poll;
    }

    private static MibView Interfaces(params (string Name, string Alias)[] ports)
    {
        var view = new MibView();
        view.Set(Oid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.TimeTicks(4200));
        for (var i = 1; i <= ports.Length; i++)
        {
            var index = (uint)i;
            view.Set(IfEntry.Append(6, index), SnmpValue.OctetString(Mac(i)));
            view.Set(IfEntry.Append(7, index), SnmpValue.Integer(1));
            view.Set(IfEntry.Append(8, index), SnmpValue.Integer(1));
            view.Set(IfXEntry.Append(1, index), SnmpValue.OctetString(ports[i - 1].Name));
            view.Set(IfXEntry.Append(18, index), SnmpValue.OctetString(ports[i - 1].Alias));
        }

        return view;
    }

    private static byte[] Mac(int ifIndex) => [0x02, 0x00, 0x5e, 0x00, (byte)ifIndex, 0x01];

    private static void LocalPort(MibView view, uint num, int subtype, byte[] id, string description)
    {
        var entry = LldpLocal.Append(7, 1);
        view.Set(entry.Append(2, num), SnmpValue.Integer(subtype));
        view.Set(entry.Append(3, num), SnmpValue.OctetString(id));
        view.Set(entry.Append(4, num), SnmpValue.OctetString(description));
    }

    private static void Remote(MibView view, (uint TimeMark, uint Port, uint Index) row, int chassisSubtype, byte[] chassis,
        int portSubtype, byte[] portId, string portDescription, string sysName)
    {
        var entry = Oid.Parse("1.0.8802.1.1.2.1.4.1.1");
        void Cell(uint column, SnmpValue value) => view.Set(entry.Append(column, row.TimeMark, row.Port, row.Index), value);
        Cell(4, SnmpValue.Integer(chassisSubtype));
        Cell(5, SnmpValue.OctetString(chassis));
        Cell(6, SnmpValue.Integer(portSubtype));
        Cell(7, SnmpValue.OctetString(portId));
        Cell(8, SnmpValue.OctetString(portDescription));
        Cell(9, SnmpValue.OctetString(sysName));
    }

    private static string Hex(byte[] bytes) => string.Join(':', bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _client.DisposeAsync();
    }
}

/// <summary>A small Rainbow/MOGLI topology for simulator tests: core, acc-west, a MOGLI switch and a site switch.</summary>
internal static class SimulatedTopology
{
    public const string Uplink = "mogli-03-uplink";

    public static FleetInventory Build(int port, Func<int>? nextPort = null)
    {
        Core.Inventory.SnmpTarget Snmp() => new("127.0.0.1", nextPort?.Invoke() ?? port, SnmpVersionSetting.V2c, "ro");
        return new FleetInventory(
            [new Site("rathaus", "Rathaus")],
            [
                new Device("core", "Core", DeviceClass.Core, "rathaus", null, Snmp(), [new PortPlan("Te1/0/1")]),
                new Device("acc-west", "Access West", DeviceClass.Access, "rathaus", null, Snmp(),
                    [new PortPlan("Te1/1/1"), new PortPlan("Gi1/0/5"), new PortPlan("Gi1/0/6"), new PortPlan("Gi1/0/7"), new PortPlan("Gi1/0/8")]),
                new Device("mogli-03-sw", "MOGLI 03", DeviceClass.MobileSwitch, null, null, Snmp(), [new PortPlan("xe-0/0/0"), new PortPlan("ge-0/0/1")]),
                new Device("site", "Site", DeviceClass.Site, "rathaus", null, Snmp(), [new PortPlan("Gi0/1"), new PortPlan("Gi0/2")]),
            ],
            [
                new Link("core--acc-west", "Core – West", new LinkEnd("core", "Te1/0/1"), new LinkEnd("acc-west", "Te1/1/1")),
                new Link(Uplink, "MOGLI 03 uplink", new LinkEnd("acc-west", "Gi1/0/5"), new LinkEnd("mogli-03-sw", "xe-0/0/0")),
                new Link("acc-west--site", "West – Site", new LinkEnd("acc-west", "Gi1/0/6"), new LinkEnd("site", "Gi0/1")),
            ],
            [], [], []);
    }

    public static CredentialStore Credentials() =>
        new(null, name => name == CredentialStore.VariableFor("ro") ? "public" : null);

    public static SnmpDevicePoller Poller(SnmpClient client) =>
        new(client, Credentials(), Options.Create(new CollectorOptions { Name = "lldp-test", Timeout = TimeSpan.FromSeconds(2), Retries = 1 }),
            TimeProvider.System, [new LldpSection()]);
}
