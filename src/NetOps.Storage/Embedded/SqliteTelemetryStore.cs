using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

/// <summary>
/// The embedded default: history in one SQLite file (WAL, synchronous=FULL: a batch is durable once its transaction
/// commits), kept across restarts and pruned past its retention. Same series, field and timestamp
/// overwrite, as in InfluxDB. Meant for one site's demo or a small installation, not for years of a whole network.
/// </summary>
public sealed class SqliteTelemetryStore : ITelemetryStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<(string Measurement, string Tags), long> _seriesIds = [];
    private readonly List<SeriesRow> _series = [];
    private readonly SqliteConnection _writer;
    private DateTimeOffset _nextPrune;
    private int _disposed;

    private sealed record SeriesRow(long Id, string Measurement, IReadOnlyDictionary<string, string> Tags);

    public SqliteTelemetryStore(string path, TimeSpan retention, TimeProvider? time = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DatabasePath = path;
        _retention = retention;
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS series(
              id INTEGER PRIMARY KEY,
              measurement TEXT NOT NULL,
              tags TEXT NOT NULL,
              UNIQUE(measurement, tags));
            CREATE TABLE IF NOT EXISTS samples(
              series_id INTEGER NOT NULL,
              field TEXT NOT NULL,
              ts INTEGER NOT NULL,
              value,
              PRIMARY KEY(series_id, field, ts)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS samples_by_time ON samples(ts);
            """);
        using (var command = _writer.CreateCommand())
        {
            command.CommandText = "SELECT id, measurement, tags FROM series";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                AddSeries(reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
            }
        }

        Prune();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    public async ValueTask<int> WriteAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _writer.BeginTransaction();
            using var insertSeries = _writer.CreateCommand();
            insertSeries.Transaction = transaction;
            insertSeries.CommandText = "INSERT INTO series(measurement, tags) VALUES ($m, $t) RETURNING id";
            var m = insertSeries.Parameters.Add("$m", SqliteType.Text);
            var t = insertSeries.Parameters.Add("$t", SqliteType.Text);
            using var insert = _writer.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR REPLACE INTO samples(series_id, field, ts, value) VALUES ($s, $f, $ts, $v)";
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            var f = insert.Parameters.Add("$f", SqliteType.Text);
            var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
            var v = insert.Parameters.Add(new SqliteParameter { ParameterName = "$v" });
            var added = new List<(long, string, string)>();
            var count = 0;
            foreach (var point in points)
            {
                var tags = TagsJson(point.Tags);
                if (!_seriesIds.TryGetValue((point.Measurement, tags), out var id))
                {
                    m.Value = point.Measurement;
                    t.Value = tags;
                    id = (long)insertSeries.ExecuteScalar()!;
                    _seriesIds[(point.Measurement, tags)] = id;
                    added.Add((id, point.Measurement, tags));
                }

                s.Value = id;
                ts.Value = point.TimestampNs;
                foreach (var field in point.Fields)
                {
                    if (field.Kind == FieldKind.Float && !double.IsFinite(field.FloatValue))
                    {
                        continue;
                    }

                    f.Value = field.Key;
                    v.Value = field.Value switch
                    {
                        bool b => b ? 1L : 0L,
                        var other => other,
                    };
                    insert.ExecuteNonQuery();
                }

                count++;
            }

            transaction.Commit();
            foreach (var (id, measurement, tags) in added)
            {
                lock (_series)
                {
                    _series.Add(new SeriesRow(id, measurement, ParseTags(tags)));
                }
            }

            if (_time.GetUtcNow() >= _nextPrune)
            {
                Prune();
            }

            return count;
        }
        catch
        {
            // A failed transaction may have assigned ids that were rolled back: forget the cache and reload it.
            ReloadSeries();
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Deletes samples older than the retention; runs at open and then at most every tenth of the retention.</summary>
    public int Prune()
    {
        var now = _time.GetUtcNow();
        _nextPrune = now + TimeSpan.FromTicks(Math.Min(_retention.Ticks / 10, TimeSpan.FromHours(1).Ticks));
        using var command = _writer.CreateCommand();
        command.CommandText = "DELETE FROM samples WHERE ts < $cutoff";
        command.Parameters.AddWithValue("$cutoff", Point.ToNanoseconds(now - _retention));
        return command.ExecuteNonQuery();
    }

    /// <summary>Prunes under the write lock (for a timer or a test).</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Prune();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken)
    {
        var window = Math.Max(1, query.Window.Ticks * 100);
        var (fn, extra) = query.Aggregate switch
        {
            Aggregate.Min => ("min(value)", ""),
            Aggregate.Max => ("max(value)", ""),
            Aggregate.Sum => ("sum(value)", ""),
            Aggregate.Count => ("count(value)", ""),
            Aggregate.Last => ("value", ", max(ts)"),
            _ => ("avg(value)", ""),
        };
        var result = new List<Series>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (tags, ids) in Groups(query.Measurement, query.Where, query.GroupBy))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT ts / $w AS bucket, {fn}{extra} FROM samples
                WHERE series_id IN ({string.Join(',', ids)}) AND field = $f AND ts >= $from AND ts < $to
                  AND typeof(value) IN ('integer', 'real')
                GROUP BY bucket ORDER BY bucket
                """;
            command.Parameters.AddWithValue("$w", window);
            command.Parameters.AddWithValue("$f", query.Field);
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
            command.CommandText = $"SELECT value, max(ts) FROM samples WHERE series_id IN ({string.Join(',', ids)}) AND field = $f";
            command.Parameters.AddWithValue("$f", query.Field);
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

    private void ReloadSeries()
    {
        _seriesIds.Clear();
        lock (_series)
        {
            _series.Clear();
        }

        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT id, measurement, tags FROM series";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            AddSeries(reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
        }
    }

    private void AddSeries(long id, string measurement, string tags)
    {
        _seriesIds[(measurement, tags)] = id;
        lock (_series)
        {
            _series.Add(new SeriesRow(id, measurement, ParseTags(tags)));
        }
    }

    private static string TagsJson(IReadOnlyList<Tag> tags)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag.Value.Length > 0)
            {
                sorted[tag.Key] = tag.Value;
            }
        }

        return JsonSerializer.Serialize(sorted, SqliteJson.Default.SortedDictionaryStringString);
    }

    private static Dictionary<string, string> ParseTags(string json) =>
        JsonSerializer.Deserialize(json, SqliteJson.Default.DictionaryStringString) ?? [];

    private static DateTimeOffset FromNanoseconds(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        // The container may dispose it twice (registered as itself and as ITelemetryStore).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writeGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SortedDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SqliteJson : System.Text.Json.Serialization.JsonSerializerContext;
