using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Alerting.Delivery;
using NetOps.Mqtt;

namespace NetOps.Alerting;

/// <summary>Registers alerting's parts in a host; every class also works without DI.</summary>
public static class AlertingServiceCollectionExtensions
{
    /// <summary>
    /// Binds section "Alerting" to <see cref="AlertingOptions"/>, validated at start (each problem names its key), and
    /// registers one <see cref="IAlertReceiver"/> per receiver the section configures: "alertmanager" when
    /// Alerting:Alertmanager:Url is set, "webhook-N" for each entry of Alerting:Webhooks, "email" when Alerting:Email:Host
    /// is set, "mqtt" when Alerting:Mqtt:Enabled (on the broker of section "Mqtt"); none when Alerting:Enabled is false.
    /// Which receivers exist is read from <paramref name="configuration"/> now; their settings when they are built.
    /// Credential names (Alerting:Webhooks:N:BearerCredential, Alerting:Email:PasswordCredential, Mqtt:Credential) become
    /// secrets through <paramref name="resolveCredential"/> (the host passes <c>CredentialStoreExtensions.ResolveCredential</c>),
    /// looked up on each delivery so that a rotated secret is used from the next one on.
    /// </summary>
    /// <summary>
    /// The alerting role: the receivers (<see cref="AddNetOpsAlertReceivers"/>), the alert book (rules over the live view,
    /// lifecycle, persistence through <see cref="NetOps.Core.Alerts.IAlertStore"/>) and the dispatcher that delivers its
    /// notifications. Register the live view, the inventory and the operational database first.
    /// </summary>
    public static IServiceCollection AddNetOpsAlerting(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string?> resolveCredential)
    {
        services.AddNetOpsAlertReceivers(configuration, resolveCredential);
        services.TryAddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.TryAddSingleton<AlertBook>();
        services.TryAddSingleton<NetOps.Core.Alerts.IAlertBook>(sp => sp.GetRequiredService<AlertBook>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertBook>());
        return services;
    }

    public static IServiceCollection AddNetOpsAlertReceivers(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string?> resolveCredential)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(resolveCredential);
        var section = configuration.GetSection(AlertingOptions.SectionName);
        services.AddOptions<AlertingOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ReceiverHttp>();

        var configured = section.Get<AlertingOptions>() ?? new AlertingOptions();
        if (!configured.Enabled)
        {
            return services;
        }

        if (configured.Alertmanager.Url is not null)
        {
            services.AddSingleton<IAlertReceiver>(sp =>
            {
                var o = Options(sp);
                return new AlertmanagerReceiver(o.Alertmanager, sp.GetRequiredService<ReceiverHttp>().Create(o.DeliveryTimeout), o.ExternalUrl,
                    o.DeliveryTimeout, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<AlertmanagerReceiver>>());
            });
        }

        for (var i = 0; i < configured.Webhooks.Count; i++)
        {
            var index = i;
            services.AddSingleton<IAlertReceiver>(sp =>
            {
                var o = Options(sp);
                return new WebhookReceiver(index, o.Webhooks[index], sp.GetRequiredService<ReceiverHttp>().Create(o.DeliveryTimeout), o.ExternalUrl,
                    o.DeliveryTimeout, Resolver(sp, resolveCredential), sp.GetService<ILogger<WebhookReceiver>>());
            });
        }

        if (!string.IsNullOrWhiteSpace(configured.Email.Host))
        {
            services.AddSingleton<IAlertReceiver>(sp =>
            {
                var o = Options(sp);
                return new EmailReceiver(o.Email, o.ExternalUrl, o.DeliveryTimeout, Resolver(sp, resolveCredential),
                    sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<EmailReceiver>>());
            });
        }

        if (configured.Mqtt.Enabled)
        {
            services.AddNetOpsMqttOptions(resolveCredential);
            services.AddSingleton<IAlertReceiver>(sp =>
            {
                var o = Options(sp);
                return new MqttReceiver(sp.GetRequiredService<IOptions<MqttOptions>>().Value, o.Mqtt, o.ExternalUrl, o.DeliveryTimeout,
                    logger: sp.GetService<ILogger<MqttReceiver>>());
            });
        }

        return services;
    }

    private static AlertingOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AlertingOptions>>().Value;

    private static Func<string, string> Resolver(IServiceProvider services, Func<IServiceProvider, string, string?> resolve) =>
        name => resolve(services, name) ?? throw new InvalidOperationException($"credential '{name}' is not defined");
}
