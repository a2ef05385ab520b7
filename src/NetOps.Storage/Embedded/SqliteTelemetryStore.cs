using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;
using SQLitePCL;

namespace NetOps.Storage.Embedded;

/// <summary>
/// The embedded default: history in one SQLite file (WAL, synchronous=FULL: a batch is durable once its transaction
/// commits), kept across restarts and pruned past its retention. One row per point: its fields are one JSON object, so
/// a message costs one B-tree insert, not one per field. A point with the same series and timestamp merges its fields
/// into the stored ones (a field written again overwrites), as in InfluxDB. Meant for one site's demo or a small installation, not for years of a whole network.
/// Writes are group-committed: the batches of concurrent writers share one transaction, so the fsync is paid per
/// commit, not per caller (see <see cref="WriteAsync"/>).
/// Two tables hold the points. A commit appends to <c>recent</c>, ordered by time, so it writes the one or two pages
/// at its end; in <c>points</c>, ordered by series for reading, the same commit would rewrite the newest page of
/// every series it touches. Every few thousand points <c>recent</c> moves into <c>points</c> in one transaction.
/// Reads go through the view <c>all_points</c>, which merges the two.
/// </summary>
public sealed class SqliteTelemetryStore : ITelemetryStore, IAsyncDisposable
{
    /// <summary>Points one transaction takes at most (a single larger batch still commits alone, in one piece).</summary>
    public const int DefaultMaxCommitPoints = 8192;

    /// <summary>Points that gather in <c>recent</c> before they move into <c>points</c> (see <see cref="MergeRecent"/>).</summary>
    public const int DefaultMergeRows = 8192;

    // WAL pages between checkpoints (32 MiB): a page written by many commits is copied into the database once.
    private const int CheckpointPages = 8192;

    // Batches waiting for the committer; writers wait (back-pressure) beyond this many.
    private const int MaxQueuedWrites = 4096;

    private readonly string _connectionString;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly int _maxCommitPoints;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<(string Measurement, string Tags), long> _seriesIds = [];
    // The same series by a point's tags as given, so that a known series costs no canonical form per point.
    private readonly Dictionary<SeriesKey, long> _seriesByTags = new(SeriesKeyComparer.Instance);
    private readonly List<SeriesRow> _series = [];
    private readonly SqliteConnection _writer;
    private readonly Channel<PendingWrite> _pending;
    private readonly Task _committer;
    private SqliteCommand? _insertSeries;
    private readonly ArrayBufferWriter<byte> _fieldsBuffer = new(256);
    private readonly Utf8JsonWriter _fieldsWriter;
    private sqlite3_stmt? _upsertPoint;
    private DateTimeOffset _nextPrune;
    private readonly int _mergeRows;
    private long _recentRows;
    private long _merges;
    private long _commits;
    private long _committedWrites;
    private int _disposed;

    private sealed record SeriesRow(long Id, string Measurement, IReadOnlyDictionary<string, string> Tags);

