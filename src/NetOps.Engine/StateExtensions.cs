using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Mqtt;

namespace NetOps.Engine;

/// <summary>Registers the state engine and the state feed, in one process or across processes.</summary>
public static class StateExtensions
{
    /// <summary>
    /// The all-in-one deployment: collectors write to a channel, one engine owns the state (its lease is trivially
    /// held), and the in-process feed hands deltas to this process's one live view.
    /// </summary>
    public static IServiceCollection AddNetOpsInProcessState(this IServiceCollection services, IConfiguration configuration)
    {
        AddEngineOptions(services, configuration);
        services.AddSingleton<ObservationChannel>();
        services.AddSingleton<IObservationSink>(sp => sp.GetRequiredService<ObservationChannel>());
        services.AddSingleton<InProcessStateFeed>();
        services.AddSingleton<IStateFeed>(sp => sp.GetRequiredService<InProcessStateFeed>());
        services.AddSingleton<IStatePublisher>(sp => sp.GetRequiredService<InProcessStateFeed>());
        services.AddSingleton<IEngineLease, InProcessLease>();
        services.AddSingleton<IEngineTransport, InProcessTransport>();
        AddEngine(services, standby: false);
        AddLiveView(services);
        return services;
    }

    /// <summary>
    /// A reader of the live state in another process (a web host, a standby engine): the state feed over MQTT and
    /// this process's one live view of it.
    /// </summary>
    public static IServiceCollection AddNetOpsMqttStateFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNetOpsMqttOptions(CredentialStoreExtensions.ResolveCredential);
        services.AddMetrics();
        services.AddSingleton(sp => new MqttStateFeed(Mqtt(sp), InstanceName(configuration),
            TimeSpan.FromSeconds(5), sp.GetRequiredService<ILogger<MqttStateFeed>>(), sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<IStateFeed>(sp => sp.GetRequiredService<MqttStateFeed>());
        services.AddSingleton<IHostedService>(sp => new StartStop(() => sp.GetRequiredService<MqttStateFeed>().Start(), () => sp.GetRequiredService<MqttStateFeed>().DisposeAsync()));
        AddLiveView(services);
        return services;
    }

    /// <summary>
    /// The state engine of a distributed deployment: observations from the broker's persistent session, deltas and
    /// snapshots to the broker, the lease on PostgreSQL ("State:LeaseConnectionString"). Needs the MQTT state feed in
    /// the same process (<see cref="AddNetOpsMqttStateFeed"/>): a standby follows it to take over without a gap.
    /// </summary>
    public static IServiceCollection AddNetOpsDistributedEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNetOpsMqttOptions(CredentialStoreExtensions.ResolveCredential);
        AddEngineOptions(services, configuration);
        services.AddSingleton<ObservationChannel>();
        services.AddSingleton(sp => new MqttStatePublisher(Mqtt(sp), InstanceName(configuration),
            sp.GetRequiredService<IOptions<StateEngineOptions>>().Value.SnapshotInterval, sp.GetRequiredService<ILogger<MqttStatePublisher>>()));
        services.AddSingleton<IStatePublisher>(sp => sp.GetRequiredService<MqttStatePublisher>());
        services.AddSingleton(sp => new EngineIntake(sp.GetRequiredService<ObservationChannel>()));
        services.AddSingleton(sp => new MqttObservationSource(Mqtt(sp), sp.GetRequiredService<EngineIntake>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MqttObservationSource>>()));
        services.AddSingleton<IEngineTransport>(sp => new MqttEngineTransport(sp.GetRequiredService<MqttStatePublisher>(), sp.GetRequiredService<MqttObservationSource>()));
        services.AddSingleton<IEngineLease>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StateEngineOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.LeaseConnectionString))
            {
                sp.GetRequiredService<ILogger<StateEngineService>>().LogWarning(
                    "State:LeaseConnectionString is not set: this engine takes the lease unconditionally; run only one engine");
                return new InProcessLease();
            }

            var connectionString = options.ResolveLeaseConnectionString(name => CredentialStoreExtensions.ResolveCredential(sp, name))!;
            return new PostgresAdvisoryLease(connectionString, options.LeaseKey, sp.GetRequiredService<ILogger<PostgresAdvisoryLease>>());
        });
        services.AddSingleton<IHostedService>(sp => new StartStop(() => { }, async () =>
        {
            await sp.GetRequiredService<MqttObservationSource>().DisposeAsync().ConfigureAwait(false);
            await sp.GetRequiredService<MqttStatePublisher>().DisposeAsync().ConfigureAwait(false);
            await sp.GetRequiredService<IEngineLease>().DisposeAsync().ConfigureAwait(false);
        }));
        AddEngine(services, standby: true);
        return services;
    }

    /// <summary>
    /// A collector of a distributed deployment hands its observations to the broker (QoS 1), under its presence
    /// with a last will. The collector's name is "Collector:Name" (empty: the machine's name).
    /// </summary>
    public static IServiceCollection AddNetOpsMqttObservationSink(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddNetOpsMqttOptions(CredentialStoreExtensions.ResolveCredential);
        services.AddSingleton(sp => new MqttObservationSink(Mqtt(sp), configuration["Collector:Name"] switch { null => "collector", { } name when string.IsNullOrWhiteSpace(name) => Environment.MachineName, { } name => name.Trim() },
            sp.GetRequiredService<ILogger<MqttObservationSink>>()));
        services.AddSingleton<IObservationSink>(sp => sp.GetRequiredService<MqttObservationSink>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttObservationSink>());
        return services;
    }

    /// <summary>The broker settings of section "Mqtt" (bound and validated once), the password resolved from "Mqtt:Credential".</summary>
    private static MqttOptions Mqtt(IServiceProvider services) => services.GetRequiredService<IOptions<MqttOptions>>().Value;

    private static string InstanceName(IConfiguration configuration) =>
        configuration["State:Name"] ?? configuration["Collector:Name"] ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    private static void AddEngineOptions(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptions<StateEngineOptions>().Bind(configuration.GetSection(StateEngineOptions.SectionName))
            .Validate(o => o.ExpireInterval > TimeSpan.Zero && o.LeaseRetryInterval > TimeSpan.Zero && o.SnapshotInterval > TimeSpan.Zero && o.CollectorGoneGrace >= TimeSpan.Zero,
                "State intervals must be positive")
            .ValidateOnStart();

    private static void AddEngine(IServiceCollection services, bool standby)
    {
        services.AddMetrics();
        services.TryAddSingleton<StateMetrics>();
        services.AddSingleton(sp => new StateEngineService(
            sp.GetRequiredService<ObservationChannel>(),
            sp.GetRequiredService<IInventoryProvider>(),
            sp.GetRequiredService<IStatePublisher>(),
            sp.GetRequiredService<IEngineLease>(),
            sp.GetRequiredService<IEngineTransport>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<StateEngineOptions>>(),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<StateEngineService>>(),
            sp.GetRequiredService<StateMetrics>(),
            standby ? sp.GetRequiredService<LiveStateView>() : null));
        services.AddHostedService(sp => sp.GetRequiredService<StateEngineService>());
    }

    private static void AddLiveView(IServiceCollection services)
    {
        services.AddSingleton(sp => new LiveStateView(sp.GetRequiredService<IStateFeed>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHostedService>(sp => new StartStop(() => sp.GetRequiredService<LiveStateView>().Start(),
            () => sp.GetRequiredService<LiveStateView>().DisposeAsync()));
    }

    /// <summary>
    /// Starts and stops a component with the host. Registered as a plain IHostedService singleton: AddHostedService
    /// keeps one registration per implementation type and would silently drop all but the first of these.
    /// </summary>
    private sealed class StartStop(Action start, Func<ValueTask> stop) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            start();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await stop().ConfigureAwait(false);
    }
}
