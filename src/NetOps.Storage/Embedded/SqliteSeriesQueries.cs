using System.Globalization;
using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

/// <summary>One series of the embedded store: its id, measurement and tags.</summary>
internal sealed record SqliteSeries(long Id, string Measurement, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// The read queries of the embedded store, through the view all_points: used by the store itself and by the read-only
/// reader of a web-only process, each with the series it knows.
/// </summary>
internal static class SqliteSeriesQueries
{
    /// <summary>Series of a measurement matching the filter, grouped by the group-by tags (null: every series alone).</summary>
    public static List<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)> Groups(IEnumerable<SqliteSeries> series,
        string measurement, IReadOnlyDictionary<string, string> where, IReadOnlyList<string>? groupBy)
    {
        var matching = series.Where(s => s.Measurement == measurement &&
            where.All(w => s.Tags.TryGetValue(w.Key, out var v) && v == w.Value)).ToList();
        if (groupBy is null)
        {
            return matching.Select(s => (s.Tags, new List<long> { s.Id })).ToList();
        }

        return matching
            .GroupBy(s => string.Join('\u0001', groupBy.Select(g => s.Tags.GetValueOrDefault(g, ""))))
            .Select(g => ((IReadOnlyDictionary<string, string>)groupBy
                    .Where(k => g.First().Tags.ContainsKey(k))
                    .ToDictionary(k => k, k => g.First().Tags[k], StringComparer.Ordinal),
                g.Select(s => s.Id).ToList()))
            .ToList();
    }

    /// <summary>
    /// One aggregated series per group, per window of the query; groups without points are left out. At most
    /// <see cref="SeriesQuery.SeriesLimit"/> series of at most <see cref="SeriesQuery.PointLimit"/> points each.
    /// </summary>
    public static async Task<IReadOnlyList<Series>> QueryAsync(SqliteConnection connection,
        IEnumerable<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)> groups, SeriesQuery query, CancellationToken cancellationToken)
    {
        var window = Math.Max(1, query.Window.Ticks * 100);
        var (fn, extra) = query.Aggregate switch
        {
            Aggregate.Min => ("min(v)", ""),
            Aggregate.Max => ("max(v)", ""),
            Aggregate.Sum => ("sum(v)", ""),
            Aggregate.Count => ("count(v)", ""),
            Aggregate.Last => ("v", ", max(ts)"),
            _ => ("avg(v)", ""),
        };
        var result = new List<Series>();
        foreach (var (tags, ids) in groups)
        {
            if (result.Count == query.SeriesLimit)
            {
                break;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT ts / $w AS bucket, {fn}{extra} FROM (
                  SELECT ts, json_extract(fields, $f) AS v FROM all_points
                  WHERE series_id IN ({string.Join(',', ids)}) AND ts >= $from AND ts < $to)
                WHERE typeof(v) IN ('integer', 'real')
                GROUP BY bucket ORDER BY bucket LIMIT $limit
                """;
            command.Parameters.AddWithValue("$w", window);
            command.Parameters.AddWithValue("$limit", SeriesQuery.PointLimit);
            command.Parameters.AddWithValue("$f", JsonPath(query.Field));
            command.Parameters.AddWithValue("$from", Point.ToNanoseconds(query.From));
            command.Parameters.AddWithValue("$to", Point.ToNanoseconds(query.To));
            var points = new List<SeriesPoint>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!reader.IsDBNull(1))
                {
                    points.Add(new SeriesPoint(FromNanoseconds(reader.GetInt64(0) * window), reader.GetDouble(1)));
                }
            }

            if (points.Count > 0)
            {
                result.Add(new Series(tags, points));
            }
        }

        return result;
    }

    /// <summary>The latest value of a field per group: a number, or text.</summary>
    public static async Task<IReadOnlyList<LatestValue>> LatestAsync(SqliteConnection connection,
        IEnumerable<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)> groups, string field, CancellationToken cancellationToken)
    {
        var result = new List<LatestValue>();
        foreach (var (tags, ids) in groups)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT v, max(ts) FROM (
                  SELECT ts, json_extract(fields, $f) AS v FROM all_points WHERE series_id IN ({string.Join(',', ids)}))
                WHERE v IS NOT NULL
                """;
            command.Parameters.AddWithValue("$f", JsonPath(field));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(1))
            {
                var time = FromNanoseconds(reader.GetInt64(1));
                var value = reader.GetValue(0);
                result.Add(value is string text
                    ? new LatestValue(tags, time, null, text)
                    : new LatestValue(tags, time, Convert.ToDouble(value, CultureInfo.InvariantCulture), null));
            }
        }

        return result;
    }

    /// <summary>The json_extract path of a field, quoted: a key may hold dots or brackets.</summary>
    public static string JsonPath(string field) => "$.\"" + field.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static DateTimeOffset FromNanoseconds(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
}
