using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;

namespace NetOps.Storage;

/// <summary>
/// Readiness of the store for /readyz: ready while points can be accepted. InfluxDB being down is Degraded, not
/// Unhealthy (points are buffered on disk); a buffer past 90 % of its bound is Unhealthy (points will soon be dropped).
/// </summary>
public sealed class StorageHealthCheck(StorageOptions options, StorageService service, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (options.Kind == StorageKind.Embedded)
        {
            return Task.FromResult(HealthCheckResult.Healthy("embedded store open"));
        }

        var buffer = (DiskBuffer)services.GetService(typeof(DiskBuffer))!;
        var sender = (InfluxSender)services.GetService(typeof(InfluxSender))!;
        var data = new Dictionary<string, object> { ["buffered_points"] = buffer.PendingPoints, ["buffer_bytes"] = buffer.Bytes };
        HealthCheckResult result;
        if (buffer.Bytes > options.Influx.BufferMaxBytes * 9 / 10)
        {
            result = HealthCheckResult.Unhealthy("storage buffer above 90 % of its bound: InfluxDB has not confirmed writes for long", data: data);
        }
        else if (!service.IsSetUp)
        {
            result = HealthCheckResult.Degraded($"InfluxDB not set up yet, points buffered on disk: {service.SetupError}", data: data);
        }
        else if (sender.IsFailing)
        {
            result = HealthCheckResult.Degraded($"InfluxDB not taking writes, points buffered on disk: {sender.LastError}", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy("InfluxDB takes writes", data);
        }

        return Task.FromResult(result);
    }
}
