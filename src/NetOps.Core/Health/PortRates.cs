using NetOps.Core.Observations;

namespace NetOps.Core.Health;

/// <summary>One port's counters as one poll read them, with the device's sysUpTime (TimeTicks) at that poll.</summary>
public sealed record PortReading(PortSample Sample, DateTimeOffset At, ulong? UpTimeTicks);

/// <summary>
/// Rates of one port between two readings, or why there are none. Units: bit/s, packets/s, errors/s, discards/s, and
/// utilisation in % of ifHighSpeed (the busier direction).
/// </summary>
public sealed record PortRates(CounterBreak Break)
{
    public double? InBps { get; init; }
    public double? OutBps { get; init; }
    public double? InPps { get; init; }
    public double? OutPps { get; init; }
    public double? InErrorsPerSecond { get; init; }
    public double? OutErrorsPerSecond { get; init; }
    public double? InDiscardsPerSecond { get; init; }
    public double? OutDiscardsPerSecond { get; init; }
    public double? UtilisationPercent { get; init; }

    /// <summary>Errors in both directions per second; null when the device reports neither.</summary>
    public double? ErrorsPerSecond => InErrorsPerSecond is null && OutErrorsPerSecond is null
        ? null
        : (InErrorsPerSecond ?? 0) + (OutErrorsPerSecond ?? 0);

    /// <summary>
    /// The rates from <paramref name="previous"/> to <paramref name="current"/>. Any reason to distrust the earlier
    /// counters (a restart the device notified, a reboot, a discontinuity time that moved, a 64-bit counter that went
    /// back) drops every rate of the port for this poll rather than drawing a spike.
    /// </summary>
    public static PortRates Between(PortReading? previous, PortReading current, bool restartNotified)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null || previous.Sample.CounterBits != current.Sample.CounterBits)
        {
            return new PortRates(CounterBreak.NoBaseline);
        }

        if (restartNotified)
        {
            return new PortRates(CounterBreak.RestartNotified);
        }

        var elapsed = current.At - previous.At;
        if (elapsed <= TimeSpan.Zero)
        {
            return new PortRates(CounterBreak.NoBaseline);
        }

        if (previous.UpTimeTicks is { } before && current.UpTimeTicks is { } now &&
            CounterMath.CompareUptime(before, now, elapsed) is var uptime and not CounterBreak.None)
        {
            return new PortRates(uptime);
        }

        var (was, sample) = (previous.Sample, current.Sample);
        if (was.DiscontinuityTicks is { } d0 && sample.DiscontinuityTicks is { } d1 && d0 != d1)
        {
            return new PortRates(CounterBreak.DiscontinuityTime);
        }

        var bits = sample.CounterBits;
        var broken = false;
        double? Rate(ulong? a, ulong? b, int width, double scale = 1)
        {
            if (a is not { } x || b is not { } y)
            {
                return null;
            }

            if (CounterMath.Delta(x, y, width) is not { } delta)
            {
                broken = true;
                return null;
            }

            return CounterMath.PerSecond(delta, elapsed) * scale;
        }

        static double? Sum(params double?[] parts) => parts.All(p => p is null) ? null : parts.Sum(p => p ?? 0);

        var rates = new PortRates(CounterBreak.None)
        {
            InBps = Rate(was.InOctets, sample.InOctets, bits, 8),
            OutBps = Rate(was.OutOctets, sample.OutOctets, bits, 8),
            InPps = Sum(Rate(was.InUcastPkts, sample.InUcastPkts, bits), Rate(was.InMulticastPkts, sample.InMulticastPkts, bits),
                Rate(was.InBroadcastPkts, sample.InBroadcastPkts, bits)),
            OutPps = Sum(Rate(was.OutUcastPkts, sample.OutUcastPkts, bits), Rate(was.OutMulticastPkts, sample.OutMulticastPkts, bits),
                Rate(was.OutBroadcastPkts, sample.OutBroadcastPkts, bits)),
            // Errors and discards are Counter32 in IF-MIB whatever the octet counters are.
            InErrorsPerSecond = Rate(was.InErrors, sample.InErrors, 32),
            OutErrorsPerSecond = Rate(was.OutErrors, sample.OutErrors, 32),
            InDiscardsPerSecond = Rate(was.InDiscards, sample.InDiscards, 32),
            OutDiscardsPerSecond = Rate(was.OutDiscards, sample.OutDiscards, 32),
        };
        if (broken)
        {
            return new PortRates(CounterBreak.CounterReset);
        }

        if (sample.HighSpeedMbps is { } mbps && mbps > 0 && (rates.InBps is not null || rates.OutBps is not null))
        {
            var peak = Math.Max(rates.InBps ?? 0, rates.OutBps ?? 0);
            rates = rates with { UtilisationPercent = Math.Round(peak / (mbps * 1_000_000d) * 100, 2) };
        }

        return rates;
    }
}
