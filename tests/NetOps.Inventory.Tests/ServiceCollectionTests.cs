using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace NetOps.Inventory.Tests;

public sealed class ServiceCollectionTests
{
    [Fact]
    public async Task AddNetOpsInventory_BindsOptions_AndTheHostedWatcherIsTheProvider()
    {
        await using var provider = Build(new()
        {
            ["Inventory:Directory"] = Demo.Directory,
            ["Inventory:SecretsFile"] = Demo.SecretsFile,
            ["Inventory:ReloadDebounce"] = "00:00:00.2",
        });

        var options = provider.GetRequiredService<IOptions<InventoryOptions>>().Value;
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.ReloadDebounce);
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        var inventory = provider.GetRequiredService<IInventoryProvider>();
        Assert.Same(hosted, inventory);

        await hosted.StartAsync(CancellationToken.None);
        Assert.Equal(6, inventory.Current.Nodes.Count);
        await hosted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task MissingDirectory_FailsOptionsValidation()
    {
        await using var provider = Build(new() { ["Inventory:Directory"] = "/nonexistent/netops/inventory" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<InventoryOptions>>().Value);

        Assert.Contains("/nonexistent/netops/inventory", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddNetOpsInventory(config);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
