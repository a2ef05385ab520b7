using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NetOps.Database;

/// <summary>Deletes state changes older than <c>Database:StateHistoryRetention</c>: at start, then every hour.</summary>
public sealed class StateHistoryPruner(StateHistory history, IOptions<DatabaseOptions> options, TimeProvider time, StateHistoryMetrics metrics,
    ILogger<StateHistoryPruner> logger) : BackgroundService
{
    /// <summary>How often pruning runs; an hour keeps each delete small.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var retention = options.Value.StateHistoryRetention;
                var pruned = await history.PruneAsync(time.GetUtcNow() - retention, stoppingToken).ConfigureAwait(false);
                metrics.Pruned(pruned);
                if (pruned > 0)
                {
                    logger.LogInformation("Pruned {Count} state changes older than {Retention}", pruned, retention);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Pruning the state history failed; trying again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
