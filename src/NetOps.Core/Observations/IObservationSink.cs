namespace NetOps.Core.Observations;

/// <summary>Where collectors hand their observations: a channel in one process, MQTT QoS 1 across processes.</summary>
public interface IObservationSink
{
    /// <summary>Accepts an observation; completes once it is safely handed on (it may wait when the pipeline is full).</summary>
    ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken);
}

/// <summary>Numbers a collector's observations; the source name carries a boot id so a restart never looks like a replay.</summary>
public sealed class ObservationSequence(string collector)
{
    private long _next;

    /// <summary>The source name: collector name plus a boot id unique to this process start.</summary>
    public string Source { get; } = $"{collector}#{Guid.NewGuid():N}"[..(collector.Length + 9)];

    public long Next() => Interlocked.Increment(ref _next);
}
