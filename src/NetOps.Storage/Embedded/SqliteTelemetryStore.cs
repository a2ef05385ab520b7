using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
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
public sealed partial class SqliteTelemetryStore : ITelemetryStore, IAsyncDisposable
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
    private readonly List<SqliteSeries> _series = [];
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
        CreateSchema();
        _recentRows = Count("recent");
        MigrateSamples();
        LoadSeries();

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
}
