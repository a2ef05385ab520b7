using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace NetOps.Database.Tests;

public sealed class DatabaseOptionsTests
{
    [Theory]
    [InlineData("Oracle", "Database:Provider")]
    [InlineData("PostgreSQL", "Database:ConnectionString is required")]
    public async Task BadConfiguration_FailsAtStart_NamingTheKey(string provider, string expected)
    {
        using var host = Build(new() { ["Database:Provider"] = provider });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonPositiveRetention_FailsAtStart_NamingTheKey()
    {
        using var host = Build(new() { ["Database:StateHistoryRetention"] = "00:00:00" });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Database:StateHistoryRetention", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnparsableConnectionString_FailsAtStart_WithoutEchoingIt()
    {
        using var host = Build(new() { ["Database:Provider"] = "postgresql", ["Database:ConnectionString"] = "Host=db;Passwort=geheim;=" });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Database:ConnectionString is not a valid", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("geheim", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteModel_HasNoChangesMissingAMigration()
    {
        using var context = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(context.Database.HasPendingModelChanges(),
            "the model changed without a migration: dotnet ef migrations add <Name> --project src/NetOps.Database --context SqliteNetOpsDbContext --output-dir Migrations/Sqlite");
    }

    [Fact]
    public void PostgresModel_HasNoChangesMissingAMigration()
    {
        using var context = new PostgresDesignTimeFactory().CreateDbContext([]);
        Assert.False(context.Database.HasPendingModelChanges(),
            "the model changed without a migration: dotnet ef migrations add <Name> --project src/NetOps.Database --context PostgresNetOpsDbContext --output-dir Migrations/PostgreSql");
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        settings["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "netops-never-created");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        return builder.Build();
    }
}
