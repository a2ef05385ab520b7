using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Presentation;

namespace NetOps.Web.Api;

/// <summary>
/// GET /api/events and /api/events/{id}: the events with their lifecycle phase, and one event's coverage per zone (what
/// is planned, what is reachable, and why not). A coordinator gets their own events; another's is 404.
/// </summary>
internal static class EventsApi
{
    public static void Map(RouteGroupBuilder api, JsonSerializerOptions json)
    {
        api.MapGet("/events", (ClaimsPrincipal user, IInventoryProvider inventory, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var fleet = inventory.Current.ScopedTo(NetOpsClaims.ScopeOf(user), now);
            return TypedResults.Json(fleet.Events.Values.OrderBy(e => e.Start).Select(e => EventResponse.Of(fleet, e, now)), json);
        })
            .WithName("GetEvents")
            .Produces<IEnumerable<EventResponse>>()
            .WithSummary("Events with their lifecycle phase")
            .WithDescription("phase is planned, setup, live, teardown or closed, by the event's times and its nodes' and endpoints' " +
                "assignments (setup from the first deployment, teardown until the last). A coordinator gets their events only.");

        api.MapGet("/events/{id}", Results<JsonHttpResult<EventCoverageResponse>, ProblemHttpResult> (string id, ClaimsPrincipal user,
            IInventoryProvider inventory, LiveStateView view, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var scope = NetOpsClaims.ScopeOf(user);
            var fleet = inventory.Current.ScopedTo(scope, now);
            // Another's event answers as an unknown one does.
            if (!fleet.Events.TryGetValue(id, out var ev))
            {
                return TypedResults.Problem($"no event '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            var live = ScopedStateReader.For(view, scope, () => inventory.Current, time);
            return TypedResults.Json(EventCoverageResponse.Of(EventCoverage.Of(fleet, ev, live, now)), json);
        })
            .WithName("GetEvent")
            .Produces<EventCoverageResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One event: lifecycle and coverage per zone")
            .WithDescription("Per zone the nodes and endpoints planned there for this event, each with its state and reason while it " +
                "is deployed for the event (null before setup, after teardown or while at another event), and reachable of planned " +
                "per kind (\"5 of 6 cameras\"). reachable counts up and degraded. 404 for an unknown event, and for a coordinator's " +
                "request of an event not theirs.");

        api.MapGet("/events/{id}/report", async Task<Results<FileContentHttpResult, ContentHttpResult, ProblemHttpResult>> (string id, string? format,
            ClaimsPrincipal user, IInventoryProvider inventory, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (format is not (null or "html" or "csv"))
            {
                return TypedResults.Problem($"format is csv or html, not '{format}'", statusCode: StatusCodes.Status400BadRequest);
            }

            var now = time.GetUtcNow();
            var scope = NetOpsClaims.ScopeOf(user);
            var fleet = inventory.Current.ScopedTo(scope, now);
            if (!fleet.Events.TryGetValue(id, out var ev))
            {
                return TypedResults.Problem($"no event '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            if (services.GetService<IStateHistory>() is not { } history)
            {
                return TypedResults.Problem("this process reads no state history", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // The alerts as the caller may see them (a process without alerting has none to list: the report says so).
            var alerts = services.GetService<IAlertBook>() is { } book ? ScopedAlertBook.For(book, scope, () => inventory.Current, time) : null;
            if (await EventReport.BuildAsync(fleet, ev, history, alerts, now, cancellationToken) is not { } report)
            {
                return TypedResults.Problem($"{ev.Name} has not started: its report covers its live time", statusCode: StatusCodes.Status409Conflict);
            }

            return format == "csv"
                ? TypedResults.File(EventReportFormats.Csv(report, ReasonText.Berlin), "text/csv; charset=utf-8", $"{ev.Id}-report.csv")
                : TypedResults.Content(EventReportFormats.Html(report, ReasonText.Berlin), "text/html; charset=utf-8");
        })
            .WithName("GetEventReport")
            .Produces<string>(StatusCodes.Status200OK, "text/html", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The after-event report: availability per zone, node, camera and sensor, every outage, alerts, battery episodes and uplinks")
            .WithDescription("Over the event's live time (start to end, or to now while it runs), from the recorded state history: " +
                "availability (time up or degraded over the time expected) per zone, node, camera and sensor, and each outage with start, " +
                "end, duration and reason; each node's battery episodes (start, end, duration, lowest battery level recorded) and uplink " +
                "(time on fibre of the time its uplink was known); the alerts raised during the live time for the event's things, with " +
                "who acknowledged them and when. format=html (default, printable) or csv (RFC 4180, UTF-8 with a byte order mark; one " +
                "table, one row per zone, thing, outage, alert, battery episode and node uplink, told apart by the record column; " +
                "columns a record does not use are empty). 409 before the event starts.");
    }
}

/// <summary>An event in the list.</summary>
public sealed record EventResponse(string Id, string Name, DateTimeOffset Start, DateTimeOffset End, string Phase, DateTimeOffset SetupFrom,
    DateTimeOffset TeardownUntil)
{
    public static EventResponse Of(FleetInventory inventory, Event ev, DateTimeOffset now)
    {
        var lifecycle = EventLifecycle.Of(inventory, ev);
        return Of(ev, lifecycle, lifecycle.PhaseAt(now));
    }

    public static EventResponse Of(Event ev, EventLifecycle lifecycle, EventPhase phase) =>
        new(ev.Id, ev.Name, ev.Start, ev.End, phase.ToString().ToLowerInvariant(), lifecycle.SetupFrom, lifecycle.TeardownUntil);
}

/// <summary>One event's coverage.</summary>
public sealed record EventCoverageResponse(EventResponse Event, int Planned, int Reachable, IReadOnlyList<ZoneCoverageResponse> Zones)
{
    public static EventCoverageResponse Of(EventCoverage coverage) =>
        new(EventResponse.Of(coverage.Event, coverage.Lifecycle, coverage.Phase), coverage.Planned, coverage.Reachable,
            [.. coverage.Zones.Select(ZoneCoverageResponse.Of)]);
}

/// <summary>A zone's coverage: reachable of planned, per kind and per thing.</summary>
public sealed record ZoneCoverageResponse(string Id, string Name, int Planned, int Reachable, double Percent,
    IReadOnlyDictionary<string, KindCoverageResponse> Kinds, IReadOnlyList<PlannedResponse> Nodes, IReadOnlyList<PlannedResponse> Endpoints)
{
    public static ZoneCoverageResponse Of(ZoneCoverage zone) => new(zone.Zone.Id, zone.Zone.Name, zone.Planned, zone.Reachable,
        Math.Round(zone.Percent, 1),
        zone.ByKind.ToDictionary(k => EndpointKinds.Name(k.Key), k => new KindCoverageResponse(k.Value.Planned, k.Value.Reachable), StringComparer.Ordinal),
        [.. zone.Nodes.Select(n => PlannedResponse.Of("node:" + n.Node.Id, n.Node.Name, "node", n.Deployed, n.State, n.Reachable))],
        [.. zone.Endpoints.Select(e => PlannedResponse.Of("endpoint:" + e.Endpoint.Id, e.Endpoint.Name, EndpointKinds.Name(e.Endpoint.Kind), e.Deployed, e.State, e.Reachable))]);

}

/// <summary>Planned and reachable of one kind in a zone.</summary>
public sealed record KindCoverageResponse(int Planned, int Reachable);

/// <summary>A planned node or endpoint: deployed for the event now, its state and reason when it is.</summary>
public sealed record PlannedResponse(string Entity, string Name, string Kind, bool Deployed, bool Reachable, StateValue? Value, ReasonResponse? Reason,
    DateTimeOffset? Since, PositionResponse? Position)
{
    public static PlannedResponse Of(string entity, string name, string kind, bool deployed, EntityState? state, bool reachable) =>
        new(entity, name, kind, deployed, reachable, state?.Value,
            state is null ? null : new ReasonResponse(state.Reason.Code, state.Reason.Args, ReasonText.Berlin.Render(state.Reason)), state?.Since,
            state is not null && state.Metrics.TryGetValue("lat", out var lat) && state.Metrics.TryGetValue("lon", out var lon) ? new PositionResponse(lat, lon) : null);
}

/// <summary>Where a node last reported it stands (GPS, WGS84 degrees).</summary>
public sealed record PositionResponse(double Lat, double Lon);
