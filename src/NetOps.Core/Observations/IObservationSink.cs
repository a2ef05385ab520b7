namespace NetOps.Core.Observations;

/// <summary>Where collectors hand their observations: a channel in one process, MQTT QoS 1 across processes.</summary>
public interface IObservationSink
{
    /// <summary>Accepts an observation; completes once it is safely handed on (it may wait when the pipeline is full).</summary>
    ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken);
}

/// <summary>
/// Numbers a collector's observations; the source name carries a boot id so a restart never looks like a replay.
/// The engine applies a source's numbers in increasing order only, so observations made concurrently (polls of many
/// devices at once) are published through <see cref="PublishAsync"/>, which numbers and hands on in one step.
/// </summary>
public sealed class ObservationSequence(string collector)
{
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private long _next;

    /// <summary>The source name: collector name plus a boot id unique to this process start.</summary>
    public string Source { get; } = $"{collector}#{Guid.NewGuid():N}"[..(collector.Length + 9)];

    public long Next() => Interlocked.Increment(ref _next);

    /// <summary>
    /// Renumbers <paramref name="observation"/> and hands it to <paramref name="sink"/> in one step, so the sink receives
    /// this source's observations in the order of their numbers even when they were made concurrently (a poll that
    /// started first and read more tables would otherwise arrive after a later number and be dropped as a replay).
    /// </summary>
    public async ValueTask PublishAsync(IObservationSink sink, Observation observation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(observation);
        await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await sink.PublishAsync(observation with { Source = Source, Sequence = Next() }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _publishing.Release();
        }
    }
}
