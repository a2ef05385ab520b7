using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Storage.Buffer;
using NetOps.Storage.Embedded;
using NetOps.Storage.Influx;
using NetOps.Storage.Points;

namespace NetOps.Storage;

/// <summary>Registers the history store chosen by the "Storage" section.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITelemetryStore"/>, <see cref="ObservationRecorder"/>, the hosted <see cref="StorageService"/>
    /// and <see cref="StorageHealthCheck"/> (add it to the readiness checks). Credentials are names:
    /// <paramref name="resolveCredential"/> turns "Storage:Influx:Credential" into the password (1.x) or token (2.x);
    /// without it the value comes from the environment variable NETOPS_SECRET_&lt;NAME&gt;. Register your own
    /// <see cref="ObservationPoints"/> before this call to tag node points with their event and zone.
    /// </summary>
    public static IServiceCollection AddNetOpsStorage(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string?>? resolveCredential = null)
    {
        AddOptions(services, configuration);
        services.AddMetrics();
        services.TryAddSingleton<StorageMetrics>();
        services.TryAddSingleton(_ => new ObservationPoints());
        services.TryAddSingleton<ObservationRecorder>();
        services.TryAddSingleton<StorageService>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageService>());
        services.TryAddSingleton<StorageHealthCheck>();

        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            return new SqliteTelemetryStore(Path.Combine(Path.GetFullPath(o.DataDirectory), "history.db"), o.Retention, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            return new DiskBuffer(new DiskBufferOptions(Path.Combine(Path.GetFullPath(o.DataDirectory), "influx-buffer"))
            {
                MaxBytes = o.Influx.BufferMaxBytes,
                SegmentBytes = o.Influx.BufferSegmentBytes,
            }, sp.GetRequiredService<StorageMetrics>(), sp.GetService<ILogger<DiskBuffer>>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            return new DeadLetterFile(Path.Combine(Path.GetFullPath(o.DataDirectory), "influx-dead-letters.jsonl"));
        });
        services.TryAddSingleton(sp => new InfluxV1Setup(sp.GetRequiredService<InfluxV1Client>(), sp.GetRequiredService<StorageOptions>().Influx,
            sp.GetService<ILogger<InfluxV1Setup>>()));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            return new InfluxV2(o.Influx, Secret(sp, o.Influx.Credential, resolveCredential) ?? "", logger: sp.GetService<ILogger<InfluxV2>>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            IInfluxWriteTarget target = o.Kind == StorageKind.InfluxV2 ? sp.GetRequiredService<InfluxV2>() : sp.GetRequiredService<InfluxV1Client>();
            return new InfluxSender(sp.GetRequiredService<DiskBuffer>(), target, sp.GetRequiredService<DeadLetterFile>(),
                new SenderOptions
                {
                    BatchLines = o.Influx.BatchLines,
                    InitialBackoff = o.Influx.InitialBackoff,
                    MaxBackoff = o.Influx.MaxBackoff,
                    MaxInFlight = o.Influx.WritesInFlight,
                }, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<InfluxSender>>());
        });
        services.TryAddSingleton<ITelemetryStore>(sp => sp.GetRequiredService<StorageOptions>().Kind switch
        {
            StorageKind.Embedded => sp.GetRequiredService<SqliteTelemetryStore>(),
            _ => new InfluxTelemetryStore(sp.GetRequiredService<DiskBuffer>(), sp.GetRequiredService<DeadLetterFile>(),
                sp.GetRequiredService<InfluxV1Client>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<InfluxTelemetryStore>>()),
        });
        services.TryAddSingleton<ITelemetryReader>(sp => sp.GetRequiredService<ITelemetryStore>());
        AddReaders(services, resolveCredential);
        return services;
    }

    /// <summary>
    /// Reads the history another process writes, for a web-only host: <see cref="ITelemetryReader"/> and
    /// <see cref="IRecentPoints"/> on the store of the "Storage" section, without the writer, its buffer, its
    /// retention or any hosted service. The embedded store's file ("Storage:DataDirectory"/history.db) is opened
    /// read-only, beside the engine's process that writes it (WAL lets both run); InfluxDB is queried over HTTP.
    /// </summary>
    public static IServiceCollection AddNetOpsHistoryReader(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string?>? resolveCredential = null)
    {
        AddOptions(services, configuration);
        AddReaders(services, resolveCredential);
        services.TryAddSingleton<ITelemetryReader>(sp => sp.GetRequiredService<StorageOptions>().Kind == StorageKind.Embedded
            ? sp.GetRequiredService<SqliteHistoryReader>()
            : sp.GetRequiredService<InfluxHistoryReader>());
        return services;
    }

    /// <summary>The readers of the configured store, and the point log a <see cref="StoredTrapLog"/> reads.</summary>
    private static void AddReaders(IServiceCollection services, Func<IServiceProvider, string, string?>? resolveCredential)
    {
        services.TryAddSingleton(sp => new SqliteHistoryReader(
            Path.Combine(Path.GetFullPath(sp.GetRequiredService<StorageOptions>().DataDirectory), "history.db")));
        AddInfluxClient(services, resolveCredential);
        services.TryAddSingleton(sp => new InfluxHistoryReader(sp.GetRequiredService<InfluxV1Client>()));
        services.TryAddSingleton<IRecentPoints>(sp => sp.GetRequiredService<StorageOptions>().Kind == StorageKind.Embedded
            ? sp.GetRequiredService<SqliteHistoryReader>()
            : sp.GetRequiredService<InfluxHistoryReader>());
    }

    /// <summary>The InfluxDB v1 API client both the writer's setup and the readers use.</summary>
    private static void AddInfluxClient(IServiceCollection services, Func<IServiceProvider, string, string?>? resolveCredential)
    {
        services.TryAddSingleton(sp => new InfluxHttp(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = sp.GetRequiredService<StorageOptions>().Influx.Timeout,
        }));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<StorageOptions>();
            var secret = Secret(sp, o.Influx.Credential, resolveCredential);
            var credentials = o.Kind == StorageKind.InfluxV2
                ? new InfluxCredentials(null, null, secret)
                : new InfluxCredentials(o.Influx.Username, secret, null);
            return new InfluxV1Client(sp.GetRequiredService<InfluxHttp>().Client, o.Influx.Url, o.Influx.Database, o.Influx.RetentionPolicy,
                credentials, o.Influx.CompressWrites);
        });
    }

    private static void AddOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Storage:DataDirectory is required")
            .Validate(o => o.Retention > TimeSpan.Zero && o.Influx.RawRetention >= TimeSpan.FromHours(1),
                "Storage:Retention must be positive and Storage:Influx:RawRetention at least one hour")
            .Validate(o => o.Influx.WritesInFlight is >= 1 and <= 8, "Storage:Influx:WritesInFlight must be between 1 and 8")
            .Validate(o => o.Kind != StorageKind.InfluxV2 || !string.IsNullOrEmpty(o.Influx.Credential),
                "Storage:Influx:Credential (the name of the 2.x token) is required for Kind InfluxV2")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
    }

    private static string? Secret(IServiceProvider services, string? name, Func<IServiceProvider, string, string?>? resolve)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        return resolve is not null
            ? resolve(services, name)
            : Environment.GetEnvironmentVariable("NETOPS_SECRET_" + name.ToUpperInvariant().Replace('-', '_'));
    }
}

/// <summary>The store's own HttpClient, disposed with the container.</summary>
public sealed class InfluxHttp(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}
