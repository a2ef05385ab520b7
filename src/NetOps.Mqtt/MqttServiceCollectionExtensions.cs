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
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedBrokerOptions>, EmbeddedBrokerOptionsValidator>());
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

    /// <summary>
    /// Binds section "Mqtt" to <see cref="MqttOptions"/>, validated at start (each problem names its key). With
    /// <paramref name="resolveCredential"/>, "Mqtt:Credential" names the password: it is resolved once, when the options are
    /// first read. Every MQTT client of the process reads these options; register the resolver once, in the host.
    /// </summary>
    public static OptionsBuilder<MqttOptions> AddNetOpsMqttOptions(this IServiceCollection services,
        Func<IServiceProvider, string, string?>? resolveCredential = null)
    {
        var builder = services.AddOptions<MqttOptions>();
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<MqttOptions>) && d.ImplementationType == typeof(MqttOptionsValidator)))
        {
            builder.BindConfiguration(MqttOptions.SectionName).ValidateOnStart();
            services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();
        }

        // Several registrations (host, engine, collector) ask for the resolver: the credential is looked up once.
        if (resolveCredential is not null && !services.Any(d => d.ServiceType == typeof(CredentialResolution)))
        {
            services.AddSingleton<CredentialResolution>();
            builder.PostConfigure<IServiceProvider>((options, sp) =>
            {
                if (options.Credential is { Length: > 0 } name)
                {
                    options.Password = resolveCredential(sp, name);
                }
            });
        }

        return builder;
    }

    private static IServiceCollection AddIngest(this IServiceCollection services,
        Func<IServiceProvider, MqttOptions, INodeCatalog?, MqttMetrics, ILogger<TelemetryIngest>?, TimeProvider?, TelemetryIngest> create)
    {
        services.AddNetOpsMqttOptions();
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

/// <summary>Every problem of the "Mqtt" section, each naming its key, so that a bad value stops the host with that name.</summary>
internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>Every problem of the "Mqtt:Broker" section, each naming its key.</summary>
internal sealed class EmbeddedBrokerOptionsValidator : IValidateOptions<EmbeddedBrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedBrokerOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>Marks that the "Mqtt:Credential" resolver is registered, so that it is registered once.</summary>
internal sealed class CredentialResolution;
