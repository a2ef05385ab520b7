using System.Text.Json;
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
    private readonly InfluxV1Client _query;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public InfluxTelemetryStore(DiskBuffer buffer, DeadLetterFile deadLetters, InfluxV1Client query, TimeProvider? time = null, ILogger? logger = null)
    {
        _buffer = buffer;
        _deadLetters = deadLetters;
        _query = query;
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

    public async Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken)
    {
        using var json = await _query.QueryAsync(InfluxQl.Series(query), cancellationToken).ConfigureAwait(false);
        var result = new List<Series>();
        foreach (var series in SeriesOf(json))
        {
            var points = new List<SeriesPoint>();
            foreach (var row in series.GetProperty("values").EnumerateArray())
            {
                if (row[1].ValueKind == JsonValueKind.Number)
                {
                    points.Add(new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(row[0].GetInt64()), row[1].GetDouble()));
                }
            }

            result.Add(new Series(TagsOf(series), points));
        }

        return result;
    }

    public async Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken)
    {
        using var json = await _query.QueryAsync(InfluxQl.Latest(query), cancellationToken).ConfigureAwait(false);
        var result = new List<LatestValue>();
        foreach (var series in SeriesOf(json))
        {
            foreach (var row in series.GetProperty("values").EnumerateArray())
            {
                var time = DateTimeOffset.FromUnixTimeMilliseconds(row[0].GetInt64());
                var (value, text) = row[1].ValueKind switch
                {
                    JsonValueKind.Number => (row[1].GetDouble(), (string?)null),
                    JsonValueKind.True => (1d, null),
                    JsonValueKind.False => (0d, null),
                    JsonValueKind.String => ((double?)null, row[1].GetString()),
                    _ => (null, null),
                };
                result.Add(new LatestValue(TagsOf(series), time, value, text));
            }
        }

        return result;
    }

    private static IEnumerable<JsonElement> SeriesOf(JsonDocument json)
    {
        foreach (var result in json.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("series", out var series))
            {
                foreach (var s in series.EnumerateArray())
                {
                    yield return s;
                }
            }
        }
    }

    private static Dictionary<string, string> TagsOf(JsonElement series)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("tags", out var t))
        {
            foreach (var p in t.EnumerateObject())
            {
                if (p.Value.GetString() is { Length: > 0 } v)
                {
                    tags[p.Name] = v;
                }
            }
        }

        return tags;
    }
}
