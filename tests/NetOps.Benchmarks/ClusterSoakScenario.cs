using System.Globalization;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// [scale] soak: collectors of the design NetOps runs (membership with leases, <see cref="LeaseClusterDesign"/>) on one
/// throwaway PostgreSQL for a long time with churn: every --churn seconds one node (in turn) is killed with SIGKILL and
/// started again at once under its name (which waits for its old lease). Reported: firings against the schedule, slots
/// never fired and fired twice (over the whole soak and away from the kills), lateness, and each node's resident memory
/// over time. Options: --minutes M (30), --churn S (300), --nodes N (3), --devices N (2000), --interval S (30),
/// --sample S (30), --lease S (10), --heartbeat S (2), --keep (leave the nodes' firing logs for a closer look).
/// </summary>
public sealed class ClusterSoakScenario : IBenchScenario
{
    public string Name => "cluster-soak";

    public string Description => "[scale] three collectors (membership with leases) for 30 min, one killed and restarted every 5 min: missed and doubled polls, memory over time";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var minutes = Args.Long(args, "--minutes", 30);
        var churn = TimeSpan.FromSeconds(Args.Long(args, "--churn", 300));
        var nodeCount = Args.Int(args, "--nodes", 3);
        var devices = Args.Int(args, "--devices", 2000);
        var interval = TimeSpan.FromSeconds(Args.Long(args, "--interval", 30));
        var sample = TimeSpan.FromSeconds(Args.Long(args, "--sample", 30));
        var keep = args.Contains("--keep");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster-soak: {nodeCount} nodes, {devices} devices every {interval.TotalSeconds} s, {minutes} min, a node killed (SIGKILL) and restarted every {churn.TotalSeconds} s; {Environment.ProcessorCount} cores"));
        Console.WriteLine("  " + new LeaseClusterDesign().Describe(args));

        await using var postgres = await Postgres.StartAsync();
        var directory = Directory.CreateTempSubdirectory("netops-cluster-soak-").FullName;
        var connectionString = ClusterCompareScenario.NodeConnectionString(postgres.ConnectionString, nodeCount);
        var epoch = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        var workload = new ClusterWorkload(devices, interval, epoch);
        var self = typeof(ClusterSoakScenario).Assembly.Location;
        var nodes = new Dictionary<string, ExternalProcess>(StringComparer.Ordinal);
        var logs = new List<(string Node, string Path)>();
        var kills = new List<DateTimeOffset>();
        var memory = new List<(DateTimeOffset At, Dictionary<string, double> MegaBytes)>();

        async Task StartAsync(string name)
        {
            var log = Path.Combine(directory, $"{name}.{logs.Count}.firings");
            logs.Add((name, log));
            var process = ExternalProcess.Start("dotnet", [self, "cluster-compare", ClusterCompareScenario.NodeCommand, "--design", "lease", "--name", name,
                "--pg", connectionString, "--epoch", FiringLog.Micros(epoch).ToString(CultureInfo.InvariantCulture), "--out", log, .. args]);
            nodes[name] = process;
            await process.WaitForOutputAsync(ClusterCompareScenario.ReadyLine, TimeSpan.FromMinutes(2));
        }

        try
        {
            foreach (var i in Enumerable.Range(1, nodeCount))
            {
                await StartAsync("n" + i.ToString(CultureInfo.InvariantCulture));
            }

            var start = epoch + interval;
            var end = start + TimeSpan.FromMinutes(minutes);
            var nextChurn = start + churn;
            var nextSample = start;
            var victim = 0;
            while (DateTimeOffset.UtcNow < end)
            {
                var now = DateTimeOffset.UtcNow;
                if (now >= nextSample)
                {
                    memory.Add((now, nodes.ToDictionary(n => n.Key, n => ResidentMegaBytes(n.Value.Id), StringComparer.Ordinal)));
                    nextSample += sample;
                }

                if (now >= nextChurn && nextChurn < end - interval * 2)
                {
                    var name = "n" + (victim++ % nodeCount + 1).ToString(CultureInfo.InvariantCulture);
                    kills.Add(DateTimeOffset.UtcNow);
                    await nodes[name].KillAsync();
                    await nodes[name].DisposeAsync();
                    await StartAsync(name);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kills[^1]:HH:mm:ss} {name} killed and started again"));
                    nextChurn += churn;
                }

                var wake = new[] { nextSample, nextChurn, end }.Min() - DateTimeOffset.UtcNow;
                if (wake > TimeSpan.Zero)
                {
                    await Task.Delay(wake, cancellationToken);
                }
            }

            foreach (var process in nodes.Values)
            {
                process.ThrowIfExited();
                await process.StopAsync(TimeSpan.FromSeconds(30));
            }

