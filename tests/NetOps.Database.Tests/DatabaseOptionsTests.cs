using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
    public void PasswordCredential_IsResolvedIntoTheConnectionString_WhichConfigurationKeepsFreeOfIt()
    {
        var options = new DatabaseOptions
        {
            Provider = "PostgreSQL",
            ConnectionString = "Host=postgres;Database=netops;Username=netops",
            PasswordCredential = "postgres-password",
        };

        var resolved = new Npgsql.NpgsqlConnectionStringBuilder(options.ResolveConnectionString(
            name => name == "postgres-password" ? "s3cret;with=odd'chars" : throw new InvalidOperationException(name)));

        Assert.Equal("s3cret;with=odd'chars", resolved.Password);
        Assert.Equal("postgres", resolved.Host);
        Assert.Equal("netops", resolved.Username);
        Assert.DoesNotContain("s3cret", options.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordCredential_ReachesTheContextThroughTheHostsResolver()
    {
        using var host = Build(new()
        {
            ["Database:Provider"] = "PostgreSQL",
            ["Database:ConnectionString"] = "Host=127.0.0.1;Database=netops;Username=netops",
            ["Database:PasswordCredential"] = "postgres-password",
        }, (_, name) => name == "postgres-password" ? "from-the-store" : throw new InvalidOperationException(name));

        // Not started: no server listens, and the connection string is what counts.
        await using var context = await host.Services.GetRequiredService<IDbContextFactory<NetOpsDbContext>>().CreateDbContextAsync();

        Assert.Equal("from-the-store", new Npgsql.NpgsqlConnectionStringBuilder(context.Database.GetConnectionString()).Password);
    }

    [Theory]
    [InlineData("PostgreSQL", "Host=db;Username=netops;Password=inline", "keep the password in the credential only")]
    [InlineData("Sqlite", null, "Database:PasswordCredential is for PostgreSQL")]
    public async Task PasswordCredential_WithAPasswordInTheStringOrOnSqlite_FailsAtStart(string provider, string? connectionString, string expected)
    {
        using var host = Build(new()
        {
            ["Database:Provider"] = provider,
            ["Database:ConnectionString"] = connectionString,
            ["Database:PasswordCredential"] = "postgres-password",
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("inline", e.Message, StringComparison.Ordinal);
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

    private static IHost Build(Dictionary<string, string?> settings, Func<IServiceProvider, string, string>? resolveCredential = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        settings["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "netops-never-created");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNetOpsDatabase(builder.Configuration, resolveCredential);
        return builder.Build();
    }
}
