using System.Globalization;
using NetOps.Core.Observations;

namespace NetOps.Web.Presentation;

/// <summary>A metric as people read it: a label and the value with its unit.</summary>
public sealed record MetricLine(string Name, string Label, string Value);

/// <summary>
/// Renders the metrics a state carries (canonical units: bit/s, dBm, dB, °C, %, seconds) for the detail pages. Known
/// names get a label; any other is shown generically with the unit its suffix names, so a metric added by another part
/// of NetOps appears without a change here. Internal bookkeeping (raw counters, timestamps) is left out.
/// </summary>
public static class MetricText
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["in_bps"] = "in", ["out_bps"] = "out", ["speed_bps"] = "speed", ["utilisation_pct"] = "utilisation",
        ["in_errors_per_s"] = "in errors", ["out_errors_per_s"] = "out errors", ["errors_per_s"] = "errors",
        ["in_discards_per_s"] = "in discards", ["out_discards_per_s"] = "out discards", ["discards_per_s"] = "discards",
        ["rx_dbm"] = "optical rx", ["tx_dbm"] = "optical tx", ["optical_margin_db"] = "optical margin",
        ["battery_pct"] = "battery", ["runtime_left_s"] = "runtime left", ["on_mains"] = "power", ["uplink"] = "uplink",
        ["enclosure_temp_c"] = "enclosure", ["lte_signal_dbm"] = "LTE signal", ["uptime_s"] = "uptime",
        ["temperature_c"] = "temperature", ["lat"] = "latitude", ["lon"] = "longitude",
    };

    private static readonly HashSet<string> Hidden = new(StringComparer.Ordinal) { "at_ms", "in_octets", "out_octets" };

    /// <summary>The metrics worth showing, known ones first in a fixed order.</summary>
    public static IReadOnlyList<MetricLine> Lines(IReadOnlyDictionary<string, double> metrics)
    {
        var order = Labels.Keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        return metrics.Where(m => !Hidden.Contains(m.Key))
            .OrderBy(m => order.GetValueOrDefault(m.Key, int.MaxValue)).ThenBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => new MetricLine(m.Key, Labels.GetValueOrDefault(m.Key) ?? m.Key.Replace('_', ' '), Format(m.Key, m.Value)))
            .ToList();
    }

    /// <summary>One value with its unit, chosen by the metric's name.</summary>
    public static string Format(string name, double value)
    {
        var c = CultureInfo.InvariantCulture;
        return name switch
        {
            "on_mains" => value > 0 ? "mains" : "battery",
            "reachable" => (value * 100).ToString("0.#", c) + " % answered",
            "uplink" => Enum.IsDefined((UplinkKind)(int)value) ? ((UplinkKind)(int)value).ToString().ToLowerInvariant() : value.ToString(c),
            "runtime_left_s" or "uptime_s" => Duration(value),
            "lat" or "lon" => value.ToString("0.00000", c) + "°",
            _ when name.EndsWith("_bps", StringComparison.Ordinal) => Bits(value),
            _ when name.EndsWith("_pct", StringComparison.Ordinal) => value.ToString("0.0", c) + " %",
            _ when name.EndsWith("_dbm", StringComparison.Ordinal) => value.ToString("0.00", c) + " dBm",
            _ when name.EndsWith("_db", StringComparison.Ordinal) => value.ToString("0.00", c) + " dB",
            _ when name.EndsWith("_per_s", StringComparison.Ordinal) || name.EndsWith("_ps", StringComparison.Ordinal) => value.ToString("0.##", c) + " /s",
            _ when name.EndsWith("_c", StringComparison.Ordinal) => value.ToString("0.0", c) + " °C",
            _ when name.EndsWith("_s", StringComparison.Ordinal) => Duration(value),
            _ => value.ToString("0.###", c),
        };
    }

    public static string Bits(double bps) => bps switch
    {
        >= 1e9 => (bps / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " Gbit/s",
        >= 1e6 => (bps / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " Mbit/s",
        >= 1e3 => (bps / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kbit/s",
        _ => bps.ToString("0", CultureInfo.InvariantCulture) + " bit/s",
    };

    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Floor(seconds)));
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{span.Minutes} min {span.Seconds} s"
            : $"{span.Seconds} s";
    }
}