            var records = logs.SelectMany(l => FiringLog.Read(l.Path, l.Node).Records).Where(r => r.Kind == 'F').ToList();
            Report(workload, records, start, end, kills, memory);
            return 0;
        }
        finally
        {
            foreach (var process in nodes.Values)
            {
                await process.DisposeAsync();
            }

            if (keep)
            {
                Console.WriteLine($"firing logs kept in {directory} (node.N.firings: kind,device,scheduled µs,fired µs)");
            }
            else
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static void Report(ClusterWorkload workload, List<FiringRecord> records, DateTimeOffset start, DateTimeOffset end, List<DateTimeOffset> kills,
        List<(DateTimeOffset At, Dictionary<string, double> MegaBytes)> memory)
    {
        // Every slot due in the soak, with how often it fired; the last interval is left out (its firings may be in flight).
        // A firing serves the slot nearest its scheduled time: a trigger Quartz stored a moment after its start time fires
        // on a phase some milliseconds off the grid from then on, once per interval all the same (the first soak counted
        // those as missed slots, a few per restart, until the firing logs were read).
        var positions = workload.Devices.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        DateTimeOffset SlotOf(FiringRecord r)
        {
            var first = workload.FirstDue(positions[r.Device]);
            return first + workload.Interval * Math.Round((r.ScheduledAt - first) / workload.Interval);
        }

        var fired = records.GroupBy(r => (r.Device, FiringLog.Micros(SlotOf(r)))).ToDictionary(g => g.Key, g => g.Count());
        var offPhase = records.Count(r => (r.ScheduledAt - SlotOf(r)).Duration() > TimeSpan.FromMilliseconds(1));
        var slots = new List<(string Device, DateTimeOffset Due, int Count)>();
        var index = 0;
        foreach (var device in workload.Devices)
        {
            for (var due = workload.NextDue(index, start); due < end - workload.Interval; due += workload.Interval)
            {
                slots.Add((device, due, fired.GetValueOrDefault((device, FiringLog.Micros(due)))));
            }

            index++;
        }

        // Near a kill: from the kill to a lease, a heartbeat and an interval after it (the failover window).
        bool NearKill(DateTimeOffset due) => kills.Any(k => due >= k - workload.Interval && due <= k + TimeSpan.FromSeconds(15) + workload.Interval);
        var late = records.Where(r => r.ScheduledAt >= start && r.ScheduledAt < end).Select(r => (r.At - r.ScheduledAt).TotalMilliseconds).Order().ToList();
        var lines = new (string Label, string Value)[]
        {
            ("slots due", slots.Count.ToString(CultureInfo.InvariantCulture)),
            ("firings", slots.Sum(s => s.Count).ToString(CultureInfo.InvariantCulture)),
            ("kills (SIGKILL + restart)", kills.Count.ToString(CultureInfo.InvariantCulture)),
            ("slots never fired", slots.Count(s => s.Count == 0).ToString(CultureInfo.InvariantCulture)),
            ("  of which within a kill's failover window", slots.Count(s => s.Count == 0 && NearKill(s.Due)).ToString(CultureInfo.InvariantCulture)),
            ("slots fired twice or more", slots.Count(s => s.Count > 1).ToString(CultureInfo.InvariantCulture)),
            ("  of which within a kill's failover window", slots.Count(s => s.Count > 1 && NearKill(s.Due)).ToString(CultureInfo.InvariantCulture)),
            ("firings off their device's phase by over 1 ms", offPhase.ToString(CultureInfo.InvariantCulture)),
            ("fired late p50 ms", Percentile(late, 0.5).ToString("0.0", CultureInfo.InvariantCulture)),
            ("fired late p99 ms", Percentile(late, 0.99).ToString("0.0", CultureInfo.InvariantCulture)),
            ("fired late max ms", (late.Count == 0 ? 0 : late[^1]).ToString("0", CultureInfo.InvariantCulture)),
        };
        Console.WriteLine();
        foreach (var (label, value) in lines)
        {
            Console.WriteLine($"{label,-46}{value,12}");
        }

        // Where the slots away from the kills went wrong, by 10-second bucket: a stall shows as a burst at one time.
        var away = slots.Where(s => s.Count != 1 && !NearKill(s.Due))
            .GroupBy(s => new DateTimeOffset(s.Due.UtcTicks - s.Due.UtcTicks % (TimeSpan.TicksPerSecond * 10), TimeSpan.Zero))
            .OrderBy(g => g.Key).ToList();
        if (away.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("slots away from the kills never fired / fired twice, by 10 s from");
            foreach (var bucket in away)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {bucket.Key:HH:mm:ss}  {bucket.Count(s => s.Count == 0),6} {bucket.Count(s => s.Count > 1),6}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("resident memory per node, MB (a restarted node starts again from its start-up size)");
        var names = memory.SelectMany(m => m.MegaBytes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine("  time      " + string.Join("", names.Select(n => $"{n,8}")));
        foreach (var (at, megaBytes) in memory)
        {
            Console.WriteLine($"  {at:HH:mm:ss}  " + string.Join("", names.Select(n => megaBytes.TryGetValue(n, out var mb) ? mb.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(8) : "       -")));
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    /// <summary>VmRSS of the process from /proc, in MB (0 when it is gone).</summary>
    private static double ResidentMegaBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
