using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authorization;
using NetOps.Core.Observations;
using NetOps.Core.Cluster;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Storage;
using NetOps.Web.Api;
using NetOps.Web.Components;
using NetOps.Web.Events;
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
        // Pages read who is logged in (the header, the name on an acknowledgement); the host registers the authentication.
        services.AddCascadingAuthenticationState();
        services.TryAddSingleton<EventCommands>();
        // The OpenAPI document describes enums as the API writes them (kebab-case strings).
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
        // Charts read the store when the host registered one (ITelemetryReader), in any order; without one they say so.
        services.TryAddSingleton<IHistoryReader>(sp => sp.GetService<ITelemetryReader>() is { } store ? new StoreHistory(store) : NoHistory.Instance);
        // The events' site plan images, embedded in the coverage page.
        services.TryAddSingleton<PlanImages>();
        return services;
    }

    /// <summary>The pages, their static assets and the REST API under /api.</summary>
    public static WebApplication MapNetOpsDashboard(this WebApplication app)
    {
        // A page's bare status code shows the not-found page. The API keeps its own: re-executed, a 415 for a POST without
        // a JSON body would become a POST to a page, refused with an empty 400.
        // The account posts (login, a 429 from its rate limit) keep theirs too.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                               && !context.Request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseAntiforgery();
        // Styles and scripts are the same for everyone and hold nothing of the network: the login page needs them.
        app.MapStaticAssets().AllowAnonymous();
        // Every page for every role; the login and change-password pages say [AllowAnonymous] themselves.
        // Pages are never framed (the framework's default allows this site itself).
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = "'none'")
            .RequireAuthorization(NetOpsPolicies.Read);
        app.MapNetOpsApi();
        return app;
    }

    /// <summary>The REST API under /api: state, history, inventory, traps; alerts and silences (tag "Alerts"); the audit log (tag "Audit", admins).</summary>
    public static IEndpointRouteBuilder MapNetOpsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Dashboard").RequireAuthorization(NetOpsPolicies.Read);
        api.MapGet("/state", (LiveStateView view, ClaimsPrincipal user, IInventoryProvider inventory, TimeProvider time) =>
        {
            var text = ReasonText.Berlin;
            var live = ScopedStateReader.For(view, NetOpsClaims.ScopeOf(user), () => inventory.Current, time);
            return TypedResults.Json(new StateListResponse(live.Version,
                live.States.OrderBy(s => s.Entity.ToString(), StringComparer.Ordinal).Select(s => new StateResponse(
                    s.Entity.ToString(), s.Value, new ReasonResponse(s.Reason.Code, s.Reason.Args, text.Render(s.Reason)),
                    s.Since, s.ObservedAt, s.Source, s.FreshFor.TotalSeconds, s.Metrics, s.Attributes))), Json);
        })
            .WithName("GetState")
            .Produces<StateListResponse>()
            .WithSummary("Every entity's state in the live model")
            .WithDescription("Devices, ports, links, nodes and endpoints with value, reason (code, values, text), since, source and freshness. " +
                "A coordinator gets the entities of their events only.");
        HistoryApi.Map(api, Json);
        EventsApi.Map(api, Json);
        api.MapGet("/inventory", (IInventoryProvider inventory, ClaimsPrincipal user, TimeProvider time) =>
        {
            // Names of credentials only; secrets never leave the credential store. A coordinator sees their events' part,
            // and not why an edit was refused (the errors name the fixed network's files and devices).
            var scope = NetOpsClaims.ScopeOf(user);
            var current = inventory.Current.ScopedTo(scope, time.GetUtcNow());
            return TypedResults.Json(new InventoryResponse(current.Sites.Values, current.Devices.Values, current.Links.Values,
                current.Nodes.Values, current.Endpoints.Values, current.Events.Values,
                scope.IsAll ? inventory.LastRefusal?.Select(e => e.ToString()) : null), Json);
        })
            .WithName("GetInventory")
            .Produces<InventoryResponse>()
            .WithSummary("The inventory in force: sites, devices, links, nodes, endpoints, events")
            .WithDescription("Credentials appear by name only. lastRefusal lists the errors of the last refused edit, if any. " +
                "A coordinator gets their events and the nodes, endpoints and switches in them only.");
        api.MapGet("/traps", async Task<Results<JsonHttpResult<TrapLogReport>, ProblemHttpResult>> (IServiceProvider services,
            CancellationToken cancellationToken) =>
        {
            // Counts, recent notifications (bindings only: a community never leaves the receiver) and unknown senders. A
            // web-only process lists what the engine stored: the receiver's counts and unknown senders are null there.
            if (services.GetService<ITrapLog>() is not { } traps)
            {
                return TypedResults.Problem("this process receives no traps and reads no store", statusCode: StatusCodes.Status404NotFound);
            }

            return TypedResults.Json(await traps.ReadAsync(cancellationToken), Json);
        })
            .RequireAuthorization(NetOpsPolicies.Network)
            .WithName("GetTraps")
            .Produces<TrapLogReport>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Trap receiver counts, recent notifications and unknown senders")
            .WithDescription("In a process that receives traps, its counts and log; in a web-only process the notifications the engine " +
                "stored, with the receiver's counts and unknown senders null. 404 when the process neither receives traps nor reads a store.");
        api.MapGet("/collectors", async Task<Results<JsonHttpResult<CollectorsResponse>, ProblemHttpResult>> (IServiceProvider services,
            IInventoryProvider inventory, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IMembershipStore>() is not { } store)
            {
                return TypedResults.Problem("this process reads no collector membership", statusCode: StatusCodes.Status404NotFound);
            }

            MembershipView view;
            try
            {
                view = await store.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                return TypedResults.Problem($"the membership store ({store.Description}) does not answer: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return TypedResults.Json(CollectorsResponse.Of(store.Description, view, inventory.Current.Devices.Keys), Json);
        })
            .RequireAuthorization(NetOpsPolicies.Network)
            .WithName("GetCollectors")
            .Produces<CollectorsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The live collectors, the devices each one polls and their last heartbeat")
            .WithDescription("Collectors heartbeat into the membership store (PostgreSQL for several collectors); the devices are split over " +
                "the live ones by rendezvous hashing. A collector killed without a word stays listed until its lease runs out.");
        AlertsApi.Map(app.MapGroup("/api").WithTags("Alerts").RequireAuthorization(NetOpsPolicies.Read), Json);
        AuditApi.Map(app.MapGroup("/api").WithTags("Audit").RequireAuthorization(NetOpsPolicies.Read), Json);
        return app;
    }
}
