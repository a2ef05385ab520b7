using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NetOps.Core.Security;

namespace NetOps.Web.Api;

/// <summary>GET /api/audit: the audit log for admins, newest first, filtered by actor, action and time.</summary>
internal static class AuditApi
{
    private const int DefaultLimit = 100;

    public static void Map(RouteGroupBuilder api, JsonSerializerOptions json)
    {
        api.MapGet("/audit", async Task<Results<JsonHttpResult<AuditListResponse>, ProblemHttpResult>> (string? actor, string? action, string? from,
            string? until, string? limit, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IAuditLog>() is not { } log)
            {
                return TypedResults.Problem("this process has no operational database", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            DateTimeOffset? start = null;
            DateTimeOffset? end = null;
            if (from is not null)
            {
                if (!TryParseTime(from, out var at))
                {
                    return BadRequest($"from '{from}' is not a time (ISO 8601, such as 2026-05-01T12:00:00Z)");
                }

                start = at;
            }

            if (until is not null)
            {
                if (!TryParseTime(until, out var at))
                {
                    return BadRequest($"until '{until}' is not a time (ISO 8601, such as 2026-05-01T12:00:00Z)");
                }

                end = at;
            }

            if (start >= end)
            {
                return BadRequest("from must be before until");
            }

            var count = DefaultLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > AuditQuery.MaxLimit))
            {
                return BadRequest($"limit is a whole number from 1 to {AuditQuery.MaxLimit}, not '{limit}'");
            }

            var query = new AuditQuery(Blank(actor), Blank(action), start, end, count);
            return TypedResults.Json(new AuditListResponse(query.Actor, query.Action, start, end, count, await log.ReadAsync(query, cancellationToken)), json);
        })
            .RequireAuthorization(NetOpsPolicies.Admin)
            .WithName("GetAudit")
            .Produces<AuditListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The audit log, newest first (admins only)")
            .WithDescription("Logins and failures, account and token changes, token use (the first per token and hour), simulator actions, " +
                "acknowledgements and silences: at, actor, action, target, address (the client's; null for the command line and the alert " +
                "book), detail. actor and action match exactly; from and until are ISO 8601 times; limit 1 to 1000 (default 100).");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool TryParseTime(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>A page of the audit log with the filter that chose it.</summary>
public sealed record AuditListResponse(string? Actor, string? Action, DateTimeOffset? From, DateTimeOffset? Until, int Limit, IReadOnlyList<AuditEvent> Entries);
