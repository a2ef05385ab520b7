namespace NetOps.Benchmarks;

/// <summary>What one run of one design measured: the steady state with every node up, and the time after one was killed.</summary>
internal sealed record ClusterRunResult
{
    public required string Design { get; init; }
    public required int Nodes { get; init; }
    public required int Devices { get; init; }
    public required TimeSpan Interval { get; init; }
    public required TimeSpan Steady { get; init; }
    public required TimeSpan AfterKill { get; init; }

    public required int Firings { get; init; }
    public required double FiringsPerSecond { get; init; }
    public double ScheduledPerSecond => Devices / Interval.TotalSeconds;
    public required double LateP50Ms { get; init; }
    public required double LateP99Ms { get; init; }
    public required double LateMaxMs { get; init; }
    public required int Duplicates { get; init; }
    public required int SameDueDuplicates { get; init; }
    public required int Misses { get; init; }
    public required int EmptySlots { get; init; }
    public required int DoubleSlots { get; init; }
    public required int MisfiresReported { get; init; }
    public required IReadOnlyDictionary<string, int> FiringsPerNode { get; init; }

    public required int VictimDevices { get; init; }
    public required double FailoverP50Seconds { get; init; }
    public required double FailoverMaxSeconds { get; init; }
    public required double VictimPastDueP50Seconds { get; init; }
    public required double VictimPastDueMaxSeconds { get; init; }
    public required double WorstPastDueSeconds { get; init; }
    public required int DevicesDelayedOverOneSecond { get; init; }
    public required int NotRecovered { get; init; }
    public required int DuplicatesAfterKill { get; init; }
    public required int MissesAfterKill { get; init; }
    public required int EmptySlotsAfterKill { get; init; }
    public required int DoubleSlotsAfterKill { get; init; }
    public required int MisfiresAfterKill { get; init; }

    public required double NodeCpuSeconds { get; init; }
    public required double PostgresCpuSeconds { get; init; }
    public required double PostgresCpuSecondsAfterKill { get; init; }
    public long Transactions { get; init; }
    public double KillToDeadMs { get; init; }
    public double OtherCpuSeconds { get; init; }
    public long RowsWritten { get; init; }
    public double NodeCores => NodeCpuSeconds / Steady.TotalSeconds;
    public double PostgresCores => PostgresCpuSeconds / Steady.TotalSeconds;
    public double NodeCpuMsPerFiring => NodeCpuSeconds * 1000 / Math.Max(1, Firings);
    public double PostgresCpuMsPerFiring => PostgresCpuSeconds * 1000 / Math.Max(1, Firings);
}

