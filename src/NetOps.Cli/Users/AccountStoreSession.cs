using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetOps.Database;
using NetOps.Inventory;
using NetOps.Security;

namespace NetOps.Cli.Users;

/// <summary>
/// The operational database a host serves, opened the way the host opens it: the host's settings (an
/// <c>appsettings.json</c>, then environment variables such as <c>Storage__DataDirectory</c>, <c>Database__Provider</c>,
/// <c>Database__ConnectionString</c>), the same provider and file, migrated as the host migrates it at start.
/// </summary>
internal sealed class AccountStoreSession : IAsyncDisposable
{
    /// <summary>The option every <c>users</c> and <c>tokens</c> command takes to name the host's settings file.</summary>
    public const string ConfigOption = "--config";

    /// <summary>The keys whose relative paths the host resolves against its content root (HostExtensions.ResolvePaths).</summary>
    private static readonly string[] PathKeys = ["Inventory:Directory", "Inventory:SecretsFile", "Storage:DataDirectory"];

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private AccountStoreSession(ServiceProvider provider)
    {
        _provider = provider;
        _scope = provider.CreateAsyncScope();
    }

    public Accounts Accounts => _scope.ServiceProvider.GetRequiredService<Accounts>();

    public AccessTokens Tokens => _scope.ServiceProvider.GetRequiredService<AccessTokens>();

    /// <summary>
    /// The host's settings: <paramref name="configFile"/> (or <c>appsettings.json</c> in the working directory, when there
    /// is one) with its <c>appsettings.{Environment}.json</c> sibling, then the environment, as the host reads them.
    /// Relative paths are relative to the settings file's directory, the host's content root.
    /// </summary>
    public static IConfigurationRoot ReadSettings(string? configFile)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new FileNotFoundException($"{configFile}: settings file not found", configFile);
        }

        var file = configFile ?? (File.Exists("appsettings.json") ? "appsettings.json" : null);
        var baseDirectory = file is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(file))!;
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
            builder.AddJsonFile(Path.GetFullPath(file), optional: false)
                .AddJsonFile(Path.Combine(baseDirectory, $"appsettings.{environment}.json"), optional: true);
        }

        var settings = builder.AddEnvironmentVariables().Build();
        foreach (var key in PathKeys)
        {
            if (settings[key] is { Length: > 0 } path && !Path.IsPathRooted(path))
            {
                settings[key] = Path.GetFullPath(Path.Combine(baseDirectory, path));
            }
        }

        return settings;
    }

    /// <summary>Opens and migrates the database <paramref name="settings"/> name; throws what <see cref="Describe"/> explains.</summary>
    public static async Task<AccountStoreSession> OpenAsync(IConfiguration settings, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSingleton(settings);
        // "Database:PasswordCredential" resolves as in the host: NETOPS_SECRET_<NAME>, or the secrets file.
        services.AddSingleton<ICredentialStore>(new CredentialStore(settings["Inventory:SecretsFile"]));
        services.AddNetOpsAccountStore(settings, CredentialStoreExtensions.ResolveCredential);
        var provider = services.BuildServiceProvider();
        try
        {
            // The host validates at start; so does the command, before it touches anything.
            _ = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            await provider.GetRequiredService<DatabaseMigrator>().StartAsync(cancellationToken).ConfigureAwait(false);
            var session = new AccountStoreSession(provider);
            // The audit log names the person at the shell: the command line has no login of its own.
            session.Accounts.Actor = session.Tokens.Actor = "cli:" + Environment.UserName;
            return session;
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The message for a failure to read the settings or open the database; null for anything else.</summary>
    public static string? Describe(Exception e) => e switch
    {
        OptionsValidationException invalid => string.Join(Environment.NewLine, invalid.Failures),
        FileNotFoundException notFound => notFound.Message,
        InvalidOperationException { InnerException: { } inner } when e.Message.StartsWith("The operational database", StringComparison.Ordinal) =>
            $"{e.Message}: {inner.GetBaseException().Message}",
        System.Data.Common.DbException db => $"the operational database failed: {db.Message}",
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _provider.DisposeAsync().ConfigureAwait(false);
    }
}
