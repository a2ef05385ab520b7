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
    /// <summary>
    /// "NetOpsMg" in ASCII: the advisory lock key every NetOps process migrates under on PostgreSQL. Not "NetOps", the
    /// engine lease's default key (State:LeaseKey): an engine holds that one as long as it runs, so a second process
    /// migrating the same database under it waited for the active engine to die.
    /// </summary>
    internal const long MigrationLockKey = 0x4E65_744F_7073_4D67;

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
                var locked = await LockAsync(context, cancellationToken).ConfigureAwait(false);
                List<string> pending;
                try
                {
                    pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
                    await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (locked)
                    {
                        await UnlockAsync(context).ConfigureAwait(false);
                    }
                }

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

    /// <summary>
    /// On PostgreSQL, holds a session-level advisory lock over the whole run. EF Core's own lock there (LOCK TABLE on the
    /// history) ends with each migration's transaction: two processes that both found two migrations pending took turns
    /// per migration, and the second applied one the first had just applied ("relation already exists"). SQLite's lock
    /// is held for the whole run already. A database that does not exist yet is left to MigrateAsync to create, unlocked.
    /// </summary>
    private static async Task<bool> LockAsync(NetOpsDbContext context, CancellationToken cancellationToken)
    {
        if (!context.Database.IsNpgsql() || !await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Migrations run on the connection opened here, so the lock's session is theirs until UnlockAsync closes it.
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock({0})", [MigrationLockKey], cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task UnlockAsync(NetOpsDbContext context)
    {
        try
        {
            await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock({0})", [MigrationLockKey], CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException)
        {
            // The connection is gone, and with its session the lock.
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
