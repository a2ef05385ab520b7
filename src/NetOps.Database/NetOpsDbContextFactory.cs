using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NetOps.Database;

/// <summary>Creates the provider's context from validated options; one per unit of work (a Blazor circuit outlives a request).</summary>
internal sealed class NetOpsDbContextFactory : IDbContextFactory<NetOpsDbContext>
{
    private readonly Func<NetOpsDbContext> _create;

    public NetOpsDbContextFactory(DatabaseOptions options, string dataDirectory, ILoggerFactory? loggerFactory,
        Func<string, string>? resolveCredential = null)
    {
        Provider = options.ProviderKind ?? throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported");
        if (Provider == DatabaseProvider.Sqlite)
        {
            var connectionString = options.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                var directory = Path.GetFullPath(dataDirectory);
                Directory.CreateDirectory(directory);
                connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "netops.db") }.ToString();
            }

            var builder = new DbContextOptionsBuilder<SqliteNetOpsDbContext>().UseSqlite(connectionString);
            WithLogging(builder, loggerFactory);
            var built = builder.Options;
            _create = () => new SqliteNetOpsDbContext(built);
        }
        else
        {
            var builder = new DbContextOptionsBuilder<PostgresNetOpsDbContext>().UseNpgsql(options.ResolveConnectionString(resolveCredential ?? NoCredentialStore));
            WithLogging(builder, loggerFactory);
            var built = builder.Options;
            _create = () => new PostgresNetOpsDbContext(built);
        }
    }

    public DatabaseProvider Provider { get; }

    private static string NoCredentialStore(string name) =>
        throw new InvalidOperationException($"Database:PasswordCredential names '{name}', but this process has no credential store to resolve it");

    public NetOpsDbContext CreateDbContext() => _create();

    private static void WithLogging(DbContextOptionsBuilder builder, ILoggerFactory? loggerFactory)
    {
        // Every recorder write and page read is a command: at Information they would drown the host's log.
        builder.ConfigureWarnings(w => w.Log((RelationalEventId.CommandExecuted, LogLevel.Debug)));
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }
    }
}

/// <summary>For <c>dotnet ef migrations add X --context SqliteNetOpsDbContext --output-dir Migrations/Sqlite</c>; never connects.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNetOpsDbContext>
{
    public SqliteNetOpsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteNetOpsDbContext>().UseSqlite("Data Source=netops-design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add X --context PostgresNetOpsDbContext --output-dir Migrations/PostgreSql</c>; never connects.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresNetOpsDbContext>
{
    public PostgresNetOpsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNetOpsDbContext>().UseNpgsql("Host=localhost;Database=netops;Username=netops").Options);
}