    public SqliteTelemetryStore(string path, TimeSpan retention, TimeProvider? time = null, int maxCommitPoints = DefaultMaxCommitPoints,
        int mergeRows = DefaultMergeRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCommitPoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mergeRows, 1);
        _mergeRows = mergeRows;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DatabasePath = path;
        _retention = retention;
        _time = time ?? TimeProvider.System;
        _maxCommitPoints = maxCommitPoints;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _fieldsWriter = new Utf8JsonWriter(_fieldsBuffer);
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, $"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA wal_autocheckpoint={CheckpointPages};
            PRAGMA temp_store=MEMORY;
            PRAGMA cache_size=-16384;
            CREATE TABLE IF NOT EXISTS series(
              id INTEGER PRIMARY KEY,
              measurement TEXT NOT NULL,
              tags TEXT NOT NULL,
              UNIQUE(measurement, tags));
            CREATE TABLE IF NOT EXISTS points(
              series_id INTEGER NOT NULL,
              ts INTEGER NOT NULL,
              fields TEXT NOT NULL,
              PRIMARY KEY(series_id, ts)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS points_by_time ON points(ts);
            CREATE TABLE IF NOT EXISTS recent(
              ts INTEGER NOT NULL,
              series_id INTEGER NOT NULL,
              fields TEXT NOT NULL,
              PRIMARY KEY(ts, series_id)) WITHOUT ROWID;
            CREATE VIEW IF NOT EXISTS all_points AS
              SELECT p.series_id, p.ts, p.fields FROM points p
                WHERE NOT EXISTS (SELECT 1 FROM recent r WHERE r.ts = p.ts AND r.series_id = p.series_id)
              UNION ALL
              SELECT r.series_id, r.ts, coalesce(json_patch(p.fields, r.fields), r.fields)
                FROM recent r LEFT JOIN points p ON p.series_id = r.series_id AND p.ts = r.ts;
            """);
        _recentRows = Count("recent");
        MigrateSamples();
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
        _pending = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(MaxQueuedWrites)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _committer = Task.Run(CommitLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Transactions committed so far (each holding the batches of one or more writers).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Batches (<see cref="WriteAsync"/> calls) committed so far.</summary>
    public long CommittedWrites => Interlocked.Read(ref _committedWrites);

    /// <summary>Times the points gathered in <c>recent</c> were moved into <c>points</c>.</summary>
    public long Merges => Interlocked.Read(ref _merges);

    /// <summary>Batches waiting for a transaction right now (not those in the one that is running).</summary>
    public int QueuedWrites => _pending.Reader.Count;

    /// <summary>
    /// Queues the batch for the next commit and completes once the transaction holding it has committed (durable).
    /// Batches that arrive while a commit runs are committed together in the next one, up to the commit bound; a batch
    /// that arrives when the store is idle commits at once: there is no timer. If that transaction fails, every batch
    /// in it fails with the same exception and none of its points is stored. Cancelling takes a batch back only while
    /// it waits; once its transaction has begun the task reports the transaction's outcome. The list is read when the
    /// transaction runs, so it must not change until the task completes.
    /// </summary>
    public ValueTask<int> WriteAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (points.Count == 0)
        {
            return ValueTask.FromResult(0);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        var write = new PendingWrite(points, cancellationToken);
        return _pending.Writer.TryWrite(write) ? new ValueTask<int>(write.Task) : QueueAsync(write, cancellationToken);
    }

    private async ValueTask<int> QueueAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await _pending.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteTelemetryStore));
        }

        return await write.Task.ConfigureAwait(false);
    }

    // One reader: takes what has queued up (bounded), commits it as one transaction, completes its writers, repeats.
    private async Task CommitLoopAsync()
    {
        var reader = _pending.Reader;
        var group = new List<PendingWrite>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var points = 0;
            while (reader.TryPeek(out var next) && (group.Count == 0 || points + next.Points.Count <= _maxCommitPoints))
            {
                reader.TryRead(out _);
                if (next.TryBegin())
                {
                    group.Add(next);
                    points += next.Points.Count;
                }
            }

            if (group.Count == 0)
            {
                continue;
            }

            Exception? failure = null;
            await _writeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                Commit(group);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }
            finally
            {
                _writeGate.Release();
            }

            foreach (var write in group)
            {
                write.Finish(failure);
            }

            group.Clear();
        }
    }

    private void Commit(List<PendingWrite> group)
    {
        var added = new List<(long, string, string)>();
        var inserted = 0;
        try
        {
            using var transaction = _writer.BeginTransaction();
            var insertSeries = _insertSeries ??= Prepare("INSERT INTO series(measurement, tags) VALUES ($m, $t) RETURNING id", "$m", "$t");
            var upsert = _upsertPoint ??= PrepareRaw("""
                INSERT INTO recent(ts, series_id, fields) VALUES (?1, ?2, ?3)
                ON CONFLICT(ts, series_id) DO UPDATE SET fields = json_patch(fields, excluded.fields)
                """);
            insertSeries.Transaction = transaction;
            var (m, t) = (insertSeries.Parameters[0], insertSeries.Parameters[1]);
            foreach (var write in group)
            {
                var count = 0;
                foreach (var point in write.Points)
                {
                    var key = new SeriesKey(point.Measurement, point.TagArray);
                    if (!_seriesByTags.TryGetValue(key, out var id))
                    {
                        // Only a point whose tags were not seen in this form: the canonical form finds (or makes) its series.
                        var tags = TagsJson(point.Tags);
                        if (!_seriesIds.TryGetValue((point.Measurement, tags), out id))
                        {
                            m.Value = point.Measurement;
                            t.Value = tags;
                            id = (long)insertSeries.ExecuteScalar()!;
                            _seriesIds[(point.Measurement, tags)] = id;
                            added.Add((id, point.Measurement, tags));
                        }

                        _seriesByTags[key] = id;
                    }

                    if (WriteFieldsJson(point))
                    {
                        Upsert(upsert, point.TimestampNs, id, _fieldsBuffer.WrittenSpan);
                        inserted++;
                    }

                    count++;
                }

                write.Accepted = count;
            }

            transaction.Commit();
        }
        catch
        {
            // A failed transaction may have assigned ids that were rolled back: forget the cache and reload it.
            ReloadSeries();
            throw;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _committedWrites, group.Count);
        _recentRows += inserted;
        foreach (var (id, measurement, tags) in added)
        {
            lock (_series)
            {
                _series.Add(new SeriesRow(id, measurement, ParseTags(tags)));
            }
        }

        if (_recentRows >= _mergeRows)
        {
            try
            {
                MergeRecent();
            }
            catch (SqliteException)
            {
                // The batches are committed and must be reported so; the points stay in recent (read through
                // all_points) and the next commit tries again.
            }
        }

        if (_time.GetUtcNow() >= _nextPrune)
        {
            try
            {
                Prune();
            }
            catch (SqliteException)
            {
                // The batches are committed and must be reported so; Prune moved the next attempt on, and
                // StorageService's timer prunes too.
            }
        }
    }

    // The statement runs straight on SQLite's API: the fields go in as the UTF-8 they were written in, with no
    // string, parameter or binder per point. Inside the connection's transaction like any command.
    private sqlite3_stmt PrepareRaw(string sql)
    {
        var db = _writer.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        return statement;
    }

    private void Upsert(sqlite3_stmt statement, long timestampNs, long seriesId, ReadOnlySpan<byte> fieldsUtf8)
    {
        var db = _writer.Handle!;
        try
        {
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, 1, timestampNs), db);
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, 2, seriesId), db);
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, 3, fieldsUtf8), db);
            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>
    /// The fields of a point as one JSON object in UTF-8, into the fields buffer; false when it has none to store. Non-finite floats are left out
    /// (SQLite and JSON have no NaN); of a key given twice the last storable value counts, as when it was written twice.
    /// Booleans read back as 1/0 (json_extract), as they were stored before.
    /// </summary>
    private bool WriteFieldsJson(Point point)
    {
        var fields = point.FieldArray;
        _fieldsBuffer.ResetWrittenCount();
        _fieldsWriter.Reset(_fieldsBuffer);
        _fieldsWriter.WriteStartObject();
        var written = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (!Storable(field) || StorableLater(fields, i))
            {
                continue;
            }

            switch (field.Kind)
            {
                case FieldKind.Float:
                    _fieldsWriter.WriteNumber(field.Key, field.FloatValue);
                    break;
                case FieldKind.Integer:
                    _fieldsWriter.WriteNumber(field.Key, field.IntegerValue);
                    break;
                case FieldKind.Boolean:
                    _fieldsWriter.WriteBoolean(field.Key, field.BooleanValue);
                    break;
                default:
                    _fieldsWriter.WriteString(field.Key, field.StringValue);
                    break;
            }

            written++;
        }

        _fieldsWriter.WriteEndObject();
        _fieldsWriter.Flush();
        return written > 0;

        static bool Storable(Field field) => field.Kind != FieldKind.Float || double.IsFinite(field.FloatValue);

        static bool StorableLater(Field[] fields, int index)
        {
            for (var j = index + 1; j < fields.Length; j++)
            {
                if (fields[j].Key == fields[index].Key && Storable(fields[j]))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Moves the rows of the earlier layout (one row per field, table <c>samples</c>) into <c>points</c> and drops the old
    /// table, in one transaction: either the file is migrated or it is left as it was. A point the new table already
    /// holds keeps its own fields over the old ones.
    /// </summary>
    private void MigrateSamples()
    {
        using (var exists = _writer.CreateCommand())
        {
            exists.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'samples'";
            if ((long)exists.ExecuteScalar()! == 0)
            {
                return;
            }
        }

        using var transaction = _writer.BeginTransaction();
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO points(series_id, ts, fields)
              SELECT series_id, ts, json_group_object(field, value) FROM samples WHERE true GROUP BY series_id, ts
              ON CONFLICT(series_id, ts) DO UPDATE SET fields = json_patch(excluded.fields, points.fields);
            DROP TABLE samples;
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>
    /// Moves the points gathered in <c>recent</c> into <c>points</c>, in one transaction, series by series: each
    /// series' newest page is written once for hundreds of points instead of once per commit. A point <c>points</c>
    /// already holds merges the newer fields in.
    /// </summary>
    private void MergeRecent()
    {
        using var transaction = _writer.BeginTransaction();
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO points(series_id, ts, fields)
              SELECT series_id, ts, fields FROM recent WHERE true ORDER BY series_id, ts
              ON CONFLICT(series_id, ts) DO UPDATE SET fields = json_patch(points.fields, excluded.fields);
            DELETE FROM recent;
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
        _recentRows = 0;
        Interlocked.Increment(ref _merges);
    }

    /// <summary>Merges what <c>recent</c> holds now, under the write lock (for a test).</summary>
    internal async Task MergeRecentAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            MergeRecent();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private long Count(string table)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Deletes points older than the retention; runs at open and then at most every tenth of the retention.</summary>
    public int Prune()
    {
        var now = _time.GetUtcNow();
        _nextPrune = now + TimeSpan.FromTicks(Math.Min(_retention.Ticks / 10, TimeSpan.FromHours(1).Ticks));
        using var command = _writer.CreateCommand();
        command.CommandText = "DELETE FROM points WHERE ts < $cutoff; DELETE FROM recent WHERE ts < $cutoff";
        command.Parameters.AddWithValue("$cutoff", Point.ToNanoseconds(now - _retention));
        var deleted = command.ExecuteNonQuery();
        _recentRows = Count("recent");
        return deleted;
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

    private void ReloadSeries()
    {
        _seriesIds.Clear();
        _seriesByTags.Clear();
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

    /// <summary>The json_extract path of a field, quoted: a key may hold dots or brackets.</summary>
    private static string JsonPath(string field) => "$.\"" + field.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

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

        // Whatever was queued is still committed: its writers are waiting for it.
        _pending.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        await _writeGate.WaitAsync().ConfigureAwait(false);
        _insertSeries?.Dispose();
        _upsertPoint?.Dispose();
        await _fieldsWriter.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writeGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>A series as a point names it: its measurement and its tags in the point's order.</summary>
    private readonly record struct SeriesKey(string Measurement, Tag[] Tags);

    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y) =>
            string.Equals(x.Measurement, y.Measurement, StringComparison.Ordinal) && x.Tags.AsSpan().SequenceEqual(y.Tags);

        public int GetHashCode(SeriesKey key)
        {
            var hash = new HashCode();
            hash.Add(key.Measurement, StringComparer.Ordinal);
            foreach (var tag in key.Tags)
            {
                hash.Add(tag.Key, StringComparer.Ordinal);
                hash.Add(tag.Value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>A writer's batch waiting for its commit.</summary>
    private sealed class PendingWrite
    {
        private const int Queued = 0;
        private const int Begun = 1;
        private const int Cancelled = 2;

        private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;
        private int _state;

        public PendingWrite(IReadOnlyList<Point> points, CancellationToken cancellationToken)
        {
            Points = points;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingWrite)state!).Cancel(token), this);
            }
        }

        public IReadOnlyList<Point> Points { get; }

        /// <summary>Points of this batch the transaction took.</summary>
        public int Accepted { get; set; }

        public Task<int> Task => _done.Task;

        /// <summary>Claims the batch for a transaction; false when it was cancelled while it waited.</summary>
        public bool TryBegin()
        {
            if (Interlocked.CompareExchange(ref _state, Begun, Queued) != Queued)
            {
                return false;
            }

            _cancellation.Unregister();
            return true;
        }

        public void Finish(Exception? failure)
        {
            if (failure is null)
            {
                _done.TrySetResult(Accepted);
            }
            else
            {
                _done.TrySetException(failure);
            }
        }

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                _done.TrySetCanceled(token);
            }
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SortedDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SqliteJson : System.Text.Json.Serialization.JsonSerializerContext;
