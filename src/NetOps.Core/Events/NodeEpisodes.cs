using System.Globalization;
using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>
/// A stretch a MOGLI node ran on battery (its state's reason <see cref="ReasonCodes.NodeOnBattery"/>), with the lowest
/// battery level its recorded reasons named; <see cref="Ongoing"/> when the window ended with it still on battery.
/// </summary>
public sealed record BatteryEpisode(string ZoneName, EntityRef Node, string Name, DateTimeOffset Start, DateTimeOffset End, double? LowestPercent, bool Ongoing)
{
    public TimeSpan Duration => End - Start;

    /// <summary>The episodes in a node's <paramref name="segments"/>: consecutive stretches on battery are one.</summary>
    public static IEnumerable<BatteryEpisode> Of(string zoneName, EntityRef node, string name, IReadOnlyList<StateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        BatteryEpisode? open = null;
        foreach (var segment in segments)
        {
            if (segment.Reason.Code != ReasonCodes.NodeOnBattery)
            {
                if (open is not null)
                {
                    yield return open;
                    open = null;
                }

                continue;
            }

            // Every change of the level is a change of reason, recorded: the lowest of them is the lowest seen.
            var percent = double.TryParse(segment.Reason["battery_pct"], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : (double?)null;
            open = open is null
                ? new BatteryEpisode(zoneName, node, name, segment.From, segment.Until, percent, false)
                : open with { End = segment.Until, LowestPercent = Lowest(open.LowestPercent, percent) };
        }

        if (open is not null)
        {
            yield return open with { Ongoing = true };
        }
    }

    private static double? Lowest(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}

/// <summary>
/// A MOGLI node's uplink over the watched time, from its states' reasons: on fibre (reporting on mains), on LTE, without
/// an uplink. On battery a node's state names the battery, not the uplink, and without evidence nothing is known:
/// that time is <see cref="Untold"/>.
/// </summary>
public sealed record UplinkTime(string ZoneName, EntityRef Node, string Name, TimeSpan Fibre, TimeSpan Lte, TimeSpan None, TimeSpan Untold)
{
    /// <summary>The time the uplink was known.</summary>
    public TimeSpan Known => Fibre + Lte + None;

    /// <summary>On fibre of the time the uplink was known, 0 to 100; null when it was never known.</summary>
    public double? FibrePercent => Known > TimeSpan.Zero ? 100.0 * Fibre.Ticks / Known.Ticks : null;

    /// <summary>The uplink of a node from its <paramref name="segments"/>; time inactive is not counted.</summary>
    public static UplinkTime Of(string zoneName, EntityRef node, string name, IReadOnlyList<StateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var uplink = new UplinkTime(zoneName, node, name, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        foreach (var s in segments.Where(s => s.Value != StateValue.Inactive))
        {
            uplink = s.Reason.Code switch
            {
                ReasonCodes.NodeReporting => uplink with { Fibre = uplink.Fibre + s.Duration },
                ReasonCodes.NodeOnLte => uplink with { Lte = uplink.Lte + s.Duration },
                ReasonCodes.NodeNoUplink => uplink with { None = uplink.None + s.Duration },
                _ => uplink with { Untold = uplink.Untold + s.Duration },
            };
        }

        return uplink;
    }
}
