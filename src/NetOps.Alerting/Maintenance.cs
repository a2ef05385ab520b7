using System.Collections.Concurrent;
using NetOps.Core.Alerts;
using Quartz;

namespace NetOps.Alerting;

/// <summary>When a maintenance window is open: between its one-off times, or for its duration after each cron firing.</summary>
internal static class Maintenance
{
    private static readonly ConcurrentDictionary<(string Cron, string Zone), CronExpression> Expressions = new();

    public static bool IsOpen(MaintenanceWindow window, DateTimeOffset at)
    {
        if (window.Cron is not { } cron)
        {
            return window.From <= at && at < window.Until;
        }

        var expression = Expressions.GetOrAdd((cron, window.TimeZone), key => new CronExpression(key.Cron, TimeZoneInfo.FindSystemTimeZoneById(key.Zone)));
        // The last opening at or before now, if it is recent enough to still be open: the first firing after (now - duration).
        var opening = expression.GetNextValidTimeAfter(at - window.Duration);
        return opening is { } start && start <= at && at < start + window.Duration;
    }
}
