using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetOps.Core.Alerts;

namespace NetOps.Alerting;

/// <summary>Registers the alerting role.</summary>
public static class AlertingExtensions
{
    /// <summary>
    /// The alert book (rules over the live view, lifecycle, persistence through <see cref="IAlertStore"/>) and the
    /// dispatcher that delivers its notifications to the configured receivers. Needs the live view, the inventory and
    /// an <see cref="IAlertStore"/> (the operational database) registered first; receivers come from <c>AddNetOpsAlertReceivers</c>.
    /// </summary>
    public static IServiceCollection AddNetOpsAlertBook(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.TryAddSingleton<AlertBook>();
        services.TryAddSingleton<IAlertBook>(sp => sp.GetRequiredService<AlertBook>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertBook>());
        return services;
    }
}
