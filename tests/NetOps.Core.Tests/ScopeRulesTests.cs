using System.Security.Claims;
using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;

namespace NetOps.Core.Tests;

/// <summary>What a coordinator's scope covers: one rule for the engine, the pages, the API and the alerts.</summary>
public sealed class ScopeRulesTests
{
    private static readonly DateTimeOffset Now = Fleet.Start;
    private static readonly Scope Kerwe = new(EventIds: new HashSet<string> { "kerwe" });
    private static readonly Scope Fest = new(EventIds: new HashSet<string> { "fest" });

    /// <summary>Node 1 at the Kerwe now; node 2 at the fest now and at the Kerwe last year; node 3 in storage, planned for the Kerwe.</summary>
    private static readonly FleetInventory Inventory = Build();

    [Theory]
    [InlineData("node:mogli-01", true)]
    [InlineData("device:mogli-01-sw", true)]
    [InlineData("port:mogli-01-sw/xe-0/0/0", true)]
    [InlineData("endpoint:cam-1", true)]
    [InlineData("endpoint:cam-away", false)]
    [InlineData("node:mogli-02", false)]
    [InlineData("device:mogli-02-sw", false)]
    [InlineData("node:mogli-03", true)]
    [InlineData("link:mogli-01--mogli-03", true)]
    [InlineData("link:core--mogli-01", false)]
    [InlineData("device:core", false)]
    [InlineData("port:core/Te1/0/2", false)]
    [InlineData("node:no-such-node", false)]
    public void Kerwe_CoversItsNodesAndWhatTheyCarry(string entity, bool expected)
    {
        var (kind, id) = (Enum.Parse<EntityKind>(entity.Split(':', 2)[0], ignoreCase: true), entity.Split(':', 2)[1]);
        Assert.Equal(expected, Inventory.Contains(Kerwe, new EntityRef(kind, id), Now));
        Assert.True(Inventory.Contains(Scope.All, new EntityRef(kind, id), Now));
        Assert.False(Inventory.Contains(Scope.Nothing, new EntityRef(kind, id), Now));
    }

    [Fact]
    public void ANodeDeployedElsewhere_LeavesTheEventItServedBefore()
    {
        Assert.True(Inventory.Contains(Fest, EntityRef.Node("mogli-02"), Now));
        // A year ago node 2 was at the Kerwe: then it was the Kerwe's.
        Assert.True(Inventory.Contains(Kerwe, EntityRef.Node("mogli-02"), Now.AddDays(-365)));
    }

    [Fact]
    public void ADiscoveredLink_IsInScopeWhereBothItsEndsAre()
    {
        var inside = new Dictionary<string, string> { ["discovery"] = "lldp", ["a_device"] = "mogli-01-sw", ["b_device"] = "mogli-03-sw" };
        var across = new Dictionary<string, string> { ["discovery"] = "lldp", ["a_device"] = "mogli-01-sw", ["b_device"] = "core" };
        Assert.True(Inventory.Contains(Kerwe, EntityRef.Link("discovered:x"), Now, inside));
        Assert.False(Inventory.Contains(Kerwe, EntityRef.Link("discovered:y"), Now, across));
    }

