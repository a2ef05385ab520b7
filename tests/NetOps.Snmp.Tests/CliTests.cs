using NetOps.Cli;
using NetOps.Snmp.Tests.Support;

namespace NetOps.Snmp.Tests;

/// <summary><c>netops snmp ...</c> run in-process, compared with net-snmp's tools.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Bulkwalk_PrintsWhatSnmpbulkwalkPrints_AgainstSnmpd()
    {
        await using var snmpd = await Snmpd.StartAsync();

        var (code, output, error) = await RunAsync("snmp", "bulkwalk", "-v2c", "-c", "public", "-On", $"udp:{snmpd.Address}", "1.3.6.1.2.1.2");
        var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", "-v2c", "-c", "public", "-On", snmpd.Address, "1.3.6.1.2.1.2");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal(WalkOutput.OidsAndTypes(theirs.Output), WalkOutput.OidsAndTypes(output));
    }

    [Theory]
    [InlineData("walk", "snmpwalk", "-v1")]
    [InlineData("walk", "snmpwalk", "-v2c")]
    [InlineData("bulkwalk", "snmpbulkwalk", "-v2c")]
    public async Task Walks_PrintExactlyWhatNetSnmpPrints_ForARecordedDevice(string command, string tool, string version)
    {
        await using var fixture = AgentFixture.Start(MibView.FromSnmprec(Recordings.LinuxFullWalk));

        foreach (var root in new[] { "1.3.6.1.2.1", "1.3.6.1.6.3.16", "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.99" })
        {
            var (code, output, _) = await RunAsync("snmp", command, version, "-c", "public", fixture.Address, root);
            var theirs = await NetSnmpTool.RunAsync(tool, version, "-c", "public", "-On", fixture.Address, root);

            Assert.Equal(theirs.ExitCode, code);
            Assert.Equal(theirs.Output, output);
        }
    }

    [Fact]
    public async Task GetAndGetnext_PrintWhatSnmpgetPrints()
    {
        await using var fixture = AgentFixture.Start(MibView.FromSnmprec(Recordings.LinuxFullWalk));
        string[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.6.2", "1.3.6.1.4.1.2021.10.1.6.1", "1.3.6.1.2.1.99.0"];

        var get = await RunAsync(["snmp", "get", "-v2c", "-c", "public", fixture.Address, .. oids]);
        var next = await RunAsync(["snmp", "getnext", "-v2c", "-c", "public", fixture.Address, .. oids]);
        var theirGet = await NetSnmpTool.RunAsync("snmpget", ["-v2c", "-c", "public", "-On", fixture.Address, .. oids]);
        var theirNext = await NetSnmpTool.RunAsync("snmpgetnext", ["-v2c", "-c", "public", "-On", fixture.Address, .. oids]);

        Assert.Equal(theirGet.Output, get.Output);
        Assert.Equal(theirNext.Output, next.Output);
    }

    [Fact]
    public async Task Set_TakesNetSnmpTypeLetters()
    {
        var view = Mib2.Build();
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { WriteCommunity = "private" });

        var (code, output, error) = await RunAsync("snmp", "set", "-v2c", "-c", "private", fixture.Address, "1.3.6.1.2.1.1.5.0", "s", "core-1");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal(".1.3.6.1.2.1.1.5.0 = STRING: \"core-1\"\n", output);
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.1.5.0"), out var name));
        Assert.Equal("core-1", name.AsString());
    }

    [Fact]
    public async Task Timeout_IsOneLineOnStandardError_LikeNetSnmp_WithoutTheCommunity()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(), new SnmpAgentOptions { Quirks = new AgentQuirks { Silent = true } });

        var (code, output, error) = await RunAsync("snmp", "get", "-v2c", "-c", "topsecret", "-t", "0.2", "-r", "0", fixture.Address, "1.3.6.1.2.1.1.3.0");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal($"Timeout: No Response from {fixture.Address}.\n", error);
        Assert.DoesNotContain("topsecret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1Errors_AreOneLineOnStandardError()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());

        var (code, _, error) = await RunAsync("snmp", "get", "-v1", "-c", "public", fixture.Address, "1.3.6.1.2.1.99.0");

        Assert.Equal(1, code);
        Assert.Equal("Error in packet. Reason: (noSuchName). Failed object: .1.3.6.1.2.1.99.0\n", error);
    }

    [Theory]
    [InlineData("snmp")]
    [InlineData("snmp", "frobnicate", "127.0.0.1", "1.3")]
    [InlineData("snmp", "get", "-v3", "127.0.0.1", "1.3")]
    [InlineData("snmp", "get", "127.0.0.1", "not-an-oid")]
    [InlineData("nonsense")]
    public async Task BadArguments_ExitWithOneAndAUsageLine(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.NotEmpty(error);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await Program.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
