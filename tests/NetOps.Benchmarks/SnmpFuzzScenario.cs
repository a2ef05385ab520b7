using System.Globalization;
using System.Text;
using NetOps.Snmp;
using NetOps.Testing;
using NetOps.Testing.Fuzzing;

namespace NetOps.Benchmarks;

/// <summary>
/// The long fuzzing campaign of the SNMP engine: at least ten million mutated inputs per target (the CI tests run a
/// fast subset), seeded with the real packets in tests/NetOps.Snmp.Tests/Fuzzing/Seeds. The targets are those of
/// tests/NetOps.Testing/Fuzzing/SnmpFuzzTargets.cs, shared with the CI tests.
/// Exit code 1 when any input broke a rule; each finding names its input, shrunk, in hexadecimal.
/// </summary>
public sealed class SnmpFuzzScenario : IBenchScenario
{
    public string Name => "snmp-fuzz";

    public string Description => "fuzz the BER/PDU decoder and OIDs: >= 10M inputs per target, only SnmpDecodeException escapes";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var executions = Args.Long(args, "--executions", 10_000_000L);
        var seed = (int)Args.Long(args, "--seed", 20240601L);
        var threads = (int)Args.Long(args, "--threads", Environment.ProcessorCount);
        var only = args.SkipWhile(a => a != "--target").Skip(1).FirstOrDefault();

        var packets = SnmpFuzzTargets.PacketSeeds;
        var oids = SnmpFuzzTargets.OidSeeds;
        var targets = new (FuzzTarget Target, IReadOnlyList<byte[]> Seeds, bool Structured, FuzzLimits Limits)[]
        {
            (SnmpFuzzTargets.Decoder, packets, true, SnmpFuzzTargets.DecoderLimits),
            (SnmpFuzzTargets.DecoderRoundTrip, packets, true, SnmpFuzzTargets.RoundTripLimits),
            (SnmpFuzzTargets.Oids, oids, false, new FuzzLimits()),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"snmp-fuzz: {executions:N0} executions per target on {threads} threads, seed {seed}, {packets.Count} packet seeds, {oids.Count} OID seeds"));
        var failed = false;
        foreach (var (target, seeds, structured, limits) in targets.Where(t => only is null || t.Target.Name == only))
        {
            // One runner per thread, each with its own seed: allocation is measured per thread.
            var reports = Enumerable.Range(0, threads)
                .Select(t => Task.Run(() => FuzzRunner.Run(target, new BerMutator(seeds, seed + t, structured).Next, seed + t,
                    executions / threads + (t < executions % threads ? 1 : 0), limits, cancellationToken), cancellationToken))
                .ToArray();
            Task.WaitAll(reports, cancellationToken);
            var total = reports.Sum(r => r.Result.Executions);
            var seconds = reports.Max(r => r.Result.Elapsed.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name,-18} {total,12:N0} executions in {seconds,6:0.0} s ({total / seconds,9:N0}/s), accepted {reports.Sum(r => r.Result.Accepted):N0}, " +
                $"slowest input {reports.Max(r => r.Result.SlowestInput.TotalMilliseconds):0.0} ms, most allocated {reports.Max(r => r.Result.MostAllocated):N0} B, " +
                $"findings {reports.Sum(r => r.Result.Findings.Count)}"));
            foreach (var report in reports.Select(r => r.Result).Where(r => r.Findings.Count > 0))
            {
                failed = true;
                Console.WriteLine(report);
            }
        }

        return Task.FromResult(failed ? 1 : 0);
    }
}
