using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace NetOps.Database;

/// <summary>Which database engine holds the operational data.</summary>
public enum DatabaseProvider
{
    /// <summary>A file <c>netops.db</c> in <c>Storage:DataDirectory</c>: no server, nothing to set up.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server named by <c>Database:ConnectionString</c>.</summary>
    PostgreSql,
}

/// <summary>The "Database" configuration section: where users, alerts, audit entries and the state history live.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>"Sqlite" (the default) or "PostgreSQL".</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>
    /// Required for PostgreSQL, used as is (a password may be part of it; it is never logged). For SQLite it replaces
    /// the default file in the data directory.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Name of the credential holding the PostgreSQL password ("Database:PasswordCredential"), resolved by the host's
    /// credential store, so that the connection string in configuration carries no secret.
    /// </summary>
    public string? PasswordCredential { get; set; }

    /// <summary>How long recorded state changes are kept.</summary>
    public TimeSpan StateHistoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long audit entries (<c>audit_log</c>) are kept: longer than a year, so last year's event can be compared.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(400);

    /// <summary>
    /// The connection string to open: <see cref="ConnectionString"/>, with the password of <see cref="PasswordCredential"/>
    /// when one is named (PostgreSQL only).
    /// </summary>
    public string? ResolveConnectionString(Func<string, string> resolveCredential)
    {
        ArgumentNullException.ThrowIfNull(resolveCredential);
        return string.IsNullOrWhiteSpace(PasswordCredential) || ProviderKind != DatabaseProvider.PostgreSql
            ? ConnectionString
            : new NpgsqlConnectionStringBuilder(ConnectionString) { Password = resolveCredential(PasswordCredential) }.ConnectionString;
    }

    /// <summary>The parsed <see cref="Provider"/>; null when it names no supported provider.</summary>
    public DatabaseProvider? ProviderKind => Provider?.Trim().ToUpperInvariant() switch
    {
        "SQLITE" => DatabaseProvider.Sqlite,
        "POSTGRESQL" => DatabaseProvider.PostgreSql,
        _ => null,
    };
}

/// <summary>Checks the "Database" section at start; every message names the key to fix and never echoes a connection string.</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        var provider = options.ProviderKind;
        if (provider is null)
        {
            failures.Add($"Database:Provider is '{options.Provider}'; it must be Sqlite (the default, a file in Storage:DataDirectory) or PostgreSQL");
        }

        if (provider == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Database:ConnectionString is required when Database:Provider is PostgreSQL (e.g. Host=db;Database=netops;Username=netops;Password=...)");
        }
        else if (provider is not null && !string.IsNullOrWhiteSpace(options.ConnectionString) && !Parses(provider.Value, options.ConnectionString))
        {
            // The parser's message may quote part of the string, and with it a password: name the key only.
            failures.Add($"Database:ConnectionString is not a valid {options.Provider} connection string");
        }

        if (!string.IsNullOrWhiteSpace(options.PasswordCredential))
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                failures.Add("Database:PasswordCredential is for PostgreSQL; SQLite has no password");
            }
            else if (provider == DatabaseProvider.PostgreSql && HasPassword(options.ConnectionString))
            {
                failures.Add("Database:ConnectionString carries a password and Database:PasswordCredential names one: keep the password in the credential only");
            }
        }

        if (options.StateHistoryRetention <= TimeSpan.Zero)
        {
            failures.Add("Database:StateHistoryRetention must be positive (days.hh:mm:ss; the default is 90.00:00:00)");
        }

        if (options.AuditRetention <= TimeSpan.Zero)
        {
            failures.Add("Database:AuditRetention must be positive (days.hh:mm:ss; the default is 400.00:00:00)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool HasPassword(string? connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Password);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // Reported as unparsable above.
            return false;
        }
    }

    private static bool Parses(DatabaseProvider provider, string connectionString)
    {
        try
        {
            _ = provider == DatabaseProvider.Sqlite
                ? new SqliteConnectionStringBuilder(connectionString).ToString()
                : new NpgsqlConnectionStringBuilder(connectionString).ToString();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }
}
