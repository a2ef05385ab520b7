using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Database;

namespace NetOps.Web.Tests.Components;

/// <summary>A real operational database (SQLite in a temporary directory), migrated, for components that read it.</summary>
internal sealed class OperationalDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _directory;

    private OperationalDatabase(ServiceProvider services, string directory)
    {
        _services = services;
        _directory = directory;
    }

    public StateHistory History => _services.GetRequiredService<StateHistory>();

    public static async Task<OperationalDatabase> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "netops-db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory })
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddNetOpsDatabase(configuration).BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().StartAsync(default);
        return new OperationalDatabase(services, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
