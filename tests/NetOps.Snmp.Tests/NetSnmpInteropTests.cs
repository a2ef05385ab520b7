using NetOps.Snmp.Tests.Support;

namespace NetOps.Snmp.Tests;

/// <summary>Our engine against net-snmp: our client walking snmpd, and net-snmp's tools walking our agent.</summary>
public sealed class NetSnmpInteropTests
{
    [Theory]
    [InlineData("1.3.6.1.2.1.1")]
    [InlineData("1.3.6.1.2.1.2")]
    public async Task OurWalkOfSnmpd_MatchesSnmpbulkwalk_InOidsAndTypes(string root)
    {
        await using var snmpd = await Snmpd.StartAsync();
        await using var client = new SnmpClient();

        var ours = await client.WalkAsync(snmpd.Target(), Oid.Parse(root)).ToListAsync();
        var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", "-v2c", "-c", "public", "-On", snmpd.Address, root);

        Assert.Equal(0, theirs.ExitCode);
        Assert.NotEmpty(ours);
        Assert.Equal(WalkOutput.OidsAndTypes(theirs.Output), WalkOutput.OidsAndTypes(WalkOutput.Format(ours)));
    }

    [Fact]
    public async Task OurV1WalkOfSnmpd_MatchesSnmpwalk_InOidsAndTypes()
    {
        await using var snmpd = await Snmpd.StartAsync();
        await using var client = new SnmpClient();

        var ours = await client.WalkAsync(snmpd.Target(SnmpVersion.V1), Oid.Parse("1.3.6.1.2.1.1")).ToListAsync();
        var theirs = await NetSnmpTool.RunAsync("snmpwalk", "-v1", "-c", "public", "-On", snmpd.Address, "1.3.6.1.2.1.1");

        Assert.Equal(WalkOutput.OidsAndTypes(theirs.Output), WalkOutput.OidsAndTypes(WalkOutput.Format(ours)));
    }

    [Theory]
    [InlineData("snmpwalk", "-v2c")]
    [InlineData("snmpbulkwalk", "-v2c")]
    [InlineData("snmpwalk", "-v1")]
    public async Task NetSnmpWalkOfOurAgentServingARecording_PrintsTheRecording(string tool, string version)
    {
        var view = MibView.FromSnmprec(Recordings.LinuxFullWalk);
        await using var fixture = AgentFixture.Start(view);

        string[] repetitions = tool == "snmpbulkwalk" ? ["-Cr25"] : [];
        var theirs = await NetSnmpTool.RunAsync(tool, [version, "-c", "public", "-On", .. repetitions, fixture.Address, "1.3.6"]);

        Assert.Equal(0, theirs.ExitCode);
        var expected = view.Walk(Oid.Parse("1.3.6"))
            .Where(b => version != "-v1" || b.Value.Type != SnmpType.Counter64) // v1 cannot carry Counter64
            .ToList();
        // At the end of the agent's view net-snmp prints the endOfMibView binding (v2c) or "End of MIB" (v1).
        var end = version == "-v1" ? "End of MIB\n" : NetSnmpFormat.Format(expected[^1] with { Value = SnmpValue.EndOfMibView }) + "\n";
        AssertSameRecords(WalkOutput.Format(expected) + end, theirs.Output);
    }

    [Fact]
    public async Task SnmpbulkwalkOfOurAgentServingACiscoSwitch_PrintsTheRecording()
    {
        var view = MibView.FromSnmprec(Recordings.Cisco16Switch);
        await using var fixture = AgentFixture.Start(view);

        foreach (var root in new[] { "1.3.6.1.2.1.1", "1.3.6.1.2.1.2", "1.3.6.1.2.1.31" })
        {
            var theirs = await NetSnmpTool.RunAsync("snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Cr50", fixture.Address, root);

            AssertSameRecords(WalkOutput.Format(view.Walk(Oid.Parse(root))), theirs.Output);
        }
    }

    [Fact]
    public async Task OurBulkWalkOfOurAgent_EqualsTheRecordingOfACiscoSwitch()
    {
        var view = MibView.FromSnmprec(Recordings.Cisco16Switch);
        await using var fixture = AgentFixture.Start(view);

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Oid.Parse("1.3.6")).ToListAsync();

        Assert.Equal(view.Walk().Select(b => (b.Oid, b.Value)), walked.Select(b => (b.Oid, b.Value)));
    }

    [Fact]
    public async Task SnmpgetOfEveryValueType_PrintsWhatOurFormatterPrints()
    {
        var view = new MibView();
        var values = new SnmpValue[]
        {
            SnmpValue.Integer(-42), SnmpValue.OctetString("plain text"), SnmpValue.OctetString("tab\tand\nnewline"),
            SnmpValue.OctetString("quote \" and \\ backslash"), SnmpValue.OctetString(new byte[] { 0, 1, 2, 0xfe }),
            SnmpValue.OctetString(Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray()), SnmpValue.OctetString(ReadOnlyMemory<byte>.Empty),
            SnmpValue.Null, SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.9.1.516")), SnmpValue.IpAddress(System.Net.IPAddress.Parse("10.20.30.40")),
            SnmpValue.Counter32(uint.MaxValue), SnmpValue.Gauge32(7), SnmpValue.TimeTicks(697202257), SnmpValue.TimeTicks(8640099),
            SnmpValue.Counter64(ulong.MaxValue), SnmpValue.OpaqueFloat(0.46f), SnmpValue.OpaqueDouble(-2.25), SnmpValue.Opaque(new byte[] { 0x04, 0x02, 0x41, 0x42 }),
        };
        var oids = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            var oid = Oid.Parse($"1.3.6.1.4.1.99999.1.{i + 1}.0");
            view.Set(oid, values[i]);
            oids.Add(oid.ToString());
        }

        await using var fixture = AgentFixture.Start(view);

        var theirs = await NetSnmpTool.RunAsync("snmpget", ["-v2c", "-c", "public", "-On", fixture.Address, .. oids, "1.3.6.1.4.1.99999.2.0", "1.3.6.1.4.1.99999.1.1.1"]);

        var expected = view.Walk().Append(new VarBind(Oid.Parse("1.3.6.1.4.1.99999.2.0"), SnmpValue.NoSuchObject))
            .Append(new VarBind(Oid.Parse("1.3.6.1.4.1.99999.1.1.1"), SnmpValue.NoSuchInstance));
        AssertSameRecords(WalkOutput.Format(expected), theirs.Output);
    }

    private static void AssertSameRecords(string expected, string actual)
    {
        var want = WalkOutput.Records(expected);
        var got = WalkOutput.Records(actual);
        for (var i = 0; i < Math.Min(want.Count, got.Count); i++)
        {
            Assert.Equal(want[i], got[i]);
        }

        Assert.Equal(want.Count, got.Count);
    }
}
