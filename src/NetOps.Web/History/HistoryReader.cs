using NetOps.Storage;

namespace NetOps.Web.History;

/// <summary>
/// The history the dashboard charts: the configured store's, read where this process writes it (engine, all-in-one) or
/// read-only beside the process that does (web-only); or none, and the pages say so instead of drawing empty charts.
/// </summary>
public interface IHistoryReader
{
    /// <summary>False in a process that opens no store.</summary>
    bool KeepsHistory { get; }

    /// <summary>One field over a time range, aggregated per window (empty without a store).</summary>
    Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken);
}

/// <summary>The history of the store this process reads.</summary>
public sealed class StoreHistory(ITelemetryReader store) : IHistoryReader
{
    public bool KeepsHistory => true;

    public Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, cancellationToken);
}

/// <summary>No history here: the process was composed without a store.</summary>
public sealed class NoHistory : IHistoryReader
{
    public static NoHistory Instance { get; } = new();

    public bool KeepsHistory => false;

    public Task<IReadOnlyList<Series>> QueryAsync(SeriesQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Series>>([]);
}
