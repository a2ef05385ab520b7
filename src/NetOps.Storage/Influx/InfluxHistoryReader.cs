using System.Globalization;
using System.Text.Json;

namespace NetOps.Storage.Influx;

/// <summary>
/// Reads history from InfluxDB with InfluxQL over the v1 API: what <see cref="InfluxTelemetryStore"/> answers, without
/// its write side (durable buffer, sender), so a web-only process can read what the engine's process writes.
/// </summary>
public sealed class InfluxHistoryReader(InfluxV1Client query) : ITelemetryReader, IRecentPoints
{
    private readonly InfluxV1Client _query = query;

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

    public async Task<IReadOnlyList<StoredPoint>> RecentAsync(string measurement, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var json = await _query.QueryAsync(
            $"SELECT * FROM {InfluxQl.Identifier(measurement)} ORDER BY time DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}",
            cancellationToken).ConfigureAwait(false);
        var result = new List<StoredPoint>();
        foreach (var series in SeriesOf(json))
        {
            // SELECT * gives tags and fields as columns; a null column is a tag or field this point does not have.
            var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToList();
            foreach (var row in series.GetProperty("values").EnumerateArray())
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 1; i < columns.Count; i++)
                {
                    var cell = row[i];
                    if (cell.ValueKind == JsonValueKind.String)
                    {
                        values[columns[i]] = cell.GetString()!;
                    }
                    else if (cell.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    {
                        values[columns[i]] = cell.GetRawText();
                    }
                }

                result.Add(new StoredPoint(DateTimeOffset.FromUnixTimeMilliseconds(row[0].GetInt64()), values));
            }
        }

        return result;
    }
}
