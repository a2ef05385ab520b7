using System.Globalization;
using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

// The read path: aggregated series and latest values, on a connection of their own, through the view all_points.
public sealed partial class SqliteTelemetryStore
{
    public async Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken)
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (tags, ids) in Groups(query.Measurement, query.Where, query.GroupBy))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT ts / $w AS bucket, {fn}{extra} FROM (
                  SELECT ts, json_extract(fields, $f) AS v FROM all_points
                  WHERE series_id IN ({string.Join(',', ids)}) AND ts >= $from AND ts < $to)
                WHERE typeof(v) IN ('integer', 'real')
                GROUP BY bucket ORDER BY bucket
                """;
            command.Parameters.AddWithValue("$w", window);
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

    public async Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken)
    {
        var result = new List<LatestValue>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var groupBy = query.GroupBy.Count == 0 ? null : query.GroupBy;
        foreach (var (tags, ids) in Groups(query.Measurement, query.Where, groupBy))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT v, max(ts) FROM (
                  SELECT ts, json_extract(fields, $f) AS v FROM all_points WHERE series_id IN ({string.Join(',', ids)}))
                WHERE v IS NOT NULL
                """;
            command.Parameters.AddWithValue("$f", JsonPath(query.Field));
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

    /// <summary>Series of a measurement matching the filter, grouped by the group-by tags (null: every series alone).</summary>
    private List<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)> Groups(
        string measurement, IReadOnlyDictionary<string, string> where, IReadOnlyList<string>? groupBy)
    {
        List<SeriesRow> matching;
        lock (_series)
        {
            matching = _series.Where(s => s.Measurement == measurement &&
                where.All(w => s.Tags.TryGetValue(w.Key, out var v) && v == w.Value)).ToList();
        }

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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>The json_extract path of a field, quoted: a key may hold dots or brackets.</summary>
    private static string JsonPath(string field) => "$.\"" + field.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static DateTimeOffset FromNanoseconds(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
}
