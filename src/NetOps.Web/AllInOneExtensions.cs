using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NetOps.Inventory;
using NetOps.Mqtt;
using NetOps.Simulator;
using NetOps.State;
using NetOps.Worker;
using Quartz;

namespace NetOps.Web;

/// <summary>The all-in-one deployment: inventory, broker, state engine, simulator, collector and dashboard in one process.</summary>
public static class AllInOneExtensions
{
    public static WebApplicationBuilder AddNetOpsAllInOne(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        ResolvePaths(builder);
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, $"{builder.Environment.ApplicationName}.staticwebassets.runtime.json")))
        {
            // Run from a build output (tests, `dotnet NetOps.Web.dll`): serve the framework's static assets too.
            builder.WebHost.UseStaticWebAssets();
        }

        services.AddSingleton(TimeProvider.System);
        // Listening starts before any instrument records, so nothing counted at start-up is missed.
        services.AddSingleton(new Metrics.PrometheusExporter());
        services.AddRazorComponents().AddInteractiveServerComponents();

        // Hosted services start in registration order: inventory, broker, state, simulator, collector.
        services.AddNetOpsInventory(configuration);
        if (configuration.GetValue("Mqtt:Embedded", true))
        {
            services.AddSingleton(sp => new EmbeddedBroker(new EmbeddedBrokerOptions
            {
                Port = configuration.GetValue("Mqtt:Port", 18830),
                Username = configuration["Mqtt:Username"] ?? "netops",
                Password = MqttPassword(sp, configuration),
            }, sp.GetService<ILogger<EmbeddedBroker>>()));
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }

        services.AddNetOpsInProcessState(configuration);
        if (configuration.GetValue("Simulator:Enabled", false))
        {
            services.AddNetOpsSimulator(configuration, sp => new SimulatorBroker(
                configuration["Mqtt:Host"] ?? "127.0.0.1",
                configuration.GetValue("Mqtt:Port", 18830),
                configuration["Mqtt:Username"] ?? "netops",
                MqttPassword(sp, configuration)));
        }

        services.AddNetOpsCollector(configuration);

        services.AddHealthChecks()
            .AddCheck<StateEngineCheck>("state-engine", tags: ["ready"])
            .AddCheck<SchedulerCheck>("scheduler", tags: ["ready"])
            .AddCheck<BrokerCheck>("broker", tags: ["ready"]);
        return builder;
    }

    private static string? MqttPassword(IServiceProvider services, IConfiguration configuration) =>
        configuration["Mqtt:Credential"] is { Length: > 0 } credential ? CollectorExtensions.Resolve(services, credential) : null;

    /// <summary>Relative paths in configuration are relative to the content root, not to wherever the process started.</summary>
    private static void ResolvePaths(WebApplicationBuilder builder)
    {
        foreach (var key in new[] { "Inventory:Directory", "Inventory:SecretsFile" })
        {
            if (builder.Configuration[key] is { Length: > 0 } path && !Path.IsPathRooted(path))
            {
                builder.Configuration[key] = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, path));
            }
        }
    }

    private sealed class StateEngineCheck(StateEngineService engine) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(engine.IsRunning ? HealthCheckResult.Healthy("state engine running") : HealthCheckResult.Unhealthy("state engine not running"));
    }

    private sealed class SchedulerCheck(ISchedulerFactory schedulers) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            return scheduler.Status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy("scheduler started")
                : HealthCheckResult.Unhealthy("scheduler not started");
        }
    }

    private sealed class BrokerCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<EmbeddedBroker>() is { IsAcceptingConnections: false })
            {
                return HealthCheckResult.Unhealthy("embedded broker not accepting connections");
            }

            var ingest = services.GetRequiredService<TelemetryIngest>();
            return ingest.IsConnected ? HealthCheckResult.Healthy("ingest subscribed") : HealthCheckResult.Unhealthy("ingest not connected to the broker");
        }
    }
}
