using Microsoft.Data.Sqlite;

namespace NetOps.Storage.Embedded;

// The read path: aggregated series and latest values, on a connection of their own (SqliteSeriesQueries).
public sealed partial class SqliteTelemetryStore
{
    public async Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteSeriesQueries.QueryAsync(connection, Groups(query.Measurement, query.Where, query.GroupBy), query, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var groups = Groups(query.Measurement, query.Where, query.GroupBy.Count == 0 ? null : query.GroupBy);
        return await SqliteSeriesQueries.LatestAsync(connection, groups, query.Field, cancellationToken).ConfigureAwait(false);
    }

    private List<(IReadOnlyDictionary<string, string> Tags, List<long> Ids)> Groups(
        string measurement, IReadOnlyDictionary<string, string> where, IReadOnlyList<string>? groupBy)
    {
        lock (_series)
        {
            return SqliteSeriesQueries.Groups(_series, measurement, where, groupBy);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
