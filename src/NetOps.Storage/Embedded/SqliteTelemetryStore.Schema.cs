using Microsoft.Data.Sqlite;

namespace NetOps.Storage.Embedded;

// The file's layout: pragmas, tables and the view created at open, and the migration from the earlier layout.
public sealed partial class SqliteTelemetryStore
{
    /// <summary>Sets the connection's pragmas and creates what is missing; a file already in this layout is left as it is.</summary>
    private void CreateSchema()
    {
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

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
