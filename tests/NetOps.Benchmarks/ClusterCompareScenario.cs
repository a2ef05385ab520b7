using System.Globalization;
using System.Runtime.InteropServices;
using NetOps.Testing;
using Npgsql;

namespace NetOps.Benchmarks;

/// <summary>
/// [scale], measure first: designs for spreading the polls of a fleet over several collector processes, each node a
/// process of its own re-invoked from this dll (<c>cluster-compare node …</c>) against one throwaway PostgreSQL. A run
/// seeds the design, starts the nodes, lets every device fire once (warm-up), measures a steady state, kills one node
/// with SIGKILL, keeps going, then stops the rest with SIGTERM. Each node logs its firings to a file of its own (see
/// <see cref="FiringLog"/>), so recording costs the database nothing. Reported per design: firings/s against the
/// schedule, lateness, duplicates and misses, failover of the killed node's devices, and the CPU of the nodes and of
/// PostgreSQL (postmaster and backends, from /proc). Options: --designs a,b (default all), --nodes N (3), --devices N
/// (2000), --interval S (30), --warmup S (one interval), --steady S (160), --after-kill S (60), --lead S (10: from seeding
/// to the first firing), --kill N (which node, 1), --runs N (1); the designs read their own (see each design).
/// </summary>
public sealed class ClusterCompareScenario : IBenchScenario
{
    internal const string NodeCommand = "node";
    internal const string ReadyLine = "cluster node ready";

    /// <summary>The designs measured, in report order: A (Quartz cluster) and B (membership and leases, what NetOps runs).</summary>
    private static readonly IClusterDesign[] Designs = [new QuartzClusterDesign(), new LeaseClusterDesign()];

    public string Name => "cluster-compare";