    [Fact]
    public void ScopedInventory_HoldsTheEventItsNodesAndNothingOfTheFixedNetwork()
    {
        var scoped = Inventory.ScopedTo(Kerwe, Now);
        Assert.Equal(["kerwe"], scoped.Events.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(scoped.Sites);
        Assert.Equal(["mogli-01", "mogli-03"], scoped.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["mogli-01-sw", "mogli-03-sw"], scoped.Devices.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["mogli-01--mogli-03"], scoped.Links.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["cam-1"], scoped.Endpoints.Keys.Order(StringComparer.Ordinal));
        Assert.Same(Inventory, Inventory.ScopedTo(Scope.All, Now));
    }

    [Theory]
    [InlineData("zone:kerwe/stiftsplatz", true)]
    [InlineData("zone:fest/markt", false)]
    [InlineData("node:mogli-01", true)]
    [InlineData("link:core--mogli-01", false)]
    [InlineData("port:mogli-01-sw/xe-0/0/0", true)]
    [InlineData("nonsense", false)]
    public void AlertSubjects_FollowTheSameRule(string subject, bool expected) =>
        Assert.Equal(expected, Inventory.ContainsSubject(Kerwe, subject, Now));

    [Fact]
    public async Task ScopedAlertBook_ShowsTheScopesAlertsOnly_AndRefusesCommands()
    {
        var book = new Book([Open("a", "node:mogli-01"), Open("b", "link:core--acc"), Open("c", "zone:fest/markt")]);
        var scoped = ScopedAlertBook.For(book, Kerwe, () => Inventory, new FixedTime(Now));

        Assert.Equal(["a"], scoped.Open.Select(a => a.Id));
        Assert.Null(scoped.Find("b"));
        Assert.NotNull(scoped.Find("a"));
        Assert.Equal(["a"], (await scoped.HistoryAsync(Now.AddDays(-1), Now, 10, CancellationToken.None)).Select(a => a.Id));
        Assert.Empty(scoped.Silences);
        await Assert.ThrowsAsync<AlertCommandException>(() => scoped.AcknowledgeAsync("a", "co", null, CancellationToken.None));
        Assert.Same(book, ScopedAlertBook.For(book, Scope.All, () => Inventory, new FixedTime(Now)));
    }

    [Fact]
    public void ScopeOf_ALogin_ByItsRolesAndEvents()
    {
        Assert.True(NetOpsClaims.ScopeOf(User(NetOpsRoles.OnCall)).IsAll);
        Assert.True(NetOpsClaims.ScopeOf(User(NetOpsRoles.Coordinator, NetOpsRoles.Operator)).IsAll);
        var coordinator = NetOpsClaims.ScopeOf(User(NetOpsRoles.Coordinator, events: ["kerwe", "fest"]));
        Assert.Equal(["fest", "kerwe"], coordinator.EventIds!.Order(StringComparer.Ordinal));
        Assert.Empty(coordinator.SiteIds!);
        Assert.Empty(NetOpsClaims.ScopeOf(User(NetOpsRoles.Coordinator)).EventIds!);
        Assert.Empty(NetOpsClaims.ScopeOf(User("stranger", events: ["kerwe"])).EventIds!);
        Assert.Empty(NetOpsClaims.ScopeOf(new ClaimsPrincipal(new ClaimsIdentity())).EventIds!);
    }

    private static ClaimsPrincipal User(string role, string? second = null, string[]? events = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, "someone"), new(ClaimTypes.Role, role) };
        if (second is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, second));
        }

        claims.AddRange((events ?? []).Select(e => new Claim(NetOpsClaims.Event, e)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    private static Alert Open(string id, string subject) =>
        new(id, "rule", subject, AlertSeverity.Warning, AlertStatus.Firing, Now, null, Now);

    private static FleetInventory Build()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        Device Mobile(string node) => new(node + "-sw", node, DeviceClass.MobileSwitch, null, node, snmp, [new PortPlan("xe-0/0/0")]);
        var atKerwe = new Assignment("kerwe", "stiftsplatz", Now.AddDays(-1), Now.AddDays(2));
        var lastYear = new Assignment("kerwe", "stiftsplatz", Now.AddDays(-366), Now.AddDays(-363));
        var atFest = new Assignment("fest", "markt", Now.AddHours(-3), Now.AddDays(1));
        var plannedKerwe = new Assignment("kerwe", "stiftsplatz", Now.AddDays(20), Now.AddDays(22));
        return new FleetInventory(
            [new Site("rathaus", "Rathaus")],
            [new("core", "Core", DeviceClass.Core, "rathaus", null, snmp, [new PortPlan("Te1/0/2")]), Mobile("mogli-01"), Mobile("mogli-02"), Mobile("mogli-03")],
            [
                new("core--mogli-01", "uplink", new("core", "Te1/0/2"), new("mogli-01-sw", "xe-0/0/0")),
                new("mogli-01--mogli-03", "chain", new("mogli-01-sw", "xe-0/0/0"), new("mogli-03-sw", "xe-0/0/0")),
            ],
            [
                new MobileNode("mogli-01", "MOGLI 01", "mogli-01-sw", TimeSpan.FromSeconds(10), [atKerwe]),
                new MobileNode("mogli-02", "MOGLI 02", "mogli-02-sw", TimeSpan.FromSeconds(10), [lastYear, atFest]),
                new MobileNode("mogli-03", "MOGLI 03", "mogli-03-sw", TimeSpan.FromSeconds(10), [plannedKerwe]),
            ],
            [
                new Endpoint("cam-1", "Camera", EndpointKind.Camera, "00:00:00:00:00:01", "mogli-01", "ge-0/0/1", []),
                // Carried by a Kerwe node, but lent to the fest by its own assignment.
                new Endpoint("cam-away", "Camera away", EndpointKind.Camera, "00:00:00:00:00:02", "mogli-01", "ge-0/0/2", [atFest]),
            ],
            [
                new Event("kerwe", "Kerwe", Now.AddDays(-1), Now.AddDays(2), [new Zone("stiftsplatz", "Stiftsplatz")]),
                new Event("fest", "Fest", Now.AddHours(-3), Now.AddDays(1), [new Zone("markt", "Markt")]),
            ]);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class Book(IReadOnlyList<Alert> open) : IAlertBook
    {
        public IReadOnlyList<Alert> Open => open;
        public IReadOnlyList<Silence> Silences => [];
        public IReadOnlyList<ReceiverHealth> Receivers => [];
        public Alert? Find(string id) => open.FirstOrDefault(a => a.Id == id);
        public Task<Alert?> AcknowledgeAsync(string id, string by, string? comment, CancellationToken cancellationToken) => Task.FromResult(Find(id));
        public Task<Silence> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<Silence?> ExpireSilenceAsync(string id, string by, CancellationToken cancellationToken) => Task.FromResult<Silence?>(null);
        public Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken) => Task.FromResult(open);
        public Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AuditEntry>>([]);
        public IDisposable Subscribe(Action changed) => new NoSubscription();
    }

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
