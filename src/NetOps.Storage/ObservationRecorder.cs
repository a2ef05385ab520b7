using NetOps.Core.Observations;
using NetOps.Storage.Points;

namespace NetOps.Storage;

/// <summary>
/// Turns observations into history: maps them to points and writes them to the store. As an
/// <see cref="IObservationSink"/> it can sit beside the state engine's channel (a tee the host wires); it waits for the
/// local fsync (or SQLite commit), never for InfluxDB. Concurrent callers do not queue for one commit each: the embedded
/// store group-commits their batches, so a pipelined caller (the MQTT ingest) pays one fsync per group. Two-phase:
/// an observation is accepted once its batch is handed to the store, durable once the store's write completed, so a
/// caller may hand on a source's next observation before the previous one is committed (both can share a commit).
/// </summary>
public sealed class ObservationRecorder(ITelemetryStore store, ObservationPoints points) : ITwoPhaseObservationSink
{
    public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
        await RecordAsync([observation], cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Hands the observation's points to the store and returns at once; the inner task completes when the store's
    /// write does. The embedded store queues a write in call order before it returns (unless its queue is full, when
    /// the order of queued writes may differ; a point's key is its series and time, so the order does not change the
    /// outcome).
    /// </summary>
    public ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var batch = new List<Point>(4);
        points.Map(observation, batch);
        return ValueTask.FromResult(batch.Count == 0 ? ValueTask.CompletedTask : Durable(store.WriteAsync(batch, cancellationToken)));

        static async ValueTask Durable(ValueTask<int> write) => await write.ConfigureAwait(false);
    }

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
