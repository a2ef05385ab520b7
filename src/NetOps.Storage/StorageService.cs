using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Embedded;
using NetOps.Storage.Influx;

namespace NetOps.Storage;

/// <summary>
/// The store's background work: for InfluxDB, set up the database (retrying until it answers) and then move the
/// durable buffer to InfluxDB; for the embedded store, prune past the retention. Writers never wait for any of it.
/// </summary>
public sealed class StorageService(IServiceProvider services, StorageOptions options, TimeProvider time, ILogger<StorageService>? logger = null)
    : BackgroundService
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private volatile bool _setUp;

    /// <summary>True once InfluxDB's database/bucket, retention policies and mappings are in place (always for embedded).</summary>
    public bool IsSetUp => _setUp || options.Kind == StorageKind.Embedded;

    /// <summary>The last setup failure, for the readiness probe.</summary>
    public string? SetupError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Kind == StorageKind.Embedded)
        {
            var store = (SqliteTelemetryStore)services.GetService(typeof(SqliteTelemetryStore))!;
            var every = TimeSpan.FromTicks(Math.Clamp(options.Retention.Ticks / 10, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromHours(1).Ticks));
            using var timer = new PeriodicTimer(every, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await store.PruneAsync(stoppingToken).ConfigureAwait(false);
            }

            return;
        }

        var sender = (InfluxSender)services.GetService(typeof(InfluxSender))!;
        if (options.Influx.Setup)
        {
            await SetupAsync(stoppingToken).ConfigureAwait(false);
        }

        _setUp = true;
        await sender.RunAsync(stoppingToken).ConfigureAwait(false);
    }

    private async Task SetupAsync(CancellationToken stoppingToken)
    {
        var backoff = options.Influx.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (options.Kind == StorageKind.InfluxV2)
                {
                    await ((InfluxV2)services.GetService(typeof(InfluxV2))!).SetupAsync(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await ((InfluxV1Setup)services.GetService(typeof(InfluxV1Setup))!).RunAsync(stoppingToken).ConfigureAwait(false);
                }

                SetupError = null;
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                SetupError = e.GetBaseException().Message;
                if (attempt == 1 || attempt % 20 == 0)
                {
                    _logger.LogWarning("InfluxDB setup at {Url} failed (attempt {Attempt}), retrying; points stay buffered on disk: {Error}",
                        options.Influx.Url, attempt, SetupError);
                }

                await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.Influx.MaxBackoff.Ticks));
            }
        }
    }
}
