using NetOps.Cli;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary><c>netops snmp ... -v3</c> run in-process, compared with net-snmp's tools given the same user.</summary>
public sealed class CliV3Tests
{
    private static readonly UsmUsers.User[] Users = [new("SHA-256", "AES-256"), new("MD5", "DES"), new("SHA-512", null)];

    [Fact]
    public async Task GetAndBulkwalk_PrintWhatNetSnmpPrints_AgainstSnmpd()
    {
        await using var snmpd = await UsmSnmpd.StartAsync(Users);
        foreach (var user in Users)
        {
            var get = await RunAsync(["snmp", "get", .. user.NetSnmpArguments, snmpd.Address, "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0"]);
            var walk = await RunAsync(["snmp", "bulkwalk", .. user.NetSnmpArguments, $"udp:{snmpd.Address}", "1.3.6.1.2.1.2"]);
            var theirGet = await NetSnmpTool.RunAsync("snmpget", [.. user.NetSnmpArguments, "-On", snmpd.Address, "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0"]);
            var theirWalk = await NetSnmpTool.RunAsync("snmpbulkwalk", [.. user.NetSnmpArguments, "-On", snmpd.Address, "1.3.6.1.2.1.2"]);

            Assert.Equal((0, string.Empty), (get.Code, get.Error));
            Assert.Equal(theirGet.Output, get.Output);
            Assert.Equal((0, string.Empty), (walk.Code, walk.Error));
            Assert.Equal(WalkOutput.OidsAndTypes(theirWalk.Output), WalkOutput.OidsAndTypes(walk.Output));
        }
    }

    [Fact]
    public async Task Walk_PrintsExactlyWhatSnmpwalkPrints_ForARecordedDeviceOverV3()
    {
        var user = Users[0];
        await using var fixture = AgentFixture.Start(MibView.FromSnmprec(Recordings.LinuxFullWalk), new SnmpAgentOptions { Users = [user.Security] });

        var (code, output, _) = await RunAsync(["snmp", "walk", .. user.NetSnmpArguments, fixture.Address, "1.3.6.1.2.1.1"]);
        var theirs = await NetSnmpTool.RunAsync("snmpwalk", [.. user.NetSnmpArguments, "-On", fixture.Address, "1.3.6.1.2.1.1"]);

        Assert.Equal(theirs.ExitCode, code);
        Assert.Equal(theirs.Output, output);
    }

    [Fact]
    public async Task WrongPassPhrase_IsOneClearLine_WithoutThePassPhrase()
    {
        var user = Users[0];
        await using var fixture = AgentFixture.Start(Mib2.Build(), new SnmpAgentOptions { Users = [user.Security] });
        string[] arguments = [.. user.NetSnmpArguments];
        arguments[Array.IndexOf(arguments, "-A") + 1] = "not-the-right-one";

        var (code, output, error) = await RunAsync(["snmp", "get", .. arguments, fixture.Address, "1.3.6.1.2.1.1.1.0"]);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith($"Error: SNMPv3 user '{user.Name}' at {fixture.Address}: authentication failed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-right-one", error, StringComparison.Ordinal);
        Assert.DoesNotContain(UsmUsers.PrivPassword, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-v3", "-l", "authPriv", "-u", "ops", "-a", "SHA", "-A", "long-enough-1")]
    [InlineData("-v3", "-l", "authNoPriv", "-u", "ops", "-a", "SHA", "-A", "short")]
    [InlineData("-v3", "-u", "ops", "-l", "authNoPriv", "-a", "SHA-999", "-A", "long-enough-1")]
    [InlineData("-v3", "-u", "ops", "-e", "not-hex")]
    public async Task BadV3Arguments_ExitWithOneAndAUsageLine_WithoutThePassPhrase(params string[] v3)
    {
        var (code, _, error) = await RunAsync(["snmp", "get", .. v3, "127.0.0.1", "1.3.6.1.2.1.1.1.0"]);

        Assert.Equal(1, code);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("long-enough-1", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await Program.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
