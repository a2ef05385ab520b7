using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

/// <summary>
/// Reads the embedded store's file that another process writes (a web-only host beside the engine): read-only
/// connections, which SQLite's WAL lets run beside the writer without blocking it or being blocked. It never creates,
/// migrates or prunes anything; a file that does not exist yet reads as empty history. Series the writer adds later
/// are picked up by id before each read.
/// </summary>
public sealed class SqliteHistoryReader : ITelemetryReader, IRecentPoints
{
    private readonly string _connectionString;
    private readonly Lock _seriesGate = new();
    private readonly List<SqliteSeries> _series = [];
    private long _lastSeriesId;


    public SqliteHistoryReader(string path)
    {
        DatabasePath = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
    }

    /// <summary>The database file the writer keeps.</summary>
    public string DatabasePath { get; }

    public async Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return [];
        }

        var groups = await GroupsAsync(connection, query.Measurement, query.Where, query.GroupBy, cancellationToken).ConfigureAwait(false);
        return await SqliteSeriesQueries.QueryAsync(connection, groups, query, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return [];
        }

        var groupBy = query.GroupBy.Count == 0 ? null : query.GroupBy;
        var groups = await GroupsAsync(connection, query.Measurement, query.Where, groupBy, cancellationToken).ConfigureAwait(false);
        return await SqliteSeriesQueries.LatestAsync(connection, groups, query.Field, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredPoint>> RecentAsync(string measurement, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var result = new List<StoredPoint>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return result;
        }

        var series = (await GroupsAsync(connection, measurement, new Dictionary<string, string>(), null, cancellationToken).ConfigureAwait(false))
            .ToDictionary(g => g.Ids[0], g => g.Tags);
        if (series.Count == 0)
        {
            return result;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT series_id, ts, fields FROM all_points WHERE series_id IN ({string.Join(',', series.Keys)})
            ORDER BY ts DESC LIMIT $n
            """;
        command.Parameters.AddWithValue("$n", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var values = new Dictionary<string, string>(series[reader.GetInt64(0)], StringComparer.Ordinal);
            using (var fields = JsonDocument.Parse(reader.GetString(2)))
            {
                foreach (var field in fields.RootElement.EnumerateObject())
                {
                    values[field.Name] = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
                }
            }

            result.Add(new StoredPoint(SqliteSeriesQueries.FromNanoseconds(reader.GetInt64(1)), values));
        }

        return result;
    }

    /// <summary>A read-only connection, or null while the writer has not created the file yet.</summary>
    private async Task<SqliteConnection?> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath))
        {
            return null;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Series of a measurement matching the filter, grouped by the group-by tags (null: every series alone).</summary>
    private async Task<List<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)>> GroupsAsync(SqliteConnection connection,
        string measurement, IReadOnlyDictionary<string, string> where, IReadOnlyList<string>? groupBy, CancellationToken cancellationToken)
    {
        await LoadNewSeriesAsync(connection, cancellationToken).ConfigureAwait(false);
        lock (_seriesGate)
        {
            return SqliteSeriesQueries.Groups(_series, measurement, where, groupBy);
        }
    }

    /// <summary>Series the writer added since the last read; it never deletes one, so ids only grow.</summary>
    private async Task LoadNewSeriesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, measurement, tags FROM series WHERE id > $last ORDER BY id";
        command.Parameters.AddWithValue("$last", Volatile.Read(ref _lastSeriesId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var added = new List<SqliteSeries>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            added.Add(new SqliteSeries(reader.GetInt64(0), reader.GetString(1),
                JsonSerializer.Deserialize(reader.GetString(2), SqliteJson.Default.DictionaryStringString) ?? []));
        }

        lock (_seriesGate)
        {
            // Two readers may have loaded the same rows: keep each id once.
            foreach (var row in added.Where(r => r.Id > _lastSeriesId))
            {
                _series.Add(row);
                _lastSeriesId = row.Id;
            }
        }
    }
}
