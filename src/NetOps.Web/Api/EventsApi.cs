using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Events;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;
using ZoneCoverage = NetOps.Core.Events.ZoneCoverage;

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
            return TypedResults.Json(EventCoverageResponse.Of(EventCoverage.Of(fleet, ev, live, now), fleet.Policy), json);
        })
            .WithName("GetEvent")
            .Produces<EventCoverageResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One event: lifecycle and coverage per zone")
            .WithDescription("Per zone the nodes and endpoints planned there for this event, each with its state and reason while it " +
                "is deployed for the event (null before setup, after teardown or while at another event), and reachable of planned " +
                "per kind (\"5 of 6 cameras\"). reachable counts up and degraded. position is a node's last reported GPS fix; plan is " +
                "where the event's site plan draws a node or endpoint (x, y in plan units; source gps, hand, zone or node), null " +
                "without a plan. Each node has power {source: mains|battery|unknown, batteryPct, runtimeLeftS, level: ok|warning|critical} " +
                "judged against its node class (health.node_classes; on mains always ok, LTE at least warning, no uplink or silence " +
                "critical) and uplink (fibre, lte, none, unknown); gaps [{entity, name, reason}] lists, with the reason in words, the " +
                "deployed nodes whose power or uplink is not right and the deployed endpoints that are not reachable. 404 for an " +
                "unknown event, and for a coordinator's request of an event not theirs.");

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

        MapCommands(api, json);
    }

    /// <summary>Operators' changes: a phase by hand, an event created, edited or deleted, an event exported as YAML.</summary>
    private static void MapCommands(RouteGroupBuilder api, JsonSerializerOptions json)
    {
        api.MapPost("/events/{id}/phase", async Task<Results<JsonHttpResult<EventResponse>, ProblemHttpResult>> (string id, HttpRequest request,
            [FromServices] EventCommands commands, IInventoryProvider inventory, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var (body, error) = await JsonBody.ReadAsync<PhaseRequest>(request, json, cancellationToken);
            if (body is null)
            {
                return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            }

            if (!Enum.TryParse<EventPhase>(body.Phase, ignoreCase: true, out var phase) || phase == EventPhase.Planned || !Enum.IsDefined(phase) ||
                int.TryParse(body.Phase, out _))
            {
                return TypedResults.Problem($"phase is setup, live, teardown or closed, not '{body.Phase}'", statusCode: StatusCodes.Status400BadRequest);
            }

            var result = await commands.MoveAsync(id, phase, Actor(request), Address(request), cancellationToken);
            return result.Status == EventCommandStatus.Done
                ? TypedResults.Json(EventResponse.Of(inventory.Current, inventory.Current.Events[id], time.GetUtcNow()), json)
                : Problem(result);
        })
            .WithName("SetEventPhase")
            .RequireAuthorization(NetOpsPolicies.Operate)
            .Accepts<PhaseRequest>("application/json")
            .Produces<EventResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Moves an event to a later phase by hand, now")
            .WithDescription("Body {phase: setup|live|teardown|closed}. Setup deploys the event's things from now, live starts it now, " +
                "teardown ends it now, closed ends it and packs its things away now; alerting and coverage follow at once. Only forward " +
                "(409 otherwise). Stored with who and when, and in the audit log. Operators and admins.");

        api.MapPut("/events/{id}", async Task<Results<JsonHttpResult<EventResponse>, ProblemHttpResult>> (string id, HttpRequest request,
            [FromServices] EventCommands commands, IInventoryProvider inventory, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var (body, error) = await JsonBody.ReadAsync<EventEditRequest>(request, json, cancellationToken);
            if (body is null)
            {
                return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            }

            var result = await commands.SaveAsync(body.ToStored(id), Actor(request), Address(request), cancellationToken);
            return result.Status == EventCommandStatus.Done
                ? TypedResults.Json(EventResponse.Of(inventory.Current, inventory.Current.Events[id], time.GetUtcNow()), json)
                : Problem(result);
        })
            .WithName("PutEvent")
            .RequireAuthorization(NetOpsPolicies.Operate)
            .Accepts<EventEditRequest>("application/json")
            .Produces<EventResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Creates or edits an event, stored in the operational database")
            .WithDescription("Body {name, start, end, zones: [{id, name}], nodes: [{node, zone, from, until}]}. It takes the place of an " +
                "inventory event with this id and of that event's node assignments (cameras and sensors travel with their node) until it " +
                "is deleted. 400 lists every field that is wrong. Operators and admins; audited.");

        api.MapDelete("/events/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, HttpRequest request, [FromServices] EventCommands commands,
            CancellationToken cancellationToken) =>
        {
            var result = await commands.DeleteAsync(id, Actor(request), Address(request), cancellationToken);
            return result.Status == EventCommandStatus.Done ? TypedResults.NoContent() : Problem(result);
        })
            .WithName("DeleteEvent")
            .RequireAuthorization(NetOpsPolicies.Operate)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Deletes an event made or edited on the dashboard")
            .WithDescription("An inventory event of that id is in force again; otherwise the event is gone. 404 when none is stored. " +
                "Operators and admins; audited.");

        api.MapGet("/events/{id}/yaml", Results<ContentHttpResult, ProblemHttpResult> (string id, ClaimsPrincipal user, IInventoryProvider inventory,
            TimeProvider time) =>
        {
            var fleet = inventory.Current;
            return fleet.Events.TryGetValue(id, out var ev)
                ? TypedResults.Content(EventEditing.ToYaml(fleet, ev, time.GetUtcNow(), user.Identity?.Name ?? "?"), "application/yaml; charset=utf-8")
                : TypedResults.Problem($"no event '{id}'", statusCode: StatusCodes.Status404NotFound);
        })
            .WithName("GetEventYaml")
            .RequireAuthorization(NetOpsPolicies.Operate)
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An event as inventory YAML, for the next year's inventory")
            .WithDescription("The events: entry and an assignments: section with its nodes' and endpoints' assignments as in force " +
                "(manual phases applied), loadable beside the rest of the inventory. Operators and admins.");
    }

    private static string Actor(HttpRequest request) => request.HttpContext.User.Identity?.Name ?? "?";

    private static string? Address(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress?.ToString();

    private static ProblemHttpResult Problem(EventCommandResult result) => TypedResults.Problem(
        string.Join("\n", result.Errors),
        statusCode: result.Status switch
        {
            EventCommandStatus.NotFound => StatusCodes.Status404NotFound,
            EventCommandStatus.Invalid => StatusCodes.Status400BadRequest,
            EventCommandStatus.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status503ServiceUnavailable,
        },
        extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
}

/// <summary>The phase an operator moves an event to.</summary>
public sealed record PhaseRequest(string Phase);

/// <summary>An event as an operator creates or edits it.</summary>
public sealed record EventEditRequest(string Name, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<ZoneRequest>? Zones, IReadOnlyList<NodePlanRequest>? Nodes)
{
    public StoredEvent ToStored(string id) => new(
        new Event(id, Name ?? "", Start, End, [.. (Zones ?? []).Select(z => new Zone(z.Id ?? "", z.Name ?? ""))]),
        [.. (Nodes ?? []).Select(n => new NodePlan(n.Node ?? "", n.Zone ?? "", n.From, n.Until))],
        DateTimeOffset.MinValue, "");
}

/// <summary>A zone of an edited event.</summary>
public sealed record ZoneRequest(string? Id, string? Name);

/// <summary>Where a node stands for an edited event, and when.</summary>
public sealed record NodePlanRequest(string? Node, string? Zone, DateTimeOffset From, DateTimeOffset Until);

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
    public static EventCoverageResponse Of(EventCoverage coverage, HealthPolicy policy)
    {
        // Where the event's site plan draws each thing, by the rules of the page (GPS for nodes, by hand, around the node).
        var places = SitePlanView.Of(coverage, ReasonText.Berlin)?.Markers
            .ToDictionary(m => m.Entity.ToString(), m => new PlanPlaceResponse(Math.Round(m.At.X, 1), Math.Round(m.At.Y, 1), m.Source),
                StringComparer.Ordinal);
        return new(EventResponse.Of(coverage.Event, coverage.Lifecycle, coverage.Phase), coverage.Planned, coverage.Reachable,
            [.. coverage.Zones.Select(z => ZoneCoverageResponse.Of(z, policy, places))]);
    }
}

