using NetOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace NetOps.Snmp.Tests.Fuzzing;

/// <summary>The fast subset of fuzzing v1/v2c notification parsing: a fixed seed, a hundred thousand mutated datagrams.</summary>
public sealed class TrapFuzzTests(ITestOutputHelper output)
{
    private const int Executions = 100_000;

    [Fact]
    public void Seeds_AreRealNotificationsThatDecode()
    {
        Assert.True(TrapFuzzTargets.Seeds.Count >= 6);
        foreach (var seed in TrapFuzzTargets.Seeds)
        {
            TrapFuzzTargets.Notifications.Execute(seed);
        }
    }

    [Fact]
    public void NotificationParsing_OnlyEverThrowsTheDecodeError_WithinBoundedTimeAndAllocation()
    {
        const int seed = 162;
        var mutator = new BerMutator(TrapFuzzTargets.Seeds, seed);

        var report = FuzzRunner.Run(TrapFuzzTargets.Notifications, mutator.Next, seed, Executions, TrapFuzzTargets.Limits);

        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
        Assert.Equal(Executions, report.Executions);
        Assert.True(report.Accepted > 1000 && report.Rejected > 1000, "the mutations should give both kinds of input: " + report);
    }
}
