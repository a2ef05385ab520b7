using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>Our client walking snmpsim, a Python agent replaying recordings of real devices, against net-snmp's walk of it.</summary>
public sealed class SnmpsimInteropTests(Snmpsimd snmpsim) : IClassFixture<Snmpsimd>
{
    private const string EndOfView = "No more variables left in this MIB View";

    [Theory]
    // Cisco's whole recording (54,000 objects) takes snmpsim 6 s a walk; MIB-2 holds its interface tables.
    [InlineData("cisco_16_switch", "1.3.6.1.2.1")]
    [InlineData("linux-full-walk", "1.3.6")]
    [InlineData("winxp-full-walk", "1.3.6")]
    [InlineData("hp_perf", "1.3.6")]
    [InlineData("hp_perf2", "1.3.6")]
    [InlineData("bgp", "1.3.6")]
    [InlineData("linksys-system", "1.3.6")]
    [InlineData("solaris-system", "1.3.6")]
    [InlineData("udp-endpoint-table-walk", "1.3.6")]
    public async Task OurBulkWalkOfARecording_EqualsSnmpbulkwalk_ValueForValue(string community, string root)
    {
        await using var client = new SnmpClient();

        var ours = await client.WalkAsync(snmpsim.Target(community), Oid.Parse(root)).ToListAsync();
        var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", "-v2c", "-c", community, "-On", "-Cr25", "-t", "5", snmpsim.Address, root);

        Assert.True(theirs.ExitCode == 0, theirs.Error);
        Assert.NotEmpty(ours);
        // snmpbulkwalk prints the endOfMibView bindings of the last page; our walk ends there.
        var expected = WalkOutput.Records(theirs.Output).Where(r => !r.Contains(EndOfView, StringComparison.Ordinal)).ToList();
        AssertSameRecords(expected, WalkOutput.Records(WalkOutput.Format(ours)));
    }

    [Fact]
    public async Task OurGetNextWalkOfARecording_EqualsSnmpwalk_ValueForValue()
    {
        await using var client = new SnmpClient();

        var ours = await client.WalkAsync(snmpsim.Target("linux-full-walk") with { Version = SnmpVersion.V1 }, Oid.Parse("1.3.6.1.2.1.2")).ToListAsync();
        var theirs = await NetSnmpTool.RunAsync("snmpwalk", "-v1", "-c", "linux-full-walk", "-On", "-t", "5", snmpsim.Address, "1.3.6.1.2.1.2");

        Assert.True(theirs.ExitCode == 0, theirs.Error);
        AssertSameRecords(WalkOutput.Records(theirs.Output), WalkOutput.Records(WalkOutput.Format(ours)));
    }

    [Fact]
    public async Task GetTableOfTheCiscoSwitch_ReadsEveryInterface()
    {
        await using var client = new SnmpClient();
        var target = snmpsim.Target("cisco_16_switch");
        var ifEntry = Oid.Parse("1.3.6.1.2.1.2.2.1");

        var table = await client.GetTableAsync(target, ifEntry, [1, 2, 10, 16]);
        var descriptions = await NetSnmpTool.RunAsync("snmpbulkwalk", "-v2c", "-c", "cisco_16_switch", "-On", "-Cr25", snmpsim.Address,
            "1.3.6.1.2.1.2.2.1.2");

        Assert.Equal(59, table.Rows.Count);
        Assert.Equal(
            WalkOutput.Records(descriptions.Output).Where(r => !r.Contains(EndOfView, StringComparison.Ordinal)),
            table.Rows.Select(r => NetSnmpFormat.Format(new VarBind(ifEntry.Append(2).Append(r.Index), r[2]))));
    }

    private static void AssertSameRecords(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            // One record at a time: a diff of 7,000 lines would hide the one that differs.
            Assert.Equal(expected[i], actual[i]);
        }

        Assert.Equal(expected.Count, actual.Count);
    }
}
