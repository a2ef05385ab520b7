using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NetOps.Core.Alerts;
using NetOps.Core.Security;
using NetOps.Inventory;

namespace NetOps.Web.Api;

/// <summary>
/// Alerts and silences under /api: read them, acknowledge, silence, expire. The alert book answers when this process
/// runs alerting; anywhere else every route says so (503), the way the page does.
/// </summary>
internal static class AlertsApi
{
    private const string NotHere = "alerting does not run in this process";
    private const int DefaultHistoryLimit = 100;
    private const int LongestHistoryLimit = 1000;
    private static readonly TimeSpan LongestHistory = TimeSpan.FromDays(31);
    private static readonly TimeSpan DefaultHistory = TimeSpan.FromHours(24);

    public static void Map(RouteGroupBuilder api, JsonSerializerOptions json)
    {
        api.MapGet("/alerts", Results<JsonHttpResult<IEnumerable<AlertResponse>>, ProblemHttpResult> (string? status, string? severity,
            ClaimsPrincipal user, IServiceProvider services) =>
        {
            if (Book(services, user) is not { } book)
            {
                return Unavailable();
            }

            AlertStatus? wantedStatus = null;
            if (status is not null)
            {
                if (NameOf<AlertStatus>(status) is not { } parsed || parsed == AlertStatus.Resolved)
                {
                    return BadRequest($"status is firing or acknowledged, not '{status}' (resolved alerts are in /api/alerts/history)");
                }

                wantedStatus = parsed;
            }

            AlertSeverity? wantedSeverity = null;
            if (severity is not null)
            {
                if (NameOf<AlertSeverity>(severity) is not { } parsed)
                {
                    return BadRequest($"severity is info, warning or critical, not '{severity}'");
                }

                wantedSeverity = parsed;
            }

            return TypedResults.Json(book.Open
                .Where(a => (wantedStatus is null || a.Status == wantedStatus) && (wantedSeverity is null || a.Severity == wantedSeverity))
                .Select(AlertResponse.Of), json);
        })
            .WithName("GetAlerts")
            .Produces<IEnumerable<AlertResponse>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Open alerts (firing and acknowledged), most severe and newest first")
            .WithDescription("status=firing|acknowledged and severity=info|warning|critical filter the list. A firing alert may be silenced " +
                "(silencedBy) or in a maintenance window (inMaintenance): its notifications are held, it is still open. " +
                "503 when this process does not run alerting.");

        api.MapGet("/alerts/{id}", Results<JsonHttpResult<AlertResponse>, ProblemHttpResult> (string id, ClaimsPrincipal user, IServiceProvider services) =>
        {
            if (Book(services, user) is not { } book)
            {
                return Unavailable();
            }

            return book.Find(id) is { } alert ? TypedResults.Json(AlertResponse.Of(alert), json) : NotFound($"no alert {id}");
        })
            .WithName("GetAlert")
            .Produces<AlertResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("One alert: open, or resolved recently enough to re-open")
            .WithDescription("Older resolved alerts are in /api/alerts/history. 404 when the alert book does not know the id.");

        api.MapPost("/alerts/{id}/acknowledge", async Task<Results<JsonHttpResult<AlertResponse>, ProblemHttpResult>> (string id,
            HttpRequest request, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IAlertBook>() is not { } book)
            {
                return Unavailable();
            }

            var (body, error) = await JsonBody.ReadAsync<AcknowledgeRequest>(request, json, cancellationToken);
            if (body is null)
            {
                return BadRequest(error!);
            }

            // Who acknowledges is the logged-in account; a name in the body counts only where nobody is logged in.
            var by = Actor(request.HttpContext.User) ?? body.By?.Trim();
            if (string.IsNullOrWhiteSpace(by))
            {
                return BadRequest("by is required: who acknowledges the alert");
            }

            try
            {
                var alert = await book.AcknowledgeAsync(id, by, body.Comment?.Trim(), cancellationToken);
                return alert is null ? NotFound($"no open alert {id}") : TypedResults.Json(AlertResponse.Of(alert), json);
            }
            catch (AlertCommandException e)
            {
                // The name was checked above: what the book refuses here is an alert that is no longer open.
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        })
            .WithName("AcknowledgeAlert")
            .RequireAuthorization(NetOpsPolicies.Acknowledge)
            .Accepts<AcknowledgeRequest>("application/json")
            .Produces<AlertResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Acknowledges an open alert: who took it on and why")
            .WithDescription("Body {by, comment}; by is required (400). The alert stays open with status acknowledged; critical alerts " +
                "no longer escalate. 404 for an unknown alert, 409 when it has resolved.");

        api.MapGet("/alerts/history", async Task<Results<JsonHttpResult<AlertHistoryResponse>, ProblemHttpResult>> (string? from, string? until,
            string? limit, ClaimsPrincipal user, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (Book(services, user) is not { } book)
            {
                return Unavailable();
            }

            var end = time.GetUtcNow();
            if (until is not null && !TryParseTime(until, out end))
            {
                return BadRequest($"until '{until}' is not a time (ISO 8601, such as 2026-05-01T12:00:00Z)");
            }

            var start = end - DefaultHistory;
            if (from is not null && !TryParseTime(from, out start))
            {
                return BadRequest($"from '{from}' is not a time (ISO 8601, such as 2026-05-01T12:00:00Z)");
            }

            if (start >= end)
            {
                return BadRequest("from must be before until");
            }

            if (end - start > LongestHistory)
            {
                return BadRequest($"the range from {start:O} until {end:O} is longer than {LongestHistory.TotalDays} days; ask in parts");
            }

            var count = DefaultHistoryLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) ||
                                      count is < 1 or > LongestHistoryLimit))
            {
                return BadRequest($"limit is a whole number from 1 to {LongestHistoryLimit}, not '{limit}'");
            }

