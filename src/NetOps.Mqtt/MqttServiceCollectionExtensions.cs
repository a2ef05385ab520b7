using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Observations;

namespace NetOps.Mqtt;

/// <summary>Registers the MQTT adapter in a host; every class also works without DI.</summary>
public static class MqttServiceCollectionExtensions
{
    /// <summary>
    /// The in-process broker, bound from "Mqtt:Broker", validated at start, run as a hosted service.
    /// Register it before the ingest so that the host starts the broker first.
    /// </summary>
    public static IServiceCollection AddNetOpsEmbeddedBroker(this IServiceCollection services)
    {
        services.AddOptions<EmbeddedBrokerOptions>()
            .BindConfiguration(EmbeddedBrokerOptions.SectionName)
            .Validate(o => o.Validate().Count == 0, "Mqtt:Broker options are invalid")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new EmbeddedBroker(
            sp.GetRequiredService<IOptions<EmbeddedBrokerOptions>>().Value,
            sp.GetService<ILogger<EmbeddedBroker>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        return services;
    }

    /// <summary>
    /// The ingest, bound from "Mqtt", delivering to the <see cref="IObservationSink"/> registered in the container
    /// (in two steps when it is an <see cref="ITwoPhaseObservationSink"/>).
    /// </summary>
    public static IServiceCollection AddNetOpsMqttIngest(this IServiceCollection services) =>
        services.AddIngest((sp, options, catalog, metrics, logger, time) =>
            new TelemetryIngest(options, sp.GetRequiredService<IObservationSink>(), catalog, metrics, logger, time));

    /// <summary>
    /// The ingest, bound from "Mqtt", delivering to the sink <paramref name="sinkFactory"/> builds; the sink takes
    /// concurrent calls (one subject's observations come one at a time, in order).
    /// An <see cref="INodeCatalog"/> registered in the container limits the ids accepted; without one, all are.
    /// </summary>
    public static IServiceCollection AddNetOpsMqttIngest(this IServiceCollection services,
        Func<IServiceProvider, Func<Observation, CancellationToken, ValueTask>> sinkFactory)
    {
        ArgumentNullException.ThrowIfNull(sinkFactory);
        return services.AddIngest((sp, options, catalog, metrics, logger, time) =>
            new TelemetryIngest(options, sinkFactory(sp), catalog, metrics, logger, time));
    }

    private static IServiceCollection AddIngest(this IServiceCollection services,
        Func<IServiceProvider, MqttOptions, INodeCatalog?, MqttMetrics, ILogger<TelemetryIngest>?, TimeProvider?, TelemetryIngest> create)
    {
        services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.SectionName)
            .Validate(o => o.Validate().Count == 0, "Mqtt options are invalid")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton<MqttMetrics>();
        services.TryAddSingleton(sp => create(sp,
            sp.GetRequiredService<IOptions<MqttOptions>>().Value,
            sp.GetService<INodeCatalog>(),
            sp.GetRequiredService<MqttMetrics>(),
            sp.GetService<ILogger<TelemetryIngest>>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngest>());
        return services;
    }
}
