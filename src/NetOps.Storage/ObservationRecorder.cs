using NetOps.Core.Observations;
using NetOps.Storage.Points;

namespace NetOps.Storage;

/// <summary>
/// Turns observations into history: maps them to points and writes them to the store. As an
/// <see cref="IObservationSink"/> it can sit beside the state engine's channel (a tee the host wires); it waits for the
/// local fsync (or SQLite commit), never for InfluxDB. Concurrent callers do not queue for one commit each: the embedded
/// store group-commits their batches, so a pipelined caller (the MQTT ingest) pays one fsync per group.
/// </summary>
public sealed class ObservationRecorder(ITelemetryStore store, ObservationPoints points) : IObservationSink
{
    public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
        await RecordAsync([observation], cancellationToken).ConfigureAwait(false);

    /// <summary>Writes the points of a batch of observations as one store batch; returns the points accepted.</summary>
    public async ValueTask<int> RecordAsync(IReadOnlyList<Observation> observations, CancellationToken cancellationToken)
    {
        var batch = new List<Point>(observations.Count * 4);
        foreach (var observation in observations)
        {
            points.Map(observation, batch);
        }

        return batch.Count == 0 ? 0 : await store.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
