using NetOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace NetOps.Snmp.Tests.Fuzzing;

/// <summary>
/// The fast subset of the fuzzing campaign: a fixed seed, a few hundred thousand mutated inputs per target.
/// The benchmark scenario "snmp-fuzz" runs ten million and more per target.
/// </summary>
public sealed class SnmpFuzzTests(ITestOutputHelper output)
{
    private const int Executions = 100_000;

    [Fact]
    public void Seeds_AreRealPacketsThatDecode()
    {
        Assert.True(SnmpFuzzTargets.PacketSeeds.Count >= 10);
        foreach (var seed in SnmpFuzzTargets.PacketSeeds)
        {
            SnmpFuzzTargets.Decoder.Execute(seed);
        }

        Assert.True(SnmpFuzzTargets.OidSeeds.Count >= 10);
    }

    [Fact]
    public void Mutator_IsDeterministic()
    {
        var first = new BerMutator(SnmpFuzzTargets.PacketSeeds, seed: 7);
        var second = new BerMutator(SnmpFuzzTargets.PacketSeeds, seed: 7);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(first.Next(), second.Next());
        }
    }

    [Fact]
    public void Decoder_OnlyEverThrowsItsDecodeError_WithinBoundedTimeAndAllocation()
    {
        const int seed = 20240601;
        var mutator = new BerMutator(SnmpFuzzTargets.PacketSeeds, seed);

        var report = FuzzRunner.Run(SnmpFuzzTargets.Decoder, mutator.Next, seed, Executions, SnmpFuzzTargets.DecoderLimits);

        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
        Assert.Equal(Executions, report.Executions);
        Assert.True(report.Accepted > 1000 && report.Rejected > 1000, "the mutations should give both kinds of input: " + report);
    }

    [Fact]
    public void DecodedMessages_FormatAndSurviveARoundTrip()
    {
        const int seed = 4;
        var mutator = new BerMutator(SnmpFuzzTargets.PacketSeeds, seed);

        var report = FuzzRunner.Run(SnmpFuzzTargets.DecoderRoundTrip, mutator.Next, seed, Executions / 2, SnmpFuzzTargets.RoundTripLimits);

        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
        Assert.True(report.Accepted > 1000 && report.Rejected > 1000, "the mutations should give both kinds of input: " + report);
    }

    [Theory]
    [InlineData(20240601)]
    public void Oids_OnlyEverThrowTheDecodeError_AndRoundTrip(int seed)
    {
        var mutator = new BerMutator(SnmpFuzzTargets.OidSeeds, seed, structured: false);

        var report = FuzzRunner.Run(SnmpFuzzTargets.Oids, mutator.Next, seed, Executions);

        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
        Assert.True(report.Accepted > 1000 && report.Rejected > 1000, "the mutations should give both kinds of input: " + report);
    }
}
