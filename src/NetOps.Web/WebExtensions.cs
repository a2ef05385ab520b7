using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Storage;
using NetOps.Web.Components;
using NetOps.Web.Metrics;
using NetOps.Web.Presentation;
using NetOps.Worker;
using Serilog;

namespace NetOps.Web;

/// <summary>How the web host is put together; Program.cs only calls these.</summary>
public static class WebExtensions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Serilog from configuration: console and rolling file, levels per source in appsettings.</summary>
    public static WebApplicationBuilder AddNetOpsLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, configuration) => configuration
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext());
        return builder;
    }

    /// <summary>The dashboard, the REST API, health and metrics endpoints.</summary>
    public static WebApplication UseNetOpsDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        var roles = app.Services.GetRequiredService<HostDescription>().Roles;
        if (roles.HasFlag(HostRoles.Web))
        {
            app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
            app.UseAntiforgery();
            app.MapStaticAssets();
            app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
            app.MapNetOpsApi();
        }

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        if (app.Services.GetService<SimulatedFleet>() is not null)
        {
            app.MapSimulatorApi();
        }

        return app;
    }

    private static void MapNetOpsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/state", (LiveStateView live) =>
        {
            var text = ReasonText.Berlin;
            return Results.Json(new
            {
                version = live.Version,
                states = live.States.OrderBy(s => s.Entity.ToString(), StringComparer.Ordinal).Select(s => new
                {
                    entity = s.Entity.ToString(),
                    value = s.Value,
                    reason = new { code = s.Reason.Code, args = s.Reason.Args, text = text.Render(s.Reason) },
                    since = s.Since,
                    observedAt = s.ObservedAt,
                    source = s.Source,
                    freshForSeconds = s.FreshFor.TotalSeconds,
                    metrics = s.Metrics,
                    attributes = s.Attributes,
                }),
            }, Json);
        });
        api.MapGet("/history/{measurement}/{field}", async (string measurement, string field, HttpContext http, IServiceProvider services,
            TimeProvider time, CancellationToken cancellationToken) =>
        {
            // Chart data aggregated per window: ids in the query string filter (device=acc-nord), group=port splits the series.
            if (services.GetService<ITelemetryStore>() is not { } store)
            {
                return Results.Problem("this process keeps no history", statusCode: StatusCodes.Status404NotFound);
            }

            var query = http.Request.Query;
            var to = time.GetUtcNow();
            var range = TimeSpan.TryParse(query["range"], System.Globalization.CultureInfo.InvariantCulture, out var r) ? r : TimeSpan.FromHours(1);
            var window = TimeSpan.TryParse(query["window"], System.Globalization.CultureInfo.InvariantCulture, out var w) ? w : TimeSpan.FromMinutes(1);
            var aggregate = Enum.TryParse<Aggregate>(query["aggregate"], ignoreCase: true, out var a) ? a : Aggregate.Mean;
            var groupBy = query["group"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var where = query.Where(q => q.Key is not ("range" or "window" or "aggregate" or "group"))
                .ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
            var series = await store.QueryAsync(new SeriesQuery(measurement, field, to - range, to, window, aggregate) { Where = where, GroupBy = groupBy },
                cancellationToken);
            return Results.Json(series.Select(s => new { tags = s.Tags, points = s.Points.Select(p => new { time = p.Time, value = p.Value }) }), Json);
        });
        api.MapGet("/inventory", (IInventoryProvider inventory) =>
        {
            // Names of credentials only; secrets never leave the credential store.
            var current = inventory.Current;
            return Results.Json(new
            {
                sites = current.Sites.Values,
                devices = current.Devices.Values,
                links = current.Links.Values,
                nodes = current.Nodes.Values,
                endpoints = current.Endpoints.Values,
                events = current.Events.Values,
                lastRefusal = inventory.LastRefusal?.Select(e => e.ToString()),
            }, Json);
        });
        api.MapGet("/traps", (IServiceProvider services) =>
            // Counts, recent notifications (bindings only: a community never leaves the receiver) and unknown senders.
            services.GetService<TrapIngest>() is { } traps
                ? Results.Json(new
                {
                    received = traps.Received,
                    malformed = traps.Malformed,
                    refused = traps.Refused,
                    dropped = traps.Dropped,
                    unknownSources = traps.UnknownSources,
                    recent = traps.Recent,
                    unknownSenders = traps.UnknownSenders,
                }, Json)
                : Results.Problem("this process receives no traps", statusCode: StatusCodes.Status404NotFound));
    }

    /// <summary>Field events on demand: cut and restore links, switch nodes off and on.</summary>
    private static void MapSimulatorApi(this WebApplication app)
    {
        var simulator = app.MapGroup("/api/simulator");
        simulator.MapPost("/links/{id}/cut", (string id, SimulatedFleet fleet) => fleet.CutLink(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/links/{id}/restore", (string id, SimulatedFleet fleet) => fleet.RestoreLink(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/nodes/{id}/off", async (string id, SimulatedFleet fleet, CancellationToken ct) =>
            await fleet.SwitchOffNodeAsync(id, ct) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/nodes/{id}/on", async (string id, SimulatedFleet fleet, CancellationToken ct) =>
            await fleet.SwitchOnNodeAsync(id, ct) ? Results.NoContent() : Results.NotFound());
        // Optics: port names hold slashes, so the port travels in the query (?port=Te1/0/1&dbm=-16.5).
        simulator.MapPost("/devices/{id}/rx-power", (string id, string port, double dbm, SimulatedFleet fleet) =>
            fleet.SetRxPower(id, port, dbm) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/devices/{id}/rx-power/restore", (string id, string port, SimulatedFleet fleet) =>
            fleet.RestoreRxPower(id, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/unplug", (string id, SimulatedFleet fleet) => fleet.UnplugEndpoint(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/poe-fault", (string id, SimulatedFleet fleet) => fleet.PoeFault(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/repatch", (string id, string port, SimulatedFleet fleet) => fleet.Repatch(id, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/restore", (string id, SimulatedFleet fleet) => fleet.RestoreEndpoint(id) ? Results.NoContent() : Results.NotFound());
        // LLDP wiring (ports go in the query: their names hold slashes): ?end=a&port=Gi1/0/7, ?port=…&sysName=…
        simulator.MapPost("/links/{id}/miswire", (string id, string end, string port, SimulatedFleet fleet) =>
            fleet.Miswire(id, end, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/devices/{id}/foreign-neighbour", (string id, string port, string sysName, SimulatedFleet fleet) =>
            fleet.AddUnexpectedNeighbour(id, port, sysName) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/wiring/restore", (SimulatedFleet fleet) => { fleet.RestoreWiring(); return Results.NoContent(); });
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, Json));
    }
}