/// <summary>
/// Reads the firing logs of a run. Over the steady state [start, kill): firings per second, lateness (fired − due),
/// duplicates (a device firing again within half an interval of its previous firing), misses (a gap between a device's
/// firings of more than 1.5 intervals counts the firings that should have been in it; so does a gap at either edge of the
/// window). After the kill: the victim's devices (those whose last firing before the kill was on the killed node), the
/// time from the kill to their next firing, and how far past its due time (previous due + interval) each device's first
/// firing after the kill came. <c>kill</c> is when the harness sent SIGKILL, <c>dead</c> when it saw the process gone.
/// </summary>
internal static class ClusterRunAnalysis
{
    public static ClusterRunResult Analyze(string design, int nodes, ClusterWorkload workload, IReadOnlyList<FiringRecord> records, string victim,
        DateTimeOffset steadyStart, DateTimeOffset kill, DateTimeOffset dead, DateTimeOffset end)
    {
        var interval = workload.Interval;
        var firings = records.Where(r => r.Kind == 'F').OrderBy(r => r.At).ToList();
        var misfires = records.Where(r => r.Kind == 'M').ToList();
        var byDevice = firings.GroupBy(r => r.Device, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var steady = firings.Where(r => r.At >= steadyStart && r.At < kill).ToList();
        var late = steady.Select(r => (r.At - r.ScheduledAt).TotalMilliseconds).Order().ToArray();

        var duplicates = 0;
        var misses = 0;
        var emptySlots = 0;
        var doubleSlots = 0;
        var emptySlotsAfter = 0;
        var doubleSlotsAfter = 0;
        var duplicatesAfter = 0;
        var missesAfter = 0;
        var victimDevices = 0;
        var notRecovered = 0;
        var failover = new List<double>();
        var victimPastDue = new List<double>();
        var allPastDue = new List<double>();
        var index = 0;
        foreach (var device in workload.Devices)
        {
            var list = byDevice.GetValueOrDefault(device) ?? [];
            (var empty, var twice) = Slots(workload, index, list, steadyStart, kill);
            emptySlots += empty;
            doubleSlots += twice;
            // A slot due in the last half interval may not have fired by the end; it is left out.
            (empty, twice) = Slots(workload, index++, list, kill, end - interval / 2);
            emptySlotsAfter += empty;
            doubleSlotsAfter += twice;
            var inSteady = list.Where(r => r.At >= steadyStart && r.At < kill).Select(r => r.At).ToList();
            (var d, var m) = Gaps(inSteady, steadyStart, kill, interval, countFrom: steadyStart);
            duplicates += d;
            misses += m;

            // After the kill, the gap that spans it counts too: from the last firing before it. The killed node fires until
            // the signal lands, so "before" reaches to when it was seen dead; otherwise a firing of its in those moments
            // would look like the next one after the kill, and a device's next firing like a miss.
            var before = list.LastOrDefault(r => r.At < dead);
            var after = list.Where(r => r.At >= dead && r.At < end).ToList();
            var anchored = (before == default ? [] : new[] { before.At }).Concat(after.Select(r => r.At)).ToList();
            (d, m) = Gaps(anchored, before == default ? kill : before.At, end, interval, countFrom: kill);
            duplicatesAfter += d;
            missesAfter += m;

            var next = after.FirstOrDefault(r => r.Node != victim);
            var isVictims = before != default && before.Node == victim;
            if (isVictims)
            {
                victimDevices++;
            }

            if (next == default)
            {
                notRecovered += isVictims ? 1 : 0;
                continue;
            }

            var pastDue = before == default ? 0 : (next.At - (before.ScheduledAt + interval)).TotalSeconds;
            allPastDue.Add(pastDue);
            if (isVictims)
            {
                failover.Add((next.At - kill).TotalSeconds);
                victimPastDue.Add(pastDue);
            }
        }

        failover.Sort();
        victimPastDue.Sort();
        return new ClusterRunResult
        {
            Design = design,
            Nodes = nodes,
            Devices = workload.DeviceCount,
            Interval = interval,
            Steady = kill - steadyStart,
            AfterKill = end - kill,
            Firings = steady.Count,
            FiringsPerSecond = steady.Count / (kill - steadyStart).TotalSeconds,
            LateP50Ms = Percentile(late, 0.50),
            LateP99Ms = Percentile(late, 0.99),
            LateMaxMs = late.Length == 0 ? double.NaN : late[^1],
            Duplicates = duplicates,
            SameDueDuplicates = steady.GroupBy(r => (r.Device, r.ScheduledAt)).Sum(g => g.Count() - 1),
            Misses = misses,
            EmptySlots = emptySlots,
            DoubleSlots = doubleSlots,
            MisfiresReported = misfires.Count(r => r.At >= steadyStart && r.At < kill),
            FiringsPerNode = steady.GroupBy(r => r.Node, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            VictimDevices = victimDevices,
            FailoverP50Seconds = Percentile([.. failover], 0.50),
            FailoverMaxSeconds = failover.Count == 0 ? double.NaN : failover[^1],
            VictimPastDueP50Seconds = Percentile([.. victimPastDue], 0.50),
            VictimPastDueMaxSeconds = victimPastDue.Count == 0 ? double.NaN : victimPastDue[^1],
            WorstPastDueSeconds = allPastDue.Count == 0 ? double.NaN : allPastDue.Max(),
            DevicesDelayedOverOneSecond = allPastDue.Count(s => s > 1),
            NotRecovered = notRecovered,
            DuplicatesAfterKill = duplicatesAfter,
            MissesAfterKill = missesAfter,
            EmptySlotsAfterKill = emptySlotsAfter,
            DoubleSlotsAfterKill = doubleSlotsAfter,
            MisfiresAfterKill = misfires.Count(r => r.At >= kill && r.At < end),
            NodeCpuSeconds = 0,
            PostgresCpuSeconds = 0,
            PostgresCpuSecondsAfterKill = 0,
        };
    }

    /// <summary>
    /// The cross-check by due time: each firing belongs to the slot of the due time it reports (the device's
    /// <see cref="ClusterWorkload.FirstDue"/> plus whole intervals); of the slots due in [<paramref name="from"/>,
    /// <paramref name="to"/>), how many no firing took and how many extra firings the others took. Unlike the gap rule it
    /// does not count a late firing as a miss and a duplicate, but it believes the due times the design reports.
    /// </summary>
    private static (int Empty, int Extra) Slots(ClusterWorkload workload, int index, List<FiringRecord> firings, DateTimeOffset from, DateTimeOffset to)
    {
        var first = workload.FirstDue(index);
        var taken = firings.GroupBy(r => (long)Math.Round((r.ScheduledAt - first) / workload.Interval)).ToDictionary(g => g.Key, g => g.Count());
        var empty = 0;
        var extra = 0;
        for (var due = workload.NextDue(index, from); due < to; due += workload.Interval)
        {
            var count = taken.GetValueOrDefault((long)Math.Round((due - first) / workload.Interval));
            empty += count == 0 ? 1 : 0;
            extra += Math.Max(0, count - 1);
        }

        return (empty, extra);
    }

    /// <summary>
    /// Duplicates and misses among one device's firing times <paramref name="times"/> (sorted) in the window
    /// [<paramref name="from"/>, <paramref name="to"/>); only missing firings due at or after <paramref name="countFrom"/> count.
    /// </summary>
    private static (int Duplicates, int Misses) Gaps(List<DateTimeOffset> times, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, DateTimeOffset countFrom)
    {
        var duplicates = 0;
        var misses = 0;
        if (times.Count == 0)
        {
            return (0, EdgeMisses(to - from, interval));
        }

        if (times[0] > from)
        {
            misses += EdgeMisses(times[0] - from, interval);
        }

        for (var i = 1; i < times.Count; i++)
        {
            var gap = times[i] - times[i - 1];
            if (gap < interval / 2)
            {
                duplicates++;
            }
            else if (gap > interval * 1.5)
            {
                // The firings that should have been in the gap, one interval apart; those due before countFrom belong to
                // the window before.
                var missing = (int)Math.Round(gap / interval) - 1;
                for (var k = 1; k <= missing; k++)
                {
                    misses += times[i - 1] + interval * k >= countFrom ? 1 : 0;
                }
            }
        }

        misses += EdgeMisses(to - times[^1], interval);
        return (duplicates, misses);
    }

    /// <summary>Firings missing from a stretch at the edge of a window: one per whole interval, after half an interval of grace.</summary>
    private static int EdgeMisses(TimeSpan stretch, TimeSpan interval) => Math.Max(0, (int)Math.Floor(stretch / interval - 0.5));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
