using System.Diagnostics.Metrics;

namespace NetOps.Engine;

/// <summary>The state engine's self-metrics, created once on the "NetOps" meter of the container's factory.</summary>
public sealed class StateMetrics
{
    public const string MeterName = "NetOps";

    /// <summary>Seconds, from a millisecond to half a minute: an apply takes microseconds, a stalled one much longer.</summary>
    internal static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public StateMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        Applied = meter.CreateCounter<long>("netops.state.observations.applied", description: "Observations the state engine applied");
        Deltas = meter.CreateCounter<long>("netops.state.deltas", description: "State deltas the engine published");
        ApplySeconds = meter.CreateHistogram("netops.state.apply.duration", "s", "Time the state engine took to apply one observation",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    }

    internal Counter<long> Applied { get; }

    internal Counter<long> Deltas { get; }

    internal Histogram<double> ApplySeconds { get; }
}