/// <summary>A zone's coverage: reachable of planned, per kind and per thing; its nodes' power and uplink and its gaps.</summary>
public sealed record ZoneCoverageResponse(string Id, string Name, int Planned, int Reachable, double Percent,
    IReadOnlyDictionary<string, KindCoverageResponse> Kinds, IReadOnlyList<PlannedResponse> Nodes, IReadOnlyList<PlannedResponse> Endpoints,
    IReadOnlyList<GapResponse> Gaps)
{
    public static ZoneCoverageResponse Of(ZoneCoverage zone, HealthPolicy policy, IReadOnlyDictionary<string, PlanPlaceResponse>? places = null) =>
        new(zone.Zone.Id, zone.Zone.Name, zone.Planned, zone.Reachable,
        Math.Round(zone.Percent, 1),
        zone.ByKind.ToDictionary(k => EndpointKinds.Name(k.Key), k => new KindCoverageResponse(k.Value.Planned, k.Value.Reachable), StringComparer.Ordinal),
        [.. zone.Nodes.Select(n => Node(n, policy, places))],
        [.. zone.Endpoints.Select(e => PlannedResponse.Of("endpoint:" + e.Endpoint.Id, e.Endpoint.Name, EndpointKinds.Name(e.Endpoint.Kind), e.Deployed, e.State, e.Reachable) with
            { Plan = places?.GetValueOrDefault("endpoint:" + e.Endpoint.Id) })],
        [.. zone.Gaps(policy, ReasonText.Berlin).Select(g => new GapResponse(g.Entity.ToString(), g.Name, g.Reason))]);

    private static PlannedResponse Node(NodeCoverage node, HealthPolicy policy, IReadOnlyDictionary<string, PlanPlaceResponse>? places)
    {
        var power = node.Power(policy, ReasonText.Berlin);
        return PlannedResponse.Of("node:" + node.Node.Id, node.Node.Name, "node", node.Deployed, node.State, node.Reachable) with
        {
            Plan = places?.GetValueOrDefault("node:" + node.Node.Id),
            Power = PowerResponse.Of(power),
            Uplink = power.Uplink,
        };
    }
}

