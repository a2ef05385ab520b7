using NetOps.Cli;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing.Fuzzing;

namespace NetOps.Snmp.Tests.Fuzzing;

/// <summary>Regression tests for what the fuzzer found, and checks that the fuzzer itself finds what it should.</summary>
public sealed class FuzzFindingsTests
{
    // Found by the "oid" target: BER folds the first two arcs into one sub-identifier, and the encoder folded
    // whatever it was given, so 769.1711071 went out as 2.1741751 and 1.50.3 as 2.10.3: a different object.
    [Theory]
    [InlineData("769.1711071")]
    [InlineData("3.6.1")]
    [InlineData("1.40")]
    [InlineData("0.50.3")]
    public void OidsThatBerCannotCarry_AreRefused_NotSentAsAnotherObject(string text)
    {
        var request = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.GetRequest, 1, [VarBind.Request(Oid.Parse(text))]));

        Assert.Throws<ArgumentException>(() => SnmpCodec.Encode(request));
    }

    [Theory]
    [InlineData("1.39.1", "1.39.1")]
    [InlineData("2.999.1", "2.999.1")]
    [InlineData("2.4294967295", "2.4294967295")]
    [InlineData("0.0", "0.0")]
    [InlineData("1", "1.0")] // a lone arc goes out as X.0, as net-snmp sends it
    public void OidsThatBerCanCarry_ArriveUnchanged(string text, string arrives)
    {
        var request = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.GetRequest, 1, [VarBind.Request(Oid.Parse(text))]));

        Assert.Equal(Oid.Parse(arrives), SnmpCodec.Decode(SnmpCodec.Encode(request)).Pdu.VarBinds[0].Oid);
    }

    [Fact]
    public async Task Cli_RefusesAnUnencodableOid_InOneLine()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };

        var code = await Program.RunAsync(["snmp", "get", "-v2c", "-c", "public", fixture.Address, "1.50.3"], output, error);

        Assert.Equal(1, code);
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.Contains("cannot be encoded", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, fixture.Agent.RequestsAnswered);
    }

    [Fact]
    public void Runner_ReportsAnEscapedException_WithTheInputShrunk()
    {
        var seeds = SnmpFuzzTargets.PacketSeeds;
        var planted = new FuzzTarget("planted", input =>
        {
            if (input.AsSpan().IndexOf((byte)0x9f) >= 0 && input.Length > 1)
            {
                throw new IndexOutOfRangeException("planted");
            }
        }, SnmpFuzzTargets.IsDecodeError);

        var report = FuzzRunner.Run(planted, new BerMutator(seeds, seed: 1).Next, 1, 20_000);

        var finding = Assert.Single(report.Findings);
        Assert.StartsWith("exception IndexOutOfRangeException", finding.Kind, StringComparison.Ordinal);
        Assert.Equal(2, finding.InputHex.Length / 2); // shrunk to the 0x9f and one more byte
        Assert.Contains("9F", finding.InputHex, StringComparison.Ordinal);
    }

    [Fact]
    public void Runner_ReportsAnExceptionCaughtByTheDecodersSafetyNet()
    {
        // The decoder wraps anything unexpected in SnmpDecodeException; such a wrapped exception is still a bug.
        Assert.False(SnmpFuzzTargets.IsDecodeError(new SnmpDecodeException("malformed packet", new IndexOutOfRangeException())));
        Assert.True(SnmpFuzzTargets.IsDecodeError(new SnmpDecodeException("length 9 overruns the 3 bytes left")));
    }

    [Fact]
    public void Runner_ReportsInputsThatAllocateOutOfProportion()
    {
        var greedy = new FuzzTarget("greedy", input => GC.KeepAlive(new byte[input.Length * 1000]), _ => false);

        var report = FuzzRunner.Run(greedy, new BerMutator(SnmpFuzzTargets.PacketSeeds, seed: 2).Next, 2, 200,
            new FuzzLimits { AllocationBase = 1024, AllocationPerInputByte = 100 });

        Assert.Contains(report.Findings, f => f.Kind == "allocation");
    }
}
