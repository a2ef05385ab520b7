using System.Diagnostics.Metrics;
using NetOps.Storage.Buffer;

namespace NetOps.Storage;

/// <summary>
/// The store's instruments on the "NetOps" meter: <c>netops.storage.buffered</c> (points on disk waiting for InfluxDB),
/// <c>netops.storage.accepted</c>, <c>netops.storage.written</c> (confirmed by InfluxDB), <c>netops.storage.replayed</c>
/// (found unconfirmed in the buffer at start), <c>netops.storage.dead_lettered</c> (tag <c>reason</c>),
/// <c>netops.storage.dropped</c> (past the buffer's bound) and <c>netops.storage.write.failures</c> (retried attempts).
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "NetOps";

    private int _disposed;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _written;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _failures;
    private readonly List<DiskBuffer> _buffers = [];

    /// <summary>Creates the instruments once, on the "NetOps" meter of <paramref name="meterFactory"/> (which disposes it).</summary>
    public StorageMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        Meter.CreateObservableGauge("netops.storage.buffered", ObserveBuffered, "{point}",
            "Points on disk in the storage buffer, not yet confirmed by InfluxDB");
        _accepted = Meter.CreateCounter<long>("netops.storage.accepted", "{point}", "Points accepted (fsync'd) by the storage buffer");
        _written = Meter.CreateCounter<long>("netops.storage.written", "{point}", "Points InfluxDB confirmed");
        _replayed = Meter.CreateCounter<long>("netops.storage.replayed", "{point}", "Unconfirmed points found in the buffer at start and sent again");
        _deadLettered = Meter.CreateCounter<long>("netops.storage.dead_lettered", "{point}", "Points InfluxDB rejected as invalid, kept in the dead-letter file");
        _dropped = Meter.CreateCounter<long>("netops.storage.dropped", "{point}", "Points dropped because the buffer reached its configured bound");
        _failures = Meter.CreateCounter<long>("netops.storage.write.failures", "{attempt}", "Write attempts that failed and will be retried");
    }

    /// <summary>The meter the instruments live on; a test's MeterListener can match it by reference.</summary>
    public Meter Meter { get; }

    internal void ObserveBuffer(DiskBuffer buffer)
    {
        lock (_buffers)
        {
            _buffers.Add(buffer);
        }
    }

    internal void ForgetBuffer(DiskBuffer buffer)
    {
        lock (_buffers)
        {
            _buffers.Remove(buffer);
        }
    }

    private IEnumerable<Measurement<long>> ObserveBuffered()
    {
        // The factory's meter outlives this object (it is disposed with the container): once disposed, report nothing.
        if (Volatile.Read(ref _disposed) == 1)
        {
            return [];
        }

        lock (_buffers)
        {
            return [new Measurement<long>(_buffers.Sum(b => b.PendingPoints))];
        }
    }

    internal void Accepted(long points) => _accepted.Add(points);
    internal void Written(long points) => _written.Add(points);
    internal void Replayed(long points) => _replayed.Add(points);
    internal void Dropped(long points) => _dropped.Add(points);
    internal void Failure(string kind) => _failures.Add(1, new KeyValuePair<string, object?>("kind", kind));

    internal void DeadLettered(long points, string reason) =>
        _deadLettered.Add(points, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        lock (_buffers)
        {
            _buffers.Clear();
        }
    }
}