    public string Description => "[scale] N collector processes sharing a fleet (quartz cluster, …): firings/s, lateness, duplicates, misses, failover after kill -9, node and PostgreSQL CPU";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args is [NodeCommand, .. var nodeArgs])
        {
            return await RunNodeAsync(nodeArgs, cancellationToken);
        }

        var plan = Plan.From(args);
        var names = Text(args, "--designs", string.Join(',', Designs.Select(d => d.Name))).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var designs = names.Select(Find).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster-compare: {plan.Nodes} nodes, {plan.Devices} devices every {plan.Interval.TotalSeconds:0} s ({plan.Devices / plan.Interval.TotalSeconds:0.0} firings/s due), " +
            $"warm-up {plan.Warmup.TotalSeconds:0} s, steady {plan.Steady.TotalSeconds:0} s, SIGKILL of n{plan.Victim}, then {plan.AfterKill.TotalSeconds:0} s; " +
            $"{plan.Runs} run(s), designs interleaved; {Environment.ProcessorCount} cores"));
        foreach (var design in designs)
        {
            Console.WriteLine($"  {design.Name}: {design.Describe(args)}");
        }

        var results = designs.ToDictionary(d => d.Name, _ => new List<ClusterRunResult>(), StringComparer.Ordinal);
        for (var run = 0; run < plan.Runs; run++)
        {
            // Rotate which design goes first, so that neither always runs on a machine the other has just warmed.
            foreach (var design in designs.Skip(run % designs.Count).Concat(designs.Take(run % designs.Count)))
            {
                var result = await RunOnceAsync(design, plan, args, cancellationToken);
                results[design.Name].Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run + 1} {design.Name}: {result.Firings} firings in steady state ({string.Join(", ", result.FiringsPerNode.Select(p => $"{p.Key} {p.Value}"))}), " +
                    $"{result.Duplicates} duplicates, {result.Misses} misses; {result.VictimDevices} devices last fired on the killed node, " +
                    $"which was gone {result.KillToDeadMs:0} ms after SIGKILL"));
            }
        }

        PrintTable(designs, results);
        return 0;
    }

    private static IClusterDesign Find(string name) =>
        Designs.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no cluster design '{name}'; there are: {string.Join(", ", Designs.Select(d => d.Name))}");

    private static async Task<ClusterRunResult> RunOnceAsync(IClusterDesign design, Plan plan, string[] args, CancellationToken cancellationToken)
    {
        // Disposed last: the nodes go first, in the finally below.
        await using var postgres = await Postgres.StartAsync();
        var directory = Directory.CreateTempSubdirectory("netops-cluster-compare-").FullName;
        var nodes = new List<(string Name, ExternalProcess Process, string Log)>();
        try
        {
            var connectionString = NodeConnectionString(postgres.ConnectionString, plan.Nodes);
            var epoch = DateTimeOffset.UtcNow + plan.Lead;
            var workload = new ClusterWorkload(plan.Devices, plan.Interval, epoch);
            await design.PrepareAsync(connectionString, workload, args, cancellationToken);

            var self = typeof(ClusterCompareScenario).Assembly.Location;
            for (var i = 1; i <= plan.Nodes; i++)
            {
                var name = "n" + i.ToString(CultureInfo.InvariantCulture);
                var log = Path.Combine(directory, name + ".firings");
                // The node's own options first: Args reads the first occurrence, and the harness's line follows for the design.
                nodes.Add((name, ExternalProcess.Start("dotnet", [self, "cluster-compare", NodeCommand, "--design", design.Name, "--name", name,
                    "--pg", connectionString, "--epoch", FiringLog.Micros(epoch).ToString(CultureInfo.InvariantCulture), "--out", log, .. args]), log));
            }

            foreach (var node in nodes)
            {
                await node.Process.WaitForOutputAsync(ReadyLine, TimeSpan.FromMinutes(2));
            }

            var postmaster = ProcessCpu.Postmaster(postgres.Port) ?? throw new InvalidOperationException("the postmaster's process was not found in /proc");
            var steadyStart = Max(epoch + plan.Warmup, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
            await Until(steadyStart, cancellationToken);
            var nodeCpu0 = nodes.Select(n => ProcessCpu.Of(n.Process.Id) ?? TimeSpan.Zero).ToList();
            var postgresCpu0 = ProcessCpu.OfTree(postmaster);
            var database0 = await DatabaseActivityAsync(postgres.ConnectionString, cancellationToken);
            var machine0 = ProcessCpu.Machine();
            var harness0 = ProcessCpu.Of(Environment.ProcessId) ?? TimeSpan.Zero;

            await Until(steadyStart + plan.Steady, cancellationToken);
            foreach (var node in nodes)
            {
                node.Process.ThrowIfExited();
            }

            var machine1 = ProcessCpu.Machine();
            var harness1 = ProcessCpu.Of(Environment.ProcessId) ?? TimeSpan.Zero;
            var nodeCpu1 = nodes.Select(n => ProcessCpu.Of(n.Process.Id) ?? TimeSpan.Zero).ToList();
            var postgresCpu1 = ProcessCpu.OfTree(postmaster);
            var database1 = await DatabaseActivityAsync(postgres.ConnectionString, cancellationToken);
            var victim = nodes[plan.Victim - 1];
            var kill = DateTimeOffset.UtcNow;
            await victim.Process.KillAsync(); // Process.Kill: SIGKILL on Linux, no shutdown code runs
            var dead = DateTimeOffset.UtcNow;
            var end = kill + plan.AfterKill;
            await Until(end, cancellationToken);
            var postgresCpu2 = ProcessCpu.OfTree(postmaster);
            foreach (var node in nodes.Where(n => n.Name != victim.Name))
            {
                node.Process.ThrowIfExited();
                await node.Process.StopAsync(TimeSpan.FromSeconds(30));
            }

            var records = new List<FiringRecord>();
            foreach (var node in nodes)
            {
                var (nodeRecords, stopped) = FiringLog.Read(node.Log, node.Name);
                records.AddRange(nodeRecords);
                if (node.Name == victim.Name ? stopped : !stopped)
                {
                    throw new InvalidOperationException($"{node.Name} {(stopped ? "stopped gracefully although it was killed" : "did not stop gracefully")}:\n{node.Process.Output}");
                }

                ReportWarnings(design.Name, node.Name, node.Process.Output);
            }

            var result = ClusterRunAnalysis.Analyze(design.Name, plan.Nodes, workload, records, victim.Name, steadyStart, kill, dead, end);
            var nodeCpuSeconds = nodeCpu1.Zip(nodeCpu0, (b, a) => (b - a).TotalSeconds).Sum();
            return result with
            {
                NodeCpuSeconds = nodeCpuSeconds,
                PostgresCpuSeconds = (postgresCpu1 - postgresCpu0).TotalSeconds,
                // Whatever else ran on the machine meanwhile (the harness itself aside): a busy neighbour makes lateness
                // and contention worse than the design's own.
                OtherCpuSeconds = Math.Max(0, (machine1 - machine0).TotalSeconds - nodeCpuSeconds - (postgresCpu1 - postgresCpu0).TotalSeconds
                                              - (harness1 - harness0).TotalSeconds),
                PostgresCpuSecondsAfterKill = (postgresCpu2 - postgresCpu1).TotalSeconds,
                KillToDeadMs = (dead - kill).TotalMilliseconds,
                Transactions = database1.Transactions - database0.Transactions,
                RowsWritten = database1.RowsWritten - database0.RowsWritten,
            };
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.Process.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The node side: runs the design until SIGTERM, logging firings to --out.</summary>
    private static async Task<int> RunNodeAsync(string[] args, CancellationToken cancellationToken)
    {
        var design = Find(Text(args, "--design", ""));
        var name = Text(args, "--name", "n1");
        var plan = Plan.From(args);
        var workload = new ClusterWorkload(plan.Devices, plan.Interval, FiringLog.FromMicros(Args.Long(args, "--epoch", 0)));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var log = new FiringLog(Text(args, "--out", name + ".firings"));
        var node = new ClusterNode(name, Text(args, "--pg", ""), workload, args, log, () => Console.WriteLine($"{ReadyLine}: {name}"));
        await design.RunNodeAsync(node, stop.Token);
        return 0;
    }

    /// <summary>
    /// Pooled connections for the nodes (the fixture's string turns pooling off, which would make every statement a new
    /// backend process and PostgreSQL's CPU mostly fork), the pools sized to fit the fixture's 50 connections.
    /// </summary>
    internal static string NodeConnectionString(string fixture, int nodes) => new NpgsqlConnectionStringBuilder(fixture)
    {
        Pooling = true,
        MaxPoolSize = Math.Max(4, 45 / (nodes + 1)),
        Timeout = 15,
        CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>
    /// The database's committed and rolled-back transactions and rows inserted, updated and deleted so far: what a design
    /// asks of PostgreSQL per firing. PostgreSQL publishes a backend's counts within a second or so, which over a steady
    /// state of minutes does not matter.
    /// </summary>
    private static async Task<(long Transactions, long RowsWritten)> DatabaseActivityAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "select xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static void ReportWarnings(string design, string node, string output)
    {
        var lines = output.Split('\n').Where(l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal) ||
                                                    l.StartsWith("crit:", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).ToList();
        if (lines.Count == 0)
        {
            return;
        }

        Console.WriteLine($"  {design} {node}: {lines.Count} warning/error lines, e.g.:");
        foreach (var line in lines.DistinctBy(l => l.Length > 60 ? l[..60] : l).Take(4))
        {
            Console.WriteLine("    " + (line.Length > 300 ? line[..300] + " …" : line));
        }
    }

    private static void PrintTable(List<IClusterDesign> designs, Dictionary<string, List<ClusterRunResult>> results)
    {
        (string Label, Func<ClusterRunResult, double> Value, string Format)[] rows =
        [
            ("nodes", r => r.Nodes, "0"),
            ("devices", r => r.Devices, "0"),
            ("interval s", r => r.Interval.TotalSeconds, "0"),
            ("steady-state window s", r => r.Steady.TotalSeconds, "0"),
            ("firings in steady state", r => r.Firings, "0"),
            ("firings/s (due/s)", r => r.FiringsPerSecond, "0.00"),
            ("fired late p50 ms", r => r.LateP50Ms, "0.0"),
            ("fired late p99 ms", r => r.LateP99Ms, "0.0"),
            ("fired late max ms", r => r.LateMaxMs, "0"),
            ("duplicates (gap < interval/2)", r => r.Duplicates, "0"),
            ("  of which same due time", r => r.SameDueDuplicates, "0"),
            ("misses (gap > 1.5 interval)", r => r.Misses, "0"),
            ("by due time: due, not fired", r => r.EmptySlots, "0"),
            ("by due time: fired more than once", r => r.DoubleSlots, "0"),
            ("misfires reported", r => r.MisfiresReported, "0"),
            ("killed node's devices", r => r.VictimDevices, "0"),
            ("  kill → their next firing p50 s", r => r.FailoverP50Seconds, "0.0"),
            ("  kill → their next firing max s", r => r.FailoverMaxSeconds, "0.0"),
            ("  their next firing past due p50 s", r => r.VictimPastDueP50Seconds, "0.00"),
            ("  their next firing past due max s", r => r.VictimPastDueMaxSeconds, "0.00"),
            ("any device's first firing past due max s", r => r.WorstPastDueSeconds, "0.00"),
            ("devices > 1 s past due after kill", r => r.DevicesDelayedOverOneSecond, "0"),
            ("devices not fired again", r => r.NotRecovered, "0"),
            ("after kill: duplicates", r => r.DuplicatesAfterKill, "0"),
            ("after kill: misses", r => r.MissesAfterKill, "0"),
            ("after kill by due time: not fired", r => r.EmptySlotsAfterKill, "0"),
            ("after kill by due time: fired twice+", r => r.DoubleSlotsAfterKill, "0"),
            ("after kill: misfires reported", r => r.MisfiresAfterKill, "0"),
            ("node CPU s (all nodes, steady)", r => r.NodeCpuSeconds, "0.0"),
            ("node CPU, cores", r => r.NodeCores, "0.000"),
            ("node CPU ms per firing", r => r.NodeCpuMsPerFiring, "0.00"),
            ("postgres CPU s (steady)", r => r.PostgresCpuSeconds, "0.0"),
            ("postgres CPU, cores", r => r.PostgresCores, "0.000"),
            ("postgres CPU ms per firing", r => r.PostgresCpuMsPerFiring, "0.00"),
            ("other processes on the machine, cores", r => r.OtherCpuSeconds / r.Steady.TotalSeconds, "0.000"),
            ("postgres transactions per firing", r => (double)r.Transactions / Math.Max(1, r.Firings), "0.0"),
            ("postgres rows written per firing", r => (double)r.RowsWritten / Math.Max(1, r.Firings), "0.0"),
            ("postgres CPU, cores after kill", r => r.PostgresCpuSecondsAfterKill / r.AfterKill.TotalSeconds, "0.000"),
        ];
        var runs = results.Values.Max(r => r.Count);
        var width = runs > 1 ? 30 : 12;
        Console.WriteLine();
        Console.WriteLine(runs > 1 ? $"median (min–max, n={runs})" : "one run");
        Console.WriteLine($"{"",-42}" + string.Concat(designs.Select(d => d.Name.PadLeft(width))));
        foreach (var (label, value, format) in rows)
        {
            var cells = designs.Select(d => results[d.Name].Select(value).ToList()).Select(values =>
                values.Distinct().Count() == 1 ? values[0].ToString(format, CultureInfo.InvariantCulture) : Stats.Describe(values, format));
            var suffix = label.StartsWith("firings/s", StringComparison.Ordinal)
                ? string.Create(CultureInfo.InvariantCulture, $"   (due {results[designs[0].Name][0].ScheduledPerSecond:0.00}/s)")
                : "";
            Console.WriteLine($"{label,-42}" + string.Concat(cells.Select(c => c.PadLeft(width))) + suffix);
        }
    }

    private static async Task Until(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var wait = at - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Text(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    /// <summary>The run's shape, read the same way by the harness and by each node.</summary>
    private sealed record Plan(int Nodes, int Devices, TimeSpan Interval, TimeSpan Warmup, TimeSpan Steady, TimeSpan AfterKill, TimeSpan Lead, int Victim, int Runs)
    {
        public static Plan From(string[] args)
        {
            var interval = Args.Long(args, "--interval", 30);
            var plan = new Plan(Args.Int(args, "--nodes", 3), Args.Int(args, "--devices", 2000), TimeSpan.FromSeconds(interval),
                TimeSpan.FromSeconds(Args.Long(args, "--warmup", interval)), TimeSpan.FromSeconds(Args.Long(args, "--steady", 160)),
                TimeSpan.FromSeconds(Args.Long(args, "--after-kill", 60)), TimeSpan.FromSeconds(Args.Long(args, "--lead", 10)),
                Args.Int(args, "--kill", 1), Args.Int(args, "--runs", 1));
            return plan.Victim < 1 || plan.Victim > plan.Nodes || plan.Nodes < 2
                ? throw new ArgumentException("--nodes must be at least 2 and --kill name one of them (1 … nodes)")
                : plan;
        }
    }
}
