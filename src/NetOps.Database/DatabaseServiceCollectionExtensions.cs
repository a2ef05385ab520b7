using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Alerts;
using NetOps.Core.Cluster;
using NetOps.Core.Events;
using NetOps.Core.Security;
using NetOps.Core.State;

namespace NetOps.Database;

/// <summary>Registers the operational database chosen by the "Database" section.</summary>
public static class DatabaseServiceCollectionExtensions
{
    /// <summary>
    /// Registers the validated <see cref="DatabaseOptions"/>, <c>IDbContextFactory&lt;NetOpsDbContext&gt;</c>, the hosted
    /// <see cref="DatabaseMigrator"/> (call this before registering anything that uses the database: hosted services start
    /// in registration order), <see cref="StateHistory"/> as <see cref="IStateHistory"/>, the hosted
    /// <see cref="StateHistoryPruner"/>, <see cref="AlertStore"/> as <see cref="IAlertStore"/>, and <see cref="AuditLog"/> as
    /// <see cref="IAuditLog"/> with its hosted <see cref="AuditLogPruner"/>. SQLite's default file is
    /// <c>netops.db</c> in <c>Storage:DataDirectory</c> (default "data"), read when the database is first used, so a host may resolve that path first.
    /// "Database:PasswordCredential" names the PostgreSQL password, resolved through <paramref name="resolveCredential"/>
    /// (the host passes <c>CredentialStoreExtensions.ResolveCredential</c>).
    /// </summary>
    public static IServiceCollection AddNetOpsDatabase(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string>? resolveCredential = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddDatabaseOptions(services);
        services.TryAddSingleton(sp => new StateHistoryMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IDbContextFactory<NetOpsDbContext>>(sp => new NetOpsDbContextFactory(
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            configuration["Storage:DataDirectory"] is { Length: > 0 } directory ? directory : "data",
            sp.GetService<ILoggerFactory>(),
            resolveCredential is null ? null : name => resolveCredential(sp, name)));
        services.TryAddSingleton<DatabaseMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseMigrator>());
        services.TryAddSingleton<StateHistory>();
        services.TryAddSingleton<IStateHistory>(sp => sp.GetRequiredService<StateHistory>());
        services.AddHostedService<StateHistoryPruner>();
        services.TryAddSingleton<AlertStore>();
        services.TryAddSingleton<IAlertStore>(sp => sp.GetRequiredService<AlertStore>());
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.AddHostedService<AuditLogPruner>();
        services.TryAddSingleton<EventStore>();
        services.TryAddSingleton<IEventStore>(sp => sp.GetRequiredService<EventStore>());
        AddMembershipStore(services, resolveCredential);
        return services;
    }

    /// <summary>
    /// Only the collectors' membership store of the "Database" section (<see cref="PostgresMembershipStore"/> on PostgreSQL,
    /// the process's own otherwise), for a process that needs nothing else of the database: no migration, no pruning.
    /// </summary>
    public static IServiceCollection AddNetOpsClusterMembership(this IServiceCollection services, Func<IServiceProvider, string, string>? resolveCredential = null)
    {
        AddDatabaseOptions(services);
        AddMembershipStore(services, resolveCredential);
        return services;
    }

    private static void AddDatabaseOptions(IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
    }

    // On PostgreSQL every collector of the site sees the others; SQLite is one process.
    private static void AddMembershipStore(IServiceCollection services, Func<IServiceProvider, string, string>? resolveCredential) =>
        services.TryAddSingleton<IMembershipStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return options.ProviderKind == DatabaseProvider.PostgreSql
                ? new PostgresMembershipStore(options.ResolveConnectionString(name => resolveCredential is null
                    ? throw new InvalidOperationException($"Database:PasswordCredential names '{name}', but this process has no credential store to resolve it")
                    : resolveCredential(sp, name))!,
                    sp.GetRequiredService<ILogger<PostgresMembershipStore>>())
                : new LocalMembershipStore(sp.GetRequiredService<TimeProvider>());
        });

    /// <summary>
    /// Records the state changes the process's <see cref="LiveStateView"/> sees (register the view and
    /// <see cref="AddNetOpsDatabase"/> first). Any process with a live view may record, several at once: a change is stored once.
    /// </summary>
    public static IServiceCollection AddNetOpsStateHistoryRecorder(this IServiceCollection services)
    {
        services.TryAddSingleton<StateHistoryRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<StateHistoryRecorder>());
        return services;
    }
}
