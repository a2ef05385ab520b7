using NetOps.Storage.Points;

namespace NetOps.Storage;

/// <summary>
/// Telemetry history: points written in batches, read back as aggregated series for charts and as the latest value
/// per series. Implemented by InfluxDB (durable disk buffer in front of /write, InfluxQL for reads) and by the embedded
/// SQLite store. It lives in NetOps.Storage for now; Core may take it over once a second project needs it.
/// </summary>
public interface ITelemetryStore : ITelemetryReader
{
    /// <summary>
    /// Accepts a batch. Once the task completes the points are durable (on disk, fsync'd); it never waits for a server.
    /// Returns how many points were accepted (invalid ones go to the dead letters, past the bound they are dropped).
    /// </summary>
    ValueTask<int> WriteAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken);
}

/// <summary>
/// Reading the history: what a dashboard asks. The store a process writes reads too; a web-only process reads the
/// store another process writes (<see cref="StorageServiceCollectionExtensions.AddNetOpsHistoryReader"/>).
/// </summary>
public interface ITelemetryReader
{
    /// <summary>One field over a time range, aggregated per window, one series per distinct value of the group-by tags.</summary>
    Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken);

    /// <summary>The latest value of one field in every series matching the filter.</summary>
    Task<IReadOnlyList<LatestValue>> LatestAsync(LatestQuery query, CancellationToken cancellationToken);
}

/// <summary>The newest points of a measurement as they were written, for logs of events (traps) rather than charts.</summary>
public interface IRecentPoints
{
    /// <summary>At most <paramref name="limit"/> points of <paramref name="measurement"/>, newest first, tags and fields by name.</summary>
    Task<IReadOnlyList<StoredPoint>> RecentAsync(string measurement, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// A point read back whole: its time, its tags and its fields by name (tag and field names of one measurement are
/// distinct in the schema). Strings are given as text, numbers in invariant form.
/// </summary>
public sealed record StoredPoint(DateTimeOffset Time, IReadOnlyDictionary<string, string> Values);

/// <summary>How values within a window are combined.</summary>
public enum Aggregate
{
    Mean,
    Min,
    Max,
    Last,
    Sum,
    Count,
}

/// <summary>
/// A chart's question: <paramref name="Field"/> of <paramref name="Measurement"/> in [From, To), filtered by tag
/// equality, aggregated per <paramref name="Window"/>, split into one series per value of the GroupBy tags.
/// Every store bounds its answer whatever the caller asked (<see cref="SeriesLimit"/>, <see cref="PointLimit"/>, in
/// the query it sends: LIMIT), so a bug upstream costs the store no more than that.
/// </summary>
public sealed record SeriesQuery(
    string Measurement,
    string Field,
    DateTimeOffset From,
    DateTimeOffset To,
    TimeSpan Window,
    Aggregate Aggregate = Aggregate.Mean)
{
    /// <summary>The most series a caller may ask for.</summary>
    public const int MostSeries = 500;

    /// <summary>The most windows (range / window) a caller may ask for per series.</summary>
    public const int MostWindows = 10_000;

    /// <summary>
    /// Points a store answers per series at most: windows are aligned to the epoch, so a range of
    /// <see cref="MostWindows"/> windows touches one more.
    /// </summary>
    public const int PointLimit = MostWindows + 1;

    public IReadOnlyDictionary<string, string> Where { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>How many series the caller takes (1 to <see cref="MostSeries"/>).</summary>
    public int MaxSeries { get; init; } = MostSeries;

    /// <summary>
    /// Series a store answers at most: <see cref="MaxSeries"/> within its bounds, and one more, by which the caller
    /// tells that the filter selects more than it takes.
    /// </summary>
    public int SeriesLimit => Math.Clamp(MaxSeries, 1, MostSeries) + 1;
}

/// <summary>A query for the latest value of a field per series; <see cref="GroupBy"/> empty means one per full tag set.</summary>
public sealed record LatestQuery(string Measurement, string Field)
{
    public IReadOnlyDictionary<string, string> Where { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> GroupBy { get; init; } = [];
}

/// <summary>One value per window start; windows without data are absent.</summary>
public readonly record struct SeriesPoint(DateTimeOffset Time, double Value);

/// <summary>An aggregated series: the group-by tag values and the windows.</summary>
public sealed record Series(IReadOnlyDictionary<string, string> Tags, IReadOnlyList<SeriesPoint> Points);

/// <summary>The latest value of one series (strings are given as text, numbers as numbers).</summary>
public sealed record LatestValue(IReadOnlyDictionary<string, string> Tags, DateTimeOffset Time, double? Value, string? Text);
