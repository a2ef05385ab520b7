using System.Net;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>Our agent answering SNMPv3: to our client and to net-snmp's tools.</summary>
public sealed class SnmpV3AgentTests
{
    private static readonly UsmUsers.User[] Users =
    [
        new(null, null), new("SHA", null), new("MD5", "DES"), new("SHA-256", "AES"), new("SHA-224", "AES-192"), new("SHA-512", "AES-256"),
        new("SHA-384", "AES-256"),
    ];

    private static SnmpAgentOptions Options(int boots = 1, byte[]? engineId = null) =>
        new() { Users = [.. Users.Select(u => u.Security)], EngineBoots = boots, EngineId = engineId };

    public static TheoryData<string> UserNames => [.. Users.Select(u => u.Name)];

    [Theory]
    [MemberData(nameof(UserNames))]
    public async Task OurClient_WalksOurAgent_AtEveryLevel(string name)
    {
        var user = Users.Single(u => u.Name == name);
        var view = Mib2.Build(interfaces: 8);
        await using var fixture = AgentFixture.Start(view, Options());

        var walked = await fixture.Client.WalkAsync(fixture.Target() with { Version = SnmpVersion.V3, V3 = user.Security }, Oid.Parse("1.3.6.1.2.1.2"))
            .ToListAsync();

        Assert.Equal(view.Walk(Oid.Parse("1.3.6.1.2.1.2")).Select(b => (b.Oid, b.Value)), walked.Select(b => (b.Oid, b.Value)));
    }

    [Theory]
    [InlineData("sha-256-aes")]
    [InlineData("md5-des")]
    [InlineData("sha-512-aes-256")]
    [InlineData("sha")]
    public async Task Snmpbulkwalk_WalksOurAgent_OverV3(string name)
    {
        var user = Users.Single(u => u.Name == name);
        var view = MibView.FromSnmprec(Recordings.LinuxFullWalk);
        await using var fixture = AgentFixture.Start(view, Options());

        var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", [.. user.NetSnmpArguments, "-On", "-Cr25", fixture.Address, "1.3.6.1.2.1.2"]);

        Assert.Equal(0, theirs.ExitCode);
        Assert.Equal(WalkOutput.Records(WalkOutput.Format(view.Walk(Oid.Parse("1.3.6.1.2.1.2")))), WalkOutput.Records(theirs.Output));
    }

    [Fact]
    public async Task NetSnmpTools_GetOurAgentsReports_ForWrongUserAndPassPhrase()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(), Options());

        var unknown = await NetSnmpTool.RunAsync("snmpget", "-v3", "-u", "nobody", "-l", "noAuthNoPriv", "-r0", fixture.Address, "1.3.6.1.2.1.1.1.0");
        var wrong = await NetSnmpTool.RunAsync("snmpget", "-v3", "-u", "sha", "-l", "authNoPriv", "-a", "SHA", "-A", "not-the-pass-phrase",
            "-r0", fixture.Address, "1.3.6.1.2.1.1.1.0");

        Assert.Contains("Unknown user name", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("Authentication failure", wrong.Error, StringComparison.Ordinal);
        Assert.Equal(1, fixture.Agent.UsmReports(3));
        Assert.Equal(1, fixture.Agent.UsmReports(5));
    }

    [Fact]
    public async Task OurClient_FollowsOurAgentThroughAReboot()
    {
        var engineId = Convert.FromHexString("800000000401020304");
        var user = Users.Single(u => u.Name == "sha-256-aes");
        var log = new CapturingLogger<SnmpClient>();
        await using var client = new SnmpClient(logger: log);
        var first = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), Mib2.Build(), Options(boots: 7, engineId));
        var endPoint = first.LocalEndPoint;
        var target = new SnmpTarget(endPoint) { Version = SnmpVersion.V3, V3 = user.Security, Timeout = TimeSpan.FromSeconds(1), Retries = 1 };
        try
        {
            await client.GetAsync(target, Mib2.SysDescr);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = SnmpAgent.Start(endPoint, Mib2.Build(), Options(boots: 8, engineId));
        var answer = await client.GetAsync(target, Mib2.SysDescr);

        Assert.Equal("NetOps test agent", answer.Value.AsString());
        Assert.Equal(1, second.UsmReports(2)); // one notInTimeWindow report, then the retried request
        Assert.Contains(log.Entries, l => l.Message.Contains("resynchronised", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OurClient_GetsClearErrorsFromOurAgent()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(), Options());
        var target = fixture.Target() with { Version = SnmpVersion.V3 };

        var unknown = await Assert.ThrowsAsync<SnmpSecurityException>(() =>
            fixture.Client.GetAsync(target with { V3 = Users[1].Security with { UserName = "ghost" } }, Mib2.SysDescr));
        var digest = await Assert.ThrowsAsync<SnmpSecurityException>(() =>
            fixture.Client.GetAsync(target with { V3 = Users[1].Security with { AuthPassword = "another-pass-phrase" } }, Mib2.SysDescr));
        var level = await Assert.ThrowsAsync<SnmpSecurityException>(() =>
            fixture.Client.GetAsync(target with { V3 = Users[1].Security with { Level = SnmpSecurityLevel.AuthPriv, PrivProtocol = SnmpPrivProtocol.Aes128, PrivPassword = "some-privacy-phrase" } }, Mib2.SysDescr));
        var privacy = await Assert.ThrowsAsync<SnmpSecurityException>(() =>
            fixture.Client.GetAsync(target with { V3 = Users[3].Security with { PrivPassword = "another-pass-phrase" } }, Mib2.SysDescr));

        Assert.Equal(SnmpSecurityFailure.UnknownUserName, unknown.Failure);
        Assert.Equal(SnmpSecurityFailure.WrongDigest, digest.Failure);
        Assert.Equal(SnmpSecurityFailure.UnsupportedSecurityLevel, level.Failure);
        Assert.Equal(SnmpSecurityFailure.DecryptionError, privacy.Failure); // our agent reports what snmpd only drops
        Assert.DoesNotContain("another-pass-phrase", digest.Message + privacy.Message, StringComparison.Ordinal);
    }
}
