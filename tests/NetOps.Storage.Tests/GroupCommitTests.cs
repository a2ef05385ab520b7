using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>
/// The embedded store's group commit against a real SQLite file. To make a group deterministic, a test holds SQLite's
/// write lock from a second connection (as another writer would): the committer blocks in its BEGIN on a first batch,
/// the batches the test writes meanwhile queue up, and all of them go into the next transaction once the lock is released.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-group-" + Guid.NewGuid().ToString("N")[..8]);

    private string DbPath => Path.Combine(_directory, "history.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentWriters_ShareOneCommit_AndEveryPointIsStored()
    {
        await using var store = NewStore();
        const int writers = 200;
        Task<int> first;
        Task<int>[] rest;
        await using (var blocker = await HoldWriteLockAsync())
        {
            first = store.WriteAsync([PointOf("w-first", 0)], CancellationToken.None).AsTask();
            await Eventually.TrueAsync(() => store.QueuedWrites == 0, Timeout, "the committer took the first batch and waits for the lock");

            // From many threads at once, three points each (the tuple keeps Task.Run from waiting for the write itself).
            var started = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => Tuple.Create(
                store.WriteAsync([PointOf($"w{w}", 1), PointOf($"w{w}", 2), PointOf($"w{w}", 3)], CancellationToken.None).AsTask()))));
            rest = [.. started.Select(s => s.Item1)];
            Assert.Equal(writers, store.QueuedWrites);
            Assert.All(rest, t => Assert.False(t.IsCompleted, "no write completes before its commit"));
        }

        Assert.Equal(1, await first);
        Assert.All(await Task.WhenAll(rest), accepted => Assert.Equal(3, accepted));
        Assert.Equal(2, store.Commits);
        Assert.Equal(writers + 1, store.CommittedWrites);
        Assert.Equal(writers * 3 + 1, await CountAsync(store));
    }

    [Fact]
    public async Task LoneWrite_CommitsAtOnce_AndLaterWritesJoinTheNextCommit()
    {
        await using var store = NewStore();

        Assert.Equal(1, await store.WriteAsync([PointOf("alone", 1)], CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Equal(1, store.Commits);
        Assert.Equal(1, await store.WriteAsync([PointOf("alone", 2)], CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Equal(2, store.Commits);
    }

    [Fact]
    public async Task FailingTransaction_FailsEveryWriterInIt_AndStoresNoneOfTheirPoints()
    {
        await using var store = NewStore();
        Task<int> first;
        Task<int>[] group;
        await using (var blocker = await HoldWriteLockAsync())
        {
            // SQLite itself refuses one of the batches: a trigger made on the blocking connection, in effect at its commit.
            await ExecuteAsync(blocker, "CREATE TRIGGER refuse BEFORE INSERT ON recent WHEN json_extract(NEW.fields, '$.poison') IS NOT NULL BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
            first = store.WriteAsync([PointOf("before", 1)], CancellationToken.None).AsTask();
            await Eventually.TrueAsync(() => store.QueuedWrites == 0, Timeout, "the committer took the first batch and waits for the lock");
            group =
            [
                .. Enumerable.Range(0, 5).Select(w => store.WriteAsync([PointOf($"good-{w}", 1)], CancellationToken.None).AsTask()),
                store.WriteAsync([new Point("m", [new Tag("id", "bad")], [Field.Float("poison", 1)], Point.ToNanoseconds(SampleData.Start))],
                    CancellationToken.None).AsTask(),
                .. Enumerable.Range(5, 5).Select(w => store.WriteAsync([PointOf($"good-{w}", 1)], CancellationToken.None).AsTask()),
            ];
        }

        Assert.Equal(1, await first);
        var failures = new List<SqliteException>();
        foreach (var write in group)
        {
            failures.Add(await Assert.ThrowsAsync<SqliteException>(() => write));
        }

        Assert.All(failures, e => Assert.Same(failures[0], e));
        Assert.Contains("refused by the test", failures[0].Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Commits);
        Assert.Equal(1, await CountAsync(store));

        // The store goes on: the next batch (new series, after the rolled-back ones) commits.
        Assert.Equal(1, await store.WriteAsync([PointOf("good-0", 2)], CancellationToken.None));
        Assert.Equal(2, await CountAsync(store));
    }

    [Fact]
    public async Task CancelledWhileQueued_IsTakenBack_AndNotStored()
    {
        await using var store = NewStore();
        using var cancel = new CancellationTokenSource();
        Task<int> first;
        Task<int> cancelled;
        Task<int> kept;
        await using (var blocker = await HoldWriteLockAsync())
        {
            first = store.WriteAsync([PointOf("first", 1)], CancellationToken.None).AsTask();
            await Eventually.TrueAsync(() => store.QueuedWrites == 0, Timeout, "the committer took the first batch and waits for the lock");
            cancelled = store.WriteAsync([PointOf("cancelled", 1)], cancel.Token).AsTask();
            kept = store.WriteAsync([PointOf("kept", 1)], CancellationToken.None).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        }

        Assert.Equal(1, await first);
        Assert.Equal(1, await kept);
        Assert.Equal(2, await CountAsync(store));
        Assert.Equal(2, store.CommittedWrites);
    }

    [Fact]
    public async Task Dispose_CommitsWhatIsQueued()
    {
        var store = NewStore();
        Task<int>[] writes;
        await using (var blocker = await HoldWriteLockAsync())
        {
            writes = [.. Enumerable.Range(0, 20).Select(i => store.WriteAsync([PointOf("d", i)], CancellationToken.None).AsTask())];
        }

        await store.DisposeAsync();

        Assert.All(await Task.WhenAll(writes), accepted => Assert.Equal(1, accepted));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.WriteAsync([PointOf("d", 99)], CancellationToken.None).AsTask());
        await using var reopened = NewStore();
        Assert.Equal(20, await CountAsync(reopened));
    }

    private SqliteTelemetryStore NewStore() =>
        new(DbPath, TimeSpan.FromDays(7), new FakeTimeProvider(SampleData.Start.AddHours(1)));

    private static Point PointOf(string id, int i) =>
        new("m", [new Tag("id", id)], [Field.Float("v", i)], Point.ToNanoseconds(SampleData.Start.AddSeconds(i)));

    private static async Task<int> CountAsync(SqliteTelemetryStore store)
    {
        var series = await store.QueryAsync(new SeriesQuery("m", "v", SampleData.Start.AddDays(-1), SampleData.Start.AddDays(1), TimeSpan.FromDays(3),
            Aggregate.Count), CancellationToken.None);
        return (int)series.Sum(s => s.Points.Sum(p => p.Value));
    }

    // Another writer holding SQLite's write lock (BEGIN IMMEDIATE) until disposed, when it commits.
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new LockHolder(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "BEGIN IMMEDIATE;");
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private sealed class LockHolder(string connectionString) : SqliteConnection(connectionString)
    {
        public override async ValueTask DisposeAsync()
        {
            await ExecuteAsync(this, "COMMIT;");
            await base.DisposeAsync();
        }
    }
}
