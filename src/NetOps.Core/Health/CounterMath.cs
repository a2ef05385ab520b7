namespace NetOps.Core.Health;

/// <summary>Why two readings of a device's counters cannot be compared; a dropped delta draws no rate, never a spike.</summary>
public enum CounterBreak
{
    /// <summary>The readings are comparable.</summary>
    None,

    /// <summary>No earlier reading of this run of the counters to compare with.</summary>
    NoBaseline,

    /// <summary>sysUpTime went back (and not by its own 497-day wrap): the device restarted and its counters with it.</summary>
    Reboot,

    /// <summary>The device said it restarted (coldStart/warmStart notification) since the earlier reading.</summary>
    RestartNotified,

    /// <summary>ifCounterDiscontinuityTime changed: the device reset this port's counters.</summary>
    DiscontinuityTime,

    /// <summary>A 64-bit counter went back: it cannot have wrapped, so it was reset.</summary>
    CounterReset,
}

/// <summary>
/// Deltas of SNMP counters between two polls (RFC 2578 §7.1.6/7.1.10, RFC 2863 §3.1.6): Counter32 wraps at 2^32 and is
/// taken to have wrapped at most once; Counter64 never wraps in practice, so going back means a reset; sysUpTime is a
/// TimeTicks that itself wraps after 2^32 hundredths of a second (about 497 days), which is not a reboot.
/// </summary>
public static class CounterMath
{
    /// <summary>2^32.</summary>
    public const ulong Wrap32 = 1UL << 32;

    /// <summary>How far the wall clock may disagree with a wrapped sysUpTime before the wrap is judged a reboot.</summary>
    private static readonly TimeSpan MinimumUptimeTolerance = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The increase of a counter from <paramref name="previous"/> to <paramref name="current"/>, or null when the
    /// counter went back and cannot have wrapped (64-bit, or a value past 32 bits from a 32-bit column).
    /// </summary>
    public static ulong? Delta(ulong previous, ulong current, int bits)
    {
        if (current >= previous)
        {
            return current - previous;
        }

        if (bits == 32 && previous < Wrap32 && current < Wrap32)
        {
            return Wrap32 - previous + current;
        }

        return null;
    }

    /// <summary>
    /// Whether the device ran on between two readings of sysUpTime (in TimeTicks) taken <paramref name="wallElapsed"/>
    /// apart. Uptime that went back is a reboot, unless it went back by its own wrap at 2^32 ticks: then the wrapped
    /// difference agrees with the wall clock.
    /// </summary>
    public static CounterBreak CompareUptime(ulong previousTicks, ulong currentTicks, TimeSpan wallElapsed)
    {
        if (currentTicks >= previousTicks)
        {
            return CounterBreak.None;
        }

        if (previousTicks < Wrap32 && currentTicks < Wrap32)
        {
            var wrapped = TimeSpan.FromMilliseconds((Wrap32 - previousTicks + currentTicks) * 10d);
            var tolerance = TimeSpan.FromTicks(Math.Max(MinimumUptimeTolerance.Ticks, wallElapsed.Ticks / 10));
            if ((wrapped - wallElapsed).Duration() <= tolerance)
            {
                return CounterBreak.None;
            }
        }

        return CounterBreak.Reboot;
    }

    /// <summary>Per second over <paramref name="elapsed"/>; null for no elapsed time.</summary>
    public static double? PerSecond(ulong delta, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? delta / elapsed.TotalSeconds : null;

    /// <summary>The stable text of a break as reason and metric attribute ("reboot", "counter-reset", ...).</summary>
    public static string Describe(CounterBreak reason) => reason switch
    {
        CounterBreak.None => "none",
        CounterBreak.NoBaseline => "no-baseline",
        CounterBreak.Reboot => "reboot",
        CounterBreak.RestartNotified => "restart-notified",
        CounterBreak.DiscontinuityTime => "discontinuity-time",
        CounterBreak.CounterReset => "counter-reset",
        _ => reason.ToString(),
    };
}
