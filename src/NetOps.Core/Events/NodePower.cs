using System.Globalization;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>Where a node's power comes from, as its last report says.</summary>
public enum NodePowerSource
{
    Unknown,
    Mains,
    Battery,
}

/// <summary>Which uplink a node uses, as its last report says.</summary>
public enum NodeUplink
{
    Unknown,
    None,
    Fibre,
    Lte,
}

/// <summary>
/// A deployed node's power and uplink, judged against its node class: source, battery, runtime left, how bad that is
/// (on mains it is always ok) and, when something is wrong, the reason in words ("on battery, 18 % (critical at or below
/// 20 %), 35 min left").
/// </summary>
public sealed record NodePower(
    NodePowerSource Source,
    double? BatteryPct,
    TimeSpan? RuntimeLeft,
    HealthLevel Level,
    NodeUplink Uplink,
    string? Gap)
{
    /// <summary>What a node not deployed here shows: nothing is expected of it.</summary>
    public static NodePower NotDeployed { get; } = new(NodePowerSource.Unknown, null, null, HealthLevel.Ok, NodeUplink.Unknown, null);

    /// <summary>
    /// The power of a deployed node from its live <paramref name="state"/> (null: no evidence yet) and its class's
    /// thresholds. <paramref name="previous"/> is the level shown before, so a battery at the edge does not flap.
    /// </summary>
    public static NodePower Of(EntityState? state, NodeClassPolicy policy, ReasonText text, HealthLevel previous = HealthLevel.Ok)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(text);
        if (state is null)
        {
            return new(NodePowerSource.Unknown, null, null, HealthLevel.Critical, NodeUplink.Unknown, "not reporting: no report yet");
        }

        var metrics = state.Metrics;
        double? battery = metrics.TryGetValue(NodeClassPolicy.BatteryMetric, out var b) ? b : null;
        TimeSpan? runtime = metrics.TryGetValue(NodeClassPolicy.RuntimeMetric, out var r) ? TimeSpan.FromSeconds(r) : null;
        if (!Reporting(state))
        {
            // The last report's values are history: show them, but the gap is the silence.
            return new(NodePowerSource.Unknown, battery, runtime, HealthLevel.Critical, NodeUplink.Unknown,
                $"not reporting since {text.Local(state.ObservedAt)}: {text.Render(state.Reason)}");
        }

        var source = metrics.TryGetValue("on_mains", out var mains) ? mains >= 1 ? NodePowerSource.Mains : NodePowerSource.Battery : NodePowerSource.Unknown;
        var uplink = metrics.TryGetValue("uplink", out var u) ? UplinkOf(u) : NodeUplink.Unknown;
        var level = HealthLevel.Ok;
        string? batteryLevel = null;
        string? runtimeLevel = null;
        if (source == NodePowerSource.Battery)
        {
            var byBattery = battery is { } pct ? policy.BatteryPct.Evaluate(pct, previous) : HealthLevel.Ok;
            var byRuntime = runtime is { } left ? policy.RuntimeLeftS.Evaluate(left.TotalSeconds, previous) : HealthLevel.Ok;
            level = (HealthLevel)Math.Max((int)byBattery, (int)byRuntime);
            batteryLevel = Describe(byBattery, policy.BatteryPct, v => $"{Number(v)} %");
            runtimeLevel = Describe(byRuntime, policy.RuntimeLeftS, v => Duration(TimeSpan.FromSeconds(v)));
        }

        var gaps = new List<string>(2);
        if (source == NodePowerSource.Battery)
        {
            var power = "on battery";
            if (battery is { } pct)
            {
                power += $", {Number(pct)} %" + (batteryLevel is null ? "" : $" ({batteryLevel})");
            }

            if (runtime is { } left)
            {
                power += $", {Duration(left)} left" + (runtimeLevel is null ? "" : $" ({runtimeLevel})");
            }

            gaps.Add(power);
        }

        switch (uplink)
        {
            case NodeUplink.Lte:
                gaps.Add("LTE fallback: the fibre uplink is down");
                level = (HealthLevel)Math.Max((int)level, (int)HealthLevel.Warning);
                break;
            case NodeUplink.None:
                gaps.Add("no uplink");
                level = HealthLevel.Critical;
                break;
        }

        return new(source, battery, runtime, level, uplink, gaps.Count == 0 ? null : string.Join("; ", gaps));
    }

    /// <summary>A duration as the coverage page shows a runtime: "35 min", "2 h 05 min".</summary>
    public static string Duration(TimeSpan span)
    {
        var minutes = (int)Math.Max(0, Math.Round(span.TotalMinutes));
        return minutes < 60
            ? $"{minutes} min"
            : string.Create(CultureInfo.InvariantCulture, $"{minutes / 60} h {minutes % 60:00} min");
    }

    /// <summary>A node's state tells its power only while it reports: up or degraded from a fresh report.</summary>
    private static bool Reporting(EntityState state) =>
        state.Value is StateValue.Up or StateValue.Degraded ||
        (state.Value == StateValue.Down && state.Reason.Code == ReasonCodes.NodeNoUplink);

    private static NodeUplink UplinkOf(double value) => (UplinkKind)(int)value switch
    {
        UplinkKind.Fibre => NodeUplink.Fibre,
        UplinkKind.Lte => NodeUplink.Lte,
        UplinkKind.None => NodeUplink.None,
        _ => NodeUplink.Unknown,
    };

    private static string? Describe(HealthLevel level, Threshold threshold, Func<double, string> format) => level switch
    {
        HealthLevel.Critical => $"critical at or below {format(threshold.Critical)}",
        HealthLevel.Warning => $"warning at or below {format(threshold.Warning)}",
        _ => null,
    };

    private static string Number(double value) => Math.Round(value).ToString(CultureInfo.InvariantCulture);
}
