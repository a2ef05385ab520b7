using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NetOps.Database;

/// <summary>
/// Brings the database to the model's migration at start, before anything else uses it: the host registers
/// <c>AddNetOpsDatabase</c> first, and every database access in this project also awaits <see cref="WhenMigratedAsync"/>.
/// Several processes may start at once: EF Core holds a migration lock while it migrates.
/// </summary>
public sealed class DatabaseMigrator(IDbContextFactory<NetOpsDbContext> contexts, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the database is at the model's migration; faults when migrating failed.</summary>
    public Task WhenMigratedAsync(CancellationToken cancellationToken) => _migrated.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var context = contexts.CreateDbContext();
            await using (context.ConfigureAwait(false))
            {
                var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
                await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                if (context.Database.IsSqlite())
                {
                    // Readers (pages) go on while the recorder writes; WAL is a property of the file, set once.
                    await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
                }

                logger.LogInformation("Operational database ({Provider}) is at migration {Migration}; applied now: {Applied}",
                    context.Database.ProviderName, context.Database.GetMigrations().LastOrDefault(), pending.Count == 0 ? "none" : string.Join(", ", pending));
            }

            _migrated.TrySetResult();
        }
        catch (Exception e)
        {
            _migrated.TrySetException(new InvalidOperationException("The operational database could not be migrated", e));
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