/// <summary>A node's power against its node class: where it comes from, battery, runtime left (seconds) and the level.</summary>
public sealed record PowerResponse(NodePowerSource Source, double? BatteryPct, double? RuntimeLeftS, HealthLevel Level)
{
    public static PowerResponse Of(NodePower power) =>
        new(power.Source, power.BatteryPct, power.RuntimeLeft is { } left ? Math.Round(left.TotalSeconds) : null, power.Level);
}

/// <summary>Something deployed in the zone that does not do its job (entity "node:mogli-02"), and why in words.</summary>
public sealed record GapResponse(string Entity, string Name, string Reason);

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

    /// <summary>Where the event's site plan draws it; null without a plan, or when the plan has no place for it.</summary>
    public PlanPlaceResponse? Plan { get; init; }

    /// <summary>A node's power against its node class; null for endpoints.</summary>
    public PowerResponse? Power { get; init; }

    /// <summary>A node's uplink (fibre, lte, none, unknown); null for endpoints.</summary>
    public NodeUplink? Uplink { get; init; }
}

/// <summary>A place on the event's site plan (plan units, x right, y down) and where it came from (gps, hand, zone, node).</summary>
public sealed record PlanPlaceResponse(double X, double Y, PlanSource Source);

/// <summary>Where a node last reported it stands (GPS, WGS84 degrees).</summary>
public sealed record PositionResponse(double Lat, double Lon);
