using System.Diagnostics.Metrics;

namespace NetOps.Engine;

/// <summary>The state engine's self-metrics.</summary>
internal static class StateMetrics
{
    public static readonly Meter Meter = new("NetOps");

    public static readonly Counter<long> Applied = Meter.CreateCounter<long>("netops.state.observations.applied");

    public static readonly Counter<long> Deltas = Meter.CreateCounter<long>("netops.state.deltas");

    public static readonly Counter<long> FeedReceived = Meter.CreateCounter<long>("netops.state.feed.received",
        description: "Deltas and snapshots this process received over the broker");

    public static readonly Histogram<double> ApplySeconds = Meter.CreateHistogram<double>("netops.state.apply.duration", "s");
}
