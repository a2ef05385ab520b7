using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetOps.Core.Alerts;

namespace NetOps.Alerting;

/// <summary>
/// Readiness of alerting: degraded while a receiver's last delivery failed (its notifications wait for it), with the
/// receiver and its error named; unhealthy until the stored alerts are loaded.
/// </summary>
public sealed class AlertingHealthCheck(AlertBook book) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!book.Ready.IsCompletedSuccessfully)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("alerts not loaded yet"));
        }

        var failing = book.Receivers.Where(r => !r.Healthy).ToList();
        var data = book.Receivers.ToDictionary(r => r.Name, r => (object)(r.Healthy ? $"ok, {r.Pending} pending" : $"failing, {r.Pending} pending: {r.LastError}"));
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy($"{book.Open.Count} open alerts", data)
            : HealthCheckResult.Degraded(
                "receivers failing: " + string.Join("; ", failing.Select(r => $"{r.Name} ({r.Pending} waiting): {r.LastError}")), data: data));
    }
}
