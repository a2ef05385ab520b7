using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NetOps.Database;

/// <summary>Ready when the operational database is migrated and answers; the description never carries a connection string.</summary>
public sealed class DatabaseHealthCheck(DatabaseMigrator migrator, IDbContextFactory<NetOpsDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var migrated = migrator.WhenMigratedAsync(cancellationToken);
        if (!migrated.IsCompleted)
        {
            return HealthCheckResult.Unhealthy("operational database not migrated yet");
        }

        if (migrated.IsFaulted)
        {
            return HealthCheckResult.Unhealthy("operational database could not be migrated");
        }

        var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy($"operational database ({db.Database.ProviderName}) migrated")
                : HealthCheckResult.Unhealthy("operational database does not answer");
        }
    }
}
