using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Core.Cluster;
using NetOps.Testing;

namespace NetOps.Database.Tests;

/// <summary>The collectors' membership on a real PostgreSQL: leases on the server's clock, names held by one process.</summary>
public sealed class MembershipStoreTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Heartbeats_ListTheLiveMembers_UntilTheirLeaseRunsOut_OrTheyLeave()
    {
        await using var store = await StoreAsync();

        var first = await store.HeartbeatAsync(Beat("c1", TimeSpan.FromMinutes(1), 12), CancellationToken.None);
        Assert.Equal("c1", Assert.Single(first.Members).Name);

        // A member with a short lease is listed, then gone once it ran out on the server's clock.
        await store.HeartbeatAsync(Beat("c2", TimeSpan.FromMilliseconds(300), 3), CancellationToken.None);
        var both = await store.ReadAsync(CancellationToken.None);
        Assert.Equal(["c1", "c2"], both.Members.Select(m => m.Name));
        var c1 = both.Members[0];
        Assert.Equal(12, c1.Devices);
        Assert.Equal("host:1", c1.Process);
        Assert.InRange(c1.ExpiresAt - c1.HeartbeatAt, TimeSpan.FromSeconds(59.9), TimeSpan.FromSeconds(60.1));
        Assert.InRange(both.Now - c1.HeartbeatAt, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => (await store.ReadAsync(CancellationToken.None)).Members.Count == 1, TimeSpan.FromSeconds(10), "c2's lease ran out");

        await store.LeaveAsync("c1", "host:other", CancellationToken.None);
        Assert.Single((await store.ReadAsync(CancellationToken.None)).Members);
        await store.LeaveAsync("c1", "host:1", CancellationToken.None);
        Assert.Empty((await store.ReadAsync(CancellationToken.None)).Members);
    }

    [Fact]
    public async Task ASecondProcessWithTheSameName_IsToldWhoHoldsIt_UntilTheFirstOnesLeaseRunsOut()
    {
        await using var store = await StoreAsync();
        await store.HeartbeatAsync(Beat("c1", TimeSpan.FromMilliseconds(500), 1, process: "host-a:1"), CancellationToken.None);

        var refused = await store.HeartbeatAsync(Beat("c1", TimeSpan.FromMinutes(1), 1, process: "host-b:2"), CancellationToken.None);
        Assert.Equal("host-a:1", refused.NameHeldBy);
        Assert.Equal("host-a:1", Assert.Single(refused.Members).Process);

        // Once the first holder's lease ran out (it died), the name is free.
        await Eventually.TrueAsync(async () =>
        {
            var view = await store.HeartbeatAsync(Beat("c1", TimeSpan.FromMinutes(1), 1, process: "host-b:2"), CancellationToken.None);
            return view.NameHeldBy is null && view.Members.Single().Process == "host-b:2";
        }, TimeSpan.FromSeconds(10), "the name taken over after the lease");
    }

    [Fact]
    public async Task TwoStoresStartingTogether_BothCreateTheTableWithoutError()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = new PostgresMembershipStore(connection, NullLogger<PostgresMembershipStore>.Instance);
        await using var b = new PostgresMembershipStore(connection, NullLogger<PostgresMembershipStore>.Instance);

        await Task.WhenAll(a.HeartbeatAsync(Beat("c1", TimeSpan.FromMinutes(1), 0), CancellationToken.None),
            b.HeartbeatAsync(Beat("c2", TimeSpan.FromMinutes(1), 0), CancellationToken.None));

        Assert.Equal(2, (await a.ReadAsync(CancellationToken.None)).Members.Count);
        Assert.DoesNotContain("Password", a.Description, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<PostgresMembershipStore> StoreAsync() =>
        new(await server.CreateDatabaseAsync(), NullLogger<PostgresMembershipStore>.Instance);

    private static MemberHeartbeat Beat(string name, TimeSpan lease, int devices, string process = "host:1") =>
        new(name, Started, lease, devices, process);
}
