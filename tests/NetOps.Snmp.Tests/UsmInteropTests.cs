using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>Our SNMPv3 client against net-snmp's snmpd, one user per auth/priv combination net-snmp 5.9 offers.</summary>
public sealed class UsmInteropTests(UsmSnmpd snmpd) : IClassFixture<UsmSnmpd>
{
    private static readonly Oid System = Oid.Parse("1.3.6.1.2.1.1");

    public static TheoryData<string> Users => [.. UsmUsers.All.Select(u => u.Name)];

    [Theory]
    [MemberData(nameof(Users))]
    public async Task GetAndBulkWalk_EqualSnmpbulkwalk_ForEveryCombination(string name)
    {
        var user = UsmUsers.All.Single(u => u.Name == name);
        var log = new CapturingLogger<SnmpClient>();
        await using var client = new SnmpClient(logger: log);
        var target = snmpd.Target(user.Security);

        var get = await client.GetAsync(target, [Oid.Parse("1.3.6.1.2.1.1.1.0"), Oid.Parse("1.3.6.1.2.1.1.3.0")]);
        var ours = await client.WalkAsync(target, System).ToListAsync();
        var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", [.. user.NetSnmpArguments, "-On", snmpd.Address, "1.3.6.1.2.1.1"]);
        var theirGet = await NetSnmpTool.RunAsync("snmpget", [.. user.NetSnmpArguments, "-On", snmpd.Address, "1.3.6.1.2.1.1.1.0"]);

        Assert.Equal(0, theirs.ExitCode);
        Assert.Equal(WalkOutput.OidsAndTypes(theirs.Output), WalkOutput.OidsAndTypes(WalkOutput.Format(ours)));
        Assert.Equal(theirGet.Output, NetSnmpFormat.Format(get[0]) + "\n");
        Assert.Equal(SnmpType.TimeTicks, get[1].Value.Type);
        Assert.Empty(log.Errors);
    }

    [Fact]
    public async Task GetBulk_ServesTheSameRowsAtEveryLevel()
    {
        await using var client = new SnmpClient();
        var levels = new[] { new UsmUsers.User(null, null), new UsmUsers.User("SHA-256", null), new UsmUsers.User("SHA-512", "AES-256") };

        var pages = new List<IReadOnlyList<VarBind>>();
        foreach (var user in levels)
        {
            pages.Add(await client.GetBulkAsync(snmpd.Target(user.Security), 0, 10, [Oid.Parse("1.3.6.1.2.1.2.2.1.1")]));
        }

        Assert.All(pages, page => Assert.Equal(pages[0].Select(b => b.Oid), page.Select(b => b.Oid)));
    }
}
