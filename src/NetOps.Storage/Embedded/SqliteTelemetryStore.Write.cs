using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;
using SQLitePCL;

namespace NetOps.Storage.Embedded;

// One transaction of the write path: series ids, each point's fields as JSON straight into SQLite, no allocation per known point.
public sealed partial class SqliteTelemetryStore
{
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
                _series.Add(new SqliteSeries(id, measurement, ParseTags(tags)));
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
}
