using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;
using NetOps.Alerting;
using NetOps.Collector;
using NetOps.Core.Cluster;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Database;
using NetOps.Engine;
using NetOps.Inventory;
using NetOps.Mqtt;
using NetOps.Security;
using NetOps.Simulator;
using NetOps.Storage;
using NetOps.Web;
using Quartz;
using Serilog;

namespace NetOps.Host;

/// <summary>The parts of NetOps one process runs; "NetOps:Roles", a comma list, default all-in-one.</summary>
[Flags]
public enum HostRoles
{
    None = 0,
    Collector = 1,
    Engine = 2,
    Web = 4,
    Simulator = 8,
    Alerting = 16,
}

/// <summary>
/// How a NetOps process is put together. All-in-one (the default) runs inventory, embedded broker, state engine,
/// simulator, collector and dashboard in one process over in-process channels. Any other set of roles talks over
/// the MQTT broker: collectors publish observations, one engine (the lease holder) publishes deltas and snapshots,
/// web hosts read them.
/// </summary>
public static class HostExtensions
{
    private static readonly JsonSerializerOptions HealthJson = new(JsonSerializerDefaults.Web);

    public static WebApplicationBuilder AddNetOpsHost(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var (allInOne, roles) = ParseRoles(configuration["NetOps:Roles"]);
        ResolvePaths(builder);
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, $"{builder.Environment.ApplicationName}.staticwebassets.runtime.json")))
        {
            // Run from a build output (tests, `dotnet NetOps.Host.dll`): serve the framework's static assets too.
            builder.WebHost.UseStaticWebAssets();
        }

        services.AddSingleton(TimeProvider.System);
        AddNetOpsMetrics(services);
        // The REST API (dashboard and simulator) described at /openapi/v1.json, browsable at /scalar.
        services.AddOpenApi();
        services.AddSingleton(new HostDescription(allInOne, roles));

        // Hosted services start in registration order: inventory, broker, state, simulator, collector.
        services.AddNetOpsInventory(configuration);
        // Every MQTT client and the embedded broker read one binding of "Mqtt"; its password comes from "Mqtt:Credential".
        services.AddNetOpsMqttOptions(CredentialStoreExtensions.ResolveCredential);
        if (configuration.GetValue("Mqtt:Embedded", allInOne))
        {
            // The embedded broker serves the account the clients log in with, on the port they connect to.
            services.AddSingleton(sp =>
            {
                var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
                return new EmbeddedBroker(new EmbeddedBrokerOptions
                {
                    Port = mqtt.Port,
                    Username = mqtt.Username ?? "",
                    Password = mqtt.ResolvePassword(),
                }, sp.GetService<ILogger<EmbeddedBroker>>());
            });
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }

        var health = services.AddHealthChecks();
        var servesRoutes = roles.HasFlag(HostRoles.Web) || roles.HasFlag(HostRoles.Simulator);
        if (allInOne || roles.HasFlag(HostRoles.Engine) || roles.HasFlag(HostRoles.Alerting) || servesRoutes)
        {
            // The operational database, migrated before anything uses it; it also holds the accounts every route checks,
            // and the collectors' membership (PostgreSQL: every collector of the site splits the devices with the others).
            services.AddNetOpsDatabase(configuration, CredentialStoreExtensions.ResolveCredential);
            health.AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
            // Events made on the dashboard and phases set by hand, over the files' inventory, for everything registered below.
            services.AddNetOpsEventPlans();
            // Logins (registered after the database: the first admin is created once it is migrated).
            services.AddNetOpsSecurity(configuration);
        }
        else if (roles.HasFlag(HostRoles.Collector))
        {
            // A collector alone needs only the membership table: it neither migrates nor prunes the database, starts while
            // PostgreSQL is away (polling everything until it answers) and stays ready through an outage.
            services.AddNetOpsClusterMembership(CredentialStoreExtensions.ResolveCredential);
        }

        if (allInOne)
        {
            services.AddNetOpsInProcessState(configuration);
            health.AddCheck<StateEngineCheck>("state-engine", tags: ["ready"]);

            // History: every observation goes to the live model first, then to the store (embedded SQLite by default).
            services.AddNetOpsStorage(configuration, CredentialStoreExtensions.ResolveCredential);
            services.AddSingleton<IObservationSink>(sp => new ObservationTee(
                sp.GetRequiredService<ObservationChannel>(), sp.GetRequiredService<ObservationRecorder>()));
            health.AddCheck<StorageHealthCheck>("store", tags: ["ready"]);
        }
        else
        {
            if (roles.HasFlag(HostRoles.Web) || roles.HasFlag(HostRoles.Engine) || roles.HasFlag(HostRoles.Alerting))
            {
                services.AddNetOpsMqttStateFeed(configuration);
            }

            if (roles.HasFlag(HostRoles.Engine))
            {
                services.AddNetOpsDistributedEngine(configuration);
                health.AddCheck<StateEngineCheck>("state-engine", tags: ["ready"]);

                // The engine process keeps the history: it sees every observation exactly once, in order.
                services.AddNetOpsStorage(configuration, CredentialStoreExtensions.ResolveCredential);
                services.AddSingleton(sp => new EngineIntake(new ObservationTee(
                    sp.GetRequiredService<ObservationChannel>(), sp.GetRequiredService<ObservationRecorder>())));
                health.AddCheck<StorageHealthCheck>("store", tags: ["ready"]);
            }

            if (roles.HasFlag(HostRoles.Collector))
            {
                services.AddNetOpsMqttObservationSink(configuration);
            }
        }

        if (roles.HasFlag(HostRoles.Simulator) || (allInOne && configuration.GetValue("Simulator:Enabled", false)))
        {
            services.AddNetOpsSimulator(configuration, sp =>
            {
                var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
                return new SimulatorBroker(mqtt.Host, mqtt.Port, mqtt.Username, mqtt.ResolvePassword());
            });
        }

        if (roles.HasFlag(HostRoles.Collector))
        {
            services.AddNetOpsCollector(configuration);
            services.AddSingleton<ITrapLog>(sp => sp.GetRequiredService<TrapIngest>());
            health.AddCheck<SchedulerCheck>("scheduler", tags: ["ready"]).AddCheck<BrokerCheck>("broker", tags: ["ready"])
                .AddCheck<MembershipCheck>("membership", tags: ["ready"]);
        }

        if (roles.HasFlag(HostRoles.Web))
        {
            if (!allInOne && !roles.HasFlag(HostRoles.Engine))
            {
                // Web-only: the history another process (the engine's) writes, read-only, without its writer side.
                services.AddNetOpsHistoryReader(configuration, CredentialStoreExtensions.ResolveCredential);
            }

            if (!roles.HasFlag(HostRoles.Collector))
            {
                // No receiver here: the trap log is what the engine stored. A collector (and all-in-one) keeps its
                // receiver's own log, which also knows the counts and the senders no device matched.
                services.AddSingleton<ITrapLog>(sp => new StoredTrapLog(sp.GetRequiredService<IRecentPoints>()));
            }

            health.AddCheck<LiveViewCheck>("live-view", tags: ["ready"]);
            services.AddNetOpsDashboard();
        }

        if (roles.HasFlag(HostRoles.Alerting) && configuration.GetValue("Alerting:Enabled", true))
        {
            // One process per site runs alerting: it owns the notifications (two would send each one twice).
            services.AddNetOpsAlerting(configuration, CredentialStoreExtensions.ResolveCredential);
            health.AddCheck<AlertingHealthCheck>("alerting", tags: ["ready"]);
        }

        if (allInOne || roles.HasFlag(HostRoles.Engine) || roles.HasFlag(HostRoles.Web))
        {
            // State changes are recorded from this process's live view once it runs (several processes may record; each
            // change is stored once).
            services.AddNetOpsStateHistoryRecorder();
        }

        return builder;
    }

    /// <summary>Serilog from configuration: console and rolling file, levels per source in appsettings.</summary>
    public static WebApplicationBuilder AddNetOpsLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, configuration) => configuration
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext());
        return builder;
    }

    /// <summary>What each role serves: the dashboard and its API, the simulator's API, health and metrics.</summary>
    public static WebApplication MapNetOpsHost(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        // Authentication before the pages' antiforgery; the fallback policy asks a login of every route that names no policy.
        var secured = app.Services.GetService<Microsoft.AspNetCore.Identity.SignInManager<NetOps.Database.NetOpsUser>>() is not null;
        if (secured)
        {
            app.MapNetOpsSecurity();
        }

        if (app.Services.GetRequiredService<HostDescription>().Roles.HasFlag(HostRoles.Web))
        {
            app.MapNetOpsDashboard();
        }

        if (app.Services.GetService<SimulatedFleet>() is not null)
        {
            app.MapNetOpsSimulatorApi();
        }

        // Probes answer without a login: they say only healthy or not, and which check fails.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous();
        var metrics = app.MapPrometheusScrapingEndpoint("/metrics");
        if (app.Configuration.GetValue("Metrics:AllowAnonymous", false))
        {
            // A Prometheus on a trusted network scrapes without an account.
            metrics.AllowAnonymous();
        }

        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("NetOps API"));
        return app;
    }

    /// <summary>
    /// Every instrument of the "NetOps" meter and the .NET runtime's ("System.Runtime") on /metrics, in the Prometheus
    /// text format by OpenTelemetry's exporter. Without scope labels and target_info the names and labels are the ones
    /// the hand-written exporter produced: dots become underscores, seconds get <c>_seconds</c>, counters <c>_total</c>.
    /// </summary>
    private static void AddNetOpsMetrics(IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("NetOps", "System.Runtime")
            .AddPrometheusExporter(options =>
            {
                options.ScopeInfoEnabled = false;
                options.TargetInfoEnabled = false;
            }));

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        }, HealthJson));
    }

    /// <summary>"all-in-one" or a comma list of collector, engine, web, alerting, simulator.</summary>
    public static (bool AllInOne, HostRoles Roles) ParseRoles(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all-in-one", StringComparison.OrdinalIgnoreCase))
        {
            return (true, HostRoles.Collector | HostRoles.Engine | HostRoles.Web | HostRoles.Alerting);
        }

        var roles = HostRoles.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= Enum.TryParse<HostRoles>(part, ignoreCase: true, out var role) && role != HostRoles.None
                ? role
                : throw new InvalidOperationException($"NetOps:Roles: unknown role '{part}' (all-in-one, or a list of collector, engine, web, alerting, simulator)");
        }

        return (false, roles);
    }

    /// <summary>Relative paths in configuration are relative to the content root, not to wherever the process started.</summary>
    private static void ResolvePaths(WebApplicationBuilder builder)
    {
        foreach (var key in new[] { "Inventory:Directory", "Inventory:SecretsFile", "Storage:DataDirectory" })
        {
            if (builder.Configuration[key] is { Length: > 0 } path && !Path.IsPathRooted(path))
            {
                builder.Configuration[key] = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, path));
            }
        }
    }

    private sealed class StateEngineCheck(StateEngineService engine) : IHealthCheck
    {
        // A standby engine is ready: standing by is its job.
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy($"state engine {engine.Role}"));
    }

    private sealed class LiveViewCheck(LiveStateView view) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(view.Loaded.IsCompletedSuccessfully
                ? HealthCheckResult.Healthy($"live view at version {view.Version}, {view.Resyncs} resyncs, last error: {view.LastError ?? "none"}")
                : HealthCheckResult.Unhealthy("live view has no snapshot yet"));
    }

    /// <summary>
    /// This collector's standing: the live members, their devices and last heartbeats (names and counts only: /readyz is
    /// anonymous). Degraded, still ready, while the store does not answer: polling goes on with the last split.
    /// </summary>
    private sealed class MembershipCheck(CollectorMembership membership, IMembershipStore store, IInventoryProvider inventory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var status = membership.Status;
            var mine = status.Assignment;
            var data = new Dictionary<string, object>
            {
                ["member"] = mine.Self,
                ["devices"] = inventory.Current.Devices.Keys.Count(mine.Owns),
            };
            if (!mine.IsMember)
            {
                return HealthCheckResult.Degraded($"not a member of {membership.Store}: {status.Error}", data: data);
            }

            if (status.Error is not null)
            {
                return HealthCheckResult.Degraded($"membership store {membership.Store} unreachable since {status.FailingSince:O} ({status.Error}); " +
                                                  $"polling goes on split over {mine.Members.Count} members", data: data);
            }

            try
            {
                var view = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
                data["members"] = CollectorRoster.Of(view, inventory.Current.Devices.Keys).Select(share => new
                {
                    name = share.Member.Name,
                    devices = share.Devices.Count,
                    heartbeatAt = share.Member.HeartbeatAt,
                    secondsAgo = Math.Round((view.Now - share.Member.HeartbeatAt).TotalSeconds, 1),
                }).ToList();
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                return HealthCheckResult.Degraded($"membership store {membership.Store} unreadable: {e.Message}", data: data);
            }

            return HealthCheckResult.Healthy($"collector {mine.Self}, one of {mine.Members.Count} in {membership.Store}, last heartbeat {status.LastHeartbeat:O}", data);
        }
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
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<EmbeddedBroker>() is { IsAcceptingConnections: false })
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("embedded broker not accepting connections"));
            }

            if (services.GetService<MqttObservationSink>() is { IsConnected: false })
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("observation sink not connected to the broker"));
            }

            var ingest = services.GetRequiredService<TelemetryIngest>();
            return Task.FromResult(ingest.IsConnected
                ? HealthCheckResult.Healthy("ingest subscribed")
                : HealthCheckResult.Unhealthy("ingest not connected to the broker"));
        }
    }
}

/// <summary>What this process runs, for the UI and logs.</summary>
public sealed record HostDescription(bool AllInOne, HostRoles Roles);
