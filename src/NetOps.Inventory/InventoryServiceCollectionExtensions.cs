using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace NetOps.Inventory;

public static class InventoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the inventory: options from section "Inventory" (validated at start), the credential store,
    /// the loader, and the <see cref="InventoryWatcher"/> as <see cref="IInventoryProvider"/> and hosted service.
    /// Register it before the services that read the inventory at start: hosted services start in order.
    /// </summary>
    public static IServiceCollection AddNetOpsInventory(this IServiceCollection services, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        services.AddOptions<InventoryOptions>()
            .Bind(config.GetSection(InventoryOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InventoryOptions>, InventoryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ICredentialStore>(sp =>
            new CredentialStore(sp.GetRequiredService<IOptions<InventoryOptions>>().Value.SecretsFile));
        services.TryAddSingleton<InventoryLoader>();
        services.TryAddSingleton<InventoryWatcher>();
        services.TryAddSingleton<IInventoryProvider>(sp => sp.GetRequiredService<InventoryWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<InventoryWatcher>());
        return services;
    }

    /// <summary>
    /// Puts the operational database's events and manual phases over the files' inventory: <see cref="PlannedInventory"/>
    /// becomes the <see cref="IInventoryProvider"/>. Call it after <see cref="AddNetOpsInventory"/> and after registering
    /// the database (its migrator runs first) with an <see cref="NetOps.Core.Events.IEventStore"/>.
    /// </summary>
    public static IServiceCollection AddNetOpsEventPlans(this IServiceCollection services)
    {
        services.TryAddSingleton<PlannedInventory>();
        services.Replace(ServiceDescriptor.Singleton<IInventoryProvider>(sp => sp.GetRequiredService<PlannedInventory>()));
        services.AddHostedService(sp => sp.GetRequiredService<PlannedInventory>());
        return services;
    }
}
