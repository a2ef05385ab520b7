using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;

namespace NetOps.Storage;

/// <summary>
/// Readiness of the store for /readyz: ready while points can be accepted. InfluxDB being down is Degraded, not
/// Unhealthy (points are buffered on disk); a buffer past 90 % of its bound is Unhealthy (points will soon be dropped).
/// </summary>
/// <remarks>
/// A probe runs every few seconds, so the status is logged when it changes, not on every run; ASP.NET's own
/// DefaultHealthCheckService logs every non-healthy run and is lowered in the host's logging configuration.
/// </remarks>
public sealed class StorageHealthCheck(StorageOptions options, StorageService service, IServiceProvider services,
    ILogger<StorageHealthCheck>? logger = null) : IHealthCheck
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    // The status last logged; a fresh check counts as healthy, so a store that starts healthy logs nothing.
    private int _logged = (int)HealthStatus.Healthy;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = Check();
        LogIfChanged(result);
        return Task.FromResult(result);
    }

    private HealthCheckResult Check()
    {
        if (options.Kind == StorageKind.Embedded)
        {
            return HealthCheckResult.Healthy("embedded store open");
        }

        var buffer = (DiskBuffer)services.GetService(typeof(DiskBuffer))!;
        var sender = (InfluxSender)services.GetService(typeof(InfluxSender))!;
        var data = new Dictionary<string, object> { ["buffered_points"] = buffer.PendingPoints, ["buffer_bytes"] = buffer.Bytes };
        if (buffer.Bytes > options.Influx.BufferMaxBytes * 9 / 10)
        {
            return HealthCheckResult.Unhealthy("storage buffer above 90 % of its bound: InfluxDB has not confirmed writes for long", data: data);
        }

        if (!service.IsSetUp)
        {
            return HealthCheckResult.Degraded($"InfluxDB not set up yet, points buffered on disk: {service.SetupError}", data: data);
        }

        if (sender.IsFailing)
        {
            return HealthCheckResult.Degraded($"InfluxDB not taking writes, points buffered on disk: {sender.LastError}", data: data);
        }

        return HealthCheckResult.Healthy("InfluxDB takes writes", data);
    }

    private void LogIfChanged(HealthCheckResult result)
    {
        // Probes may overlap: only the one that swaps the status in logs the change.
        var previous = (HealthStatus)Interlocked.Exchange(ref _logged, (int)result.Status);
        if (previous == result.Status)
        {
            return;
        }

        var level = result.Status switch
        {
            HealthStatus.Healthy => LogLevel.Information,
            HealthStatus.Degraded => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        _logger.Log(level, "Store readiness changed from {Previous} to {Status}: {Description}", previous, result.Status, result.Description);
    }
}
