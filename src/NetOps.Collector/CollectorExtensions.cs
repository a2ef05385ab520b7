using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Cluster;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Mqtt;
using NetOps.Snmp;
using Quartz;

namespace NetOps.Collector;

/// <summary>Registers the collector: Quartz schedules, the asynchronous SNMP poller, and the MQTT telemetry ingest.</summary>
public static class CollectorExtensions
{
    /// <summary>
    /// The collector. Observations go to the <see cref="IObservationSink"/> the host registers (a channel in the
    /// all-in-one host). The MQTT password is a credential name ("Mqtt:Credential") resolved by the credential store.
    /// </summary>
    public static IServiceCollection AddNetOpsCollector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CollectorOptions>()
            .Bind(configuration.GetSection(CollectorOptions.SectionName))
            .Validate(o => o.PollInterval is null || o.PollInterval >= TimeSpan.FromMilliseconds(100), "Collector:PollInterval must be at least 100 ms")
            .Validate(o => o.Retries is >= 0 and <= 10, "Collector:Retries must be 0 to 10")
            .Validate(o => o.MaxConcurrentPolls is >= 1 and <= 10_000, "Collector:MaxConcurrentPolls must be 1 to 10000")
            .Validate(o => o.FreshnessFactor is >= 1.5 and <= 100, "Collector:FreshnessFactor must be 1.5 to 100")
            .Validate(o => o.Heartbeat >= TimeSpan.FromMilliseconds(50) && o.Heartbeat * 3 <= o.Lease, "Collector:Heartbeat must be at least 50 ms and at most a third of Collector:Lease")
            .Validate(o => o.MemberName.Length <= 100, "Collector:Name must be at most 100 characters")
            .ValidateOnStart();
        if (configuration["Collector:ShardIndex"] is not null || configuration["Collector:ShardCount"] is not null)
        {
            throw new InvalidOperationException("Collector:ShardIndex and Collector:ShardCount are gone: collectors split the devices by membership " +
                                                "(give each collector its own Collector:Name and the same PostgreSQL in Database:ConnectionString); remove both settings");
        }

        services.AddMetrics();
        // Alone (all-in-one, SQLite) the membership is this process; the host registers PostgreSQL's for a cluster.
        services.TryAddSingleton<IMembershipStore, LocalMembershipStore>();
        services.AddSingleton<CollectorMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<CollectorMembership>());
        services.AddSingleton<PollQueue>();
        services.TryAddSingleton<TrapMetrics>();
        services.AddSingleton(sp => new SnmpClient(new SnmpClientOptions
        {
            MaxInFlightPerDevice = 4,
        }, sp.GetService<ILogger<SnmpClient>>()));
        services.AddSingleton<SnmpDevicePoller>();
        services.AddSingleton<IPollSection, OpticsSection>();
        services.AddSingleton<IPollSection, BridgeSection>();
        services.AddOptions<EndpointProbeOptions>().Bind(configuration.GetSection(EndpointProbeOptions.SectionName))
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1) && o.Timeout > TimeSpan.Zero && o.MaxConcurrent >= 1, "EndpointProbe: Interval >= 1 s, Timeout > 0, MaxConcurrent >= 1")
            .ValidateOnStart();
        services.AddSingleton<IcmpProber>();
        services.AddHostedService<EndpointProbeService>();
        services.AddSingleton<IPollSection, LldpSection>();
        services.AddQuartz();
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        services.AddHostedService<PollScheduler>();
        services.AddHostedService<PollerService>();

        services.AddOptions<TrapIngestOptions>().Bind(configuration.GetSection(TrapIngestOptions.SectionName))
            .Validate(o => !o.Enabled || System.Net.IPEndPoint.TryParse(o.Endpoint, out _), "Traps:Endpoint must be HOST:PORT")
            .ValidateOnStart();
        services.AddSingleton<TrapIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<TrapIngest>());

        services.AddSingleton<INodeCatalog, InventoryNodeCatalog>();
        services.TryAddSingleton<MqttMetrics>();
        services.AddNetOpsMqttOptions(CredentialStoreExtensions.ResolveCredential);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var sink = sp.GetRequiredService<IObservationSink>();
            return new TelemetryIngest(options, sink, sp.GetRequiredService<INodeCatalog>(),
                sp.GetRequiredService<MqttMetrics>(), sp.GetService<ILogger<TelemetryIngest>>(), sp.GetService<TimeProvider>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngest>());
        return services;
    }
}