            var alerts = await book.HistoryAsync(start, end, count, cancellationToken);
            return TypedResults.Json(new AlertHistoryResponse(start, end, count, alerts.Select(AlertResponse.Of)), json);
        })
            .WithName("GetAlertHistory")
            .Produces<AlertHistoryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Alerts open at any time in a range, newest first")
            .WithDescription("from and until are ISO 8601 times (default: the last 24 hours), at most 31 days apart; limit 1 to 1000 " +
                "(default 100). 400 names what is wrong with the query.");

        api.MapGet("/alerts/receivers", Results<JsonHttpResult<IEnumerable<ReceiverResponse>>, ProblemHttpResult> (ClaimsPrincipal user, IServiceProvider services) =>
            Book(services, user) is { } book
                ? TypedResults.Json(book.Receivers.Select(ReceiverResponse.Of), json)
                : Unavailable())
            .RequireAuthorization(NetOpsPolicies.Network)
            .WithName("GetAlertReceivers")
            .Produces<IEnumerable<ReceiverResponse>>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Where notifications go: each receiver with its backlog and last error")
            .WithDescription("name, kind (webhook, alertmanager, email, mqtt), pending notifications, last delivery and last error; " +
                "healthy is false while the last attempt failed. Settings and credentials are never listed.");

        api.MapGet("/silences", Results<JsonHttpResult<IEnumerable<SilenceResponse>>, ProblemHttpResult> (ClaimsPrincipal user, IServiceProvider services,
            TimeProvider time) =>
        {
            if (Book(services, user) is not { } book)
            {
                return Unavailable();
            }

            var now = time.GetUtcNow();
            return TypedResults.Json(book.Silences.Where(s => s.EndsAt > now).Select(s => SilenceResponse.Of(s, now)), json);
        })
            .RequireAuthorization(NetOpsPolicies.Network)
            .WithName("GetSilences")
            .Produces<IEnumerable<SilenceResponse>>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Silences that are active or pending, the soonest to end first")
            .WithDescription("Matchers in Alertmanager's form {name, value, isRegex, isEqual}; state pending or active.");

        api.MapPost("/silences", async Task<Results<JsonHttpResult<SilenceResponse>, ProblemHttpResult>> (HttpRequest request,
            IServiceProvider services, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IAlertBook>() is not { } book)
            {
                return Unavailable();
            }

            var (body, error) = await JsonBody.ReadAsync<SilenceCreateRequest>(request, json, cancellationToken);
            if (body is null)
            {
                return BadRequest(error!);
            }

            var problems = new List<string>();
            var matchers = new List<Matcher>();
            foreach (var (given, index) in (body.Matchers ?? []).Select((m, i) => (m, i)))
            {
                if (given is null)
                {
                    problems.Add($"matchers[{index}] is empty");
                }
                else if (given.ToMatcher(out var wrong) is { } matcher)
                {
                    matchers.Add(matcher);
                }
                else
                {
                    problems.Add($"matchers[{index}]: {wrong}");
                }
            }

            if (body.EndsAt is null)
            {
                problems.Add("endsAt is required");
            }

            if (problems.Count > 0)
            {
                return BadRequest(string.Join("; ", problems));
            }

            try
            {
                var silence = await book.SilenceAsync(new SilenceRequest(matchers, body.StartsAt ?? time.GetUtcNow(), body.EndsAt!.Value,
                    Actor(request.HttpContext.User) ?? body.CreatedBy?.Trim() ?? "", body.Comment?.Trim() ?? ""), cancellationToken);
                return TypedResults.Json(SilenceResponse.Of(silence, time.GetUtcNow()), json, statusCode: StatusCodes.Status201Created);
            }
            catch (AlertCommandException e)
            {
                return BadRequest(e.Message);
            }
        })
            .WithName("CreateSilence")
            .RequireAuthorization(NetOpsPolicies.Acknowledge)
            .Accepts<SilenceCreateRequest>("application/json")
            .Produces<SilenceResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Silences the alerts its matchers select, from startsAt (default now) until endsAt")
            .WithDescription("Body {matchers, startsAt, endsAt, createdBy, comment}. Each matcher is Alertmanager's object " +
                "{name, value, isRegex, isEqual} or a string such as alertname=\"LinkDown\" or subject=~\"link:core-.*\". createdBy and " +
                "comment are required; a silence lasts at most 30 days. 400 names every problem of the request.");

        api.MapDelete("/silences/{id}", async Task<Results<JsonHttpResult<SilenceResponse>, ProblemHttpResult>> (string id, string? by,
            ClaimsPrincipal user, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken) =>
        {
            by = Actor(user) ?? by;
            if (services.GetService<IAlertBook>() is not { } book)
            {
                return Unavailable();
            }

            if (string.IsNullOrWhiteSpace(by))
            {
                return BadRequest("by is required: who expires the silence (?by=name)");
            }

            var silence = await book.ExpireSilenceAsync(id, by.Trim(), cancellationToken);
            return silence is null ? NotFound($"no silence {id}") : TypedResults.Json(SilenceResponse.Of(silence, time.GetUtcNow()), json);
        })
            .WithName("ExpireSilence")
            .RequireAuthorization(NetOpsPolicies.Acknowledge)
            .Produces<SilenceResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Ends a silence now")
            .WithDescription("by (query) names who expired it, for the audit trail. Answers the expired silence; 404 for an unknown id.");
    }

    /// <summary>The alert book as <paramref name="user"/> may see it (a coordinator: their events' alerts); null where alerting runs elsewhere.</summary>
    private static IAlertBook? Book(IServiceProvider services, ClaimsPrincipal user) =>
        services.GetService<IAlertBook>() is { } book
            ? ScopedAlertBook.For(book, NetOpsClaims.ScopeOf(user), () => services.GetRequiredService<IInventoryProvider>().Current,
                services.GetRequiredService<TimeProvider>())
            : null;

    private static string? Actor(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    private static bool TryParseTime(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    /// <summary>An enum value by its name, as the API writes it (lower case); numbers are not names.</summary>
    private static T? NameOf<T>(string text) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => v.ToString().Equals(text.Trim(), StringComparison.OrdinalIgnoreCase)).Cast<T?>().FirstOrDefault();

    private static ProblemHttpResult Unavailable() => TypedResults.Problem(NotHere, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);
}
