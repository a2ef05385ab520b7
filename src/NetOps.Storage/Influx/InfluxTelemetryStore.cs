using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Buffer;
using NetOps.Storage.Points;

namespace NetOps.Storage.Influx;

/// <summary>
/// History in InfluxDB: writes land in the durable buffer (the caller waits for the fsync, never for InfluxDB) and an
/// <see cref="InfluxSender"/> moves them on; reads are InfluxQL over the v1 API (1.x, 2.x with DBRP mapping, 3.x).
/// </summary>
public sealed class InfluxTelemetryStore : ITelemetryStore
{
    private readonly DiskBuffer _buffer;
    private readonly DeadLetterFile _deadLetters;
    private readonly InfluxHistoryReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public InfluxTelemetryStore(DiskBuffer buffer, DeadLetterFile deadLetters, InfluxV1Client query, TimeProvider? time = null, ILogger? logger = null)
    {
        _buffer = buffer;
        _deadLetters = deadLetters;
        _reader = new InfluxHistoryReader(query);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public DiskBuffer Buffer => _buffer;

    public async ValueTask<int> WriteAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0)
        {
            return 0;
        }

        using var lines = new PooledBufferWriter(points.Count * 128);
        var count = 0;
        List<(Point Point, string Reason)>? invalid = null;
        foreach (var point in points)
        {
            if (LineProtocol.Validate(point) is { } reason)
            {
                (invalid ??= []).Add((point, reason));
                continue;
            }

            LineProtocol.Write(lines, point);
            count++;
        }

        if (invalid is not null)
        {
            foreach (var group in invalid.GroupBy(i => i.Reason))
            {
                _deadLetters.Append(group.Select(i => i.Point.SeriesKey + " " + string.Join(',', i.Point.Fields) + " " + i.Point.TimestampNs),
                    "not encodable: " + group.Key, _time.GetUtcNow());
                _buffer.Metrics.DeadLettered(group.Count(), "not-encodable");
            }

            _logger.LogWarning("{Count} points cannot be written to InfluxDB as they are, kept in {DeadLetters}", invalid.Count, _deadLetters.Path);
        }

        if (count == 0)
        {
            return 0;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return await _buffer.AppendAsync(lines.WrittenSpan, count).ConfigureAwait(false) ? count : 0;
    }

    public Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken) =>
        _reader.QueryAsync(query, cancellationToken);

    public Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken) =>
        _reader.LatestAsync(query, cancellationToken);
}
