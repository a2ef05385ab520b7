using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

// Upkeep of the two tables: recent moves into points, and points past the retention are pruned.
public sealed partial class SqliteTelemetryStore
{
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
}
