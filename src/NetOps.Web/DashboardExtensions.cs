using System.Text.Json;
using System.Text.Json.Serialization;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Inventory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetOps.Storage;
using NetOps.Web.Components;
using NetOps.Web.History;
using NetOps.Web.Presentation;

namespace NetOps.Web;

/// <summary>The dashboard as a library: its services, its pages and its REST API, mapped by the host.</summary>
public static class DashboardExtensions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>
    /// Blazor Server components and what the pages read besides the live view: charts from the history store, and the
    /// last state changes from the operational database (<see cref="IStateHistory"/>, registered by the host).
    /// </summary>
    public static IServiceCollection AddNetOpsDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Charts read the store when the host registered one (ITelemetryReader), in any order; without one they say so.
        services.TryAddSingleton<IHistoryReader>(sp => sp.GetService<ITelemetryReader>() is { } store ? new StoreHistory(store) : NoHistory.Instance);
        return services;
    }

    /// <summary>The pages, their static assets and the REST API under /api.</summary>
    public static WebApplication MapNetOpsDashboard(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapNetOpsApi();
        return app;
    }

    private static void MapNetOpsApi(this IEndpointRouteBuilder app)
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
        api.MapGet("/history/{measurement}/{field}", async (string measurement, string field, HttpContext http, IHistoryReader history,
            TimeProvider time, CancellationToken cancellationToken) =>
        {
            // Chart data aggregated per window: ids in the query string filter (device=acc-nord), group=port splits the series.
            if (!history.KeepsHistory)
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
            var series = await history.QueryAsync(new SeriesQuery(measurement, field, to - range, to, window, aggregate) { Where = where, GroupBy = groupBy },
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
        api.MapGet("/traps", async (IServiceProvider services, CancellationToken cancellationToken) =>
        {
            // Counts, recent notifications (bindings only: a community never leaves the receiver) and unknown senders. A
            // web-only process lists what the engine stored: the receiver's counts and unknown senders are null there.
            if (services.GetService<ITrapLog>() is not { } traps)
            {
                return Results.Problem("this process receives no traps and reads no store", statusCode: StatusCodes.Status404NotFound);
            }

            var log = await traps.ReadAsync(cancellationToken);
            return Results.Json(new
            {
                received = log.Received,
                malformed = log.Malformed,
                refused = log.Refused,
                dropped = log.Dropped,
                unknownSources = log.UnknownSources,
                recent = log.Recent,
                unknownSenders = log.UnknownSenders,
            }, Json);
        });
    }
}
