using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Storage;
using NetOps.Storage.Points;
using NetOps.Web.History;

namespace NetOps.Web.Api;

/// <summary>
/// GET /api/history/{measurement}/{field}: every parameter bounded, so one request costs the store a bounded amount of
/// work; a value out of its bounds is answered 400 with a problem that names the parameter and what it allows.
/// </summary>
internal static class HistoryApi
{
    /// <summary>The longest range back from now.</summary>
    public static readonly TimeSpan LongestRange = TimeSpan.FromDays(400);

    /// <summary>The shortest window (and range).</summary>
    public static readonly TimeSpan ShortestWindow = TimeSpan.FromSeconds(1);

    /// <summary>Windows per series: range / window.</summary>
    public const int MostWindows = SeriesQuery.MostWindows;

    /// <summary>Series in one answer, at most; fewer when each has many windows (<see cref="MostPoints"/>).</summary>
    public const int MostSeries = SeriesQuery.MostSeries;

    /// <summary>Points in one answer, all series together: series × windows.</summary>
    public const int MostPoints = 500_000;

    /// <summary>Tags in group, tag filters, and the length of a name or value.</summary>
    public const int MostGroupTags = 8;
    public const int MostFilters = 16;
    public const int LongestName = 200;

    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);
    private static readonly string[] Reserved = ["range", "window", "aggregate", "group"];
    private static readonly string Aggregates = string.Join(", ", Enum.GetNames<Aggregate>().Select(n => n.ToLowerInvariant()));

    public static void Map(RouteGroupBuilder api, JsonSerializerOptions json)
    {
        api.MapGet("/history/{measurement}/{field}", async Task<Results<JsonHttpResult<IReadOnlyList<Series>>, ProblemHttpResult>> (
            string measurement, string field, string? range, string? window, string? aggregate, string? group,
            HttpContext http, IHistoryReader history, IInventoryProvider inventory, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (!history.KeepsHistory)
            {
                return TypedResults.Problem("this process keeps no history", statusCode: StatusCodes.Status404NotFound);
            }

            var to = time.GetUtcNow();
            var (query, problem) = Parse(measurement, field, range, window, aggregate, group, http.Request.Query, to);
            if (query is null)
            {
                return BadRequest(problem!);
            }

            if (!InScope(query, NetOpsClaims.ScopeOf(http.User), inventory.Current, to))
            {
                return TypedResults.Problem($"this login sees the history of its events only: filter by {Schema.Tags.Event}, " +
                    $"{Schema.Tags.Node}, {Schema.Tags.Endpoint} or {Schema.Tags.Device} with one of them", statusCode: StatusCodes.Status403Forbidden);
            }

            // The store answers one series more than asked when the filter selects more: refused, not cut, so a chart
            // never shows part of what was asked as if it were all.
            var series = await history.QueryAsync(query, cancellationToken);
            if (series.Count > query.MaxSeries)
            {
                var windows = Windows(query.To - query.From, query.Window);
                return BadRequest($"the query selects more than {query.MaxSeries} series (at most {MostSeries}, and at most " +
                    $"{MostPoints} points in all: {windows} windows each); filter by a tag (device=...), group by fewer tags or ask for " +
                    "fewer windows (a longer window or a shorter range)");
            }

            return TypedResults.Json(series, json);
        })
            .WithName("GetHistory")
            .Produces<IReadOnlyList<Series>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A measurement's field from the history, aggregated per window")
            .WithDescription($"range (a time span d.hh:mm:ss, default 01:00:00, from 1 s to {LongestRange.TotalDays} days) back from now; " +
                $"window (default 00:01:00, or range / {MostWindows} when longer; from 1 s to range) with at most {MostWindows} windows " +
                $"per series; aggregate ({Aggregates}; default mean); group: a comma list of at most {MostGroupTags} tags that split the " +
                $"series; any other query parameter (at most {MostFilters}, each once) filters by that tag (device=acc-nord). At most " +
                $"{MostSeries} series and {MostPoints} points in all. 400 names the parameter out of bounds and what it allows; " +
                "404 when this process keeps no history.");
    }

    /// <summary>
    /// Whether a scoped login (a coordinator) may ask this: only with a tag filter that pins the series to its scope (its
    /// event, or a node, endpoint or device of it). Series of other entities never carry that tag value, so grouping within
    /// the filter cannot widen it.
    /// </summary>
    private static bool InScope(SeriesQuery query, Scope scope, FleetInventory inventory, DateTimeOffset now)
    {
        if (scope.IsAll)
        {
            return true;
        }

        return query.Where.Any(f => f.Key switch
        {
            Schema.Tags.Event => scope.EventIds?.Contains(f.Value) == true,
            Schema.Tags.Node => inventory.Contains(scope, EntityRef.Node(f.Value), now),
            Schema.Tags.Endpoint => inventory.Contains(scope, EntityRef.Endpoint(f.Value), now),
            Schema.Tags.Device => inventory.Contains(scope, EntityRef.Device(f.Value), now),
            _ => false,
        });
    }

    /// <summary>The store's question, or a problem that says which parameter is out of its bounds.</summary>
    private static (SeriesQuery? Query, string? Problem) Parse(string measurement, string field, string? range, string? window, string? aggregate, string? group,
        IQueryCollection parameters, DateTimeOffset to)
    {
        var span = DefaultRange;
        if (range is not null && (!TimeSpan.TryParse(range, CultureInfo.InvariantCulture, out span) || span < ShortestWindow || span > LongestRange))
        {
            return Refuse($"range is a time span from 00:00:01 to {LongestRange.TotalDays}.00:00:00 ({LongestRange.TotalDays} days), not '{range}'");
        }

        // Without a window, a minute, or as long as a long range needs to stay within the windows it may have.
        var step = window is null
            ? Min(span, Max(DefaultWindow, TimeSpan.FromSeconds(Math.Ceiling(span.TotalSeconds / MostWindows))))
            : TimeSpan.Zero;
        if (window is not null && (!TimeSpan.TryParse(window, CultureInfo.InvariantCulture, out step) || step < ShortestWindow || step > span))
        {
            return Refuse($"window is a time span from 00:00:01 to the range ({span:c}), not '{window}'");
        }

        if (Windows(span, step) > MostWindows)
        {
            return Refuse($"range / window is at most {MostWindows} windows per series, not {Windows(span, step)} (range {span:c}, " +
                $"window {step:c}): take a window of at least {TimeSpan.FromSeconds(Math.Ceiling(span.TotalSeconds / MostWindows)):c}");
        }

        // By name only: Enum.TryParse would take "7" too.
        var how = aggregate is null ? Aggregate.Mean
            : Enum.GetValues<Aggregate>().Where(a => a.ToString().Equals(aggregate, StringComparison.OrdinalIgnoreCase)).Cast<Aggregate?>().FirstOrDefault();
        if (how is null)
        {
            return Refuse($"aggregate is one of {Aggregates}, not '{aggregate}'");
        }

        var groupBy = (group ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (groupBy.Length > MostGroupTags || groupBy.Any(g => g.Length > LongestName))
        {
            return Refuse($"group is a comma list of at most {MostGroupTags} tags of at most {LongestName} characters each");
        }

        // Any other query parameter filters by that tag (device=acc-nord).
        var filters = parameters.Where(q => !Reserved.Contains(q.Key, StringComparer.OrdinalIgnoreCase)).ToList();
        if (filters.Count > MostFilters)
        {
            return Refuse($"at most {MostFilters} tag filters (query parameters besides range, window, aggregate and group), not {filters.Count}");
        }

        if (filters.FirstOrDefault(f => f.Value.Count != 1) is { Key: not null } repeated)
        {
            return Refuse($"the tag filter {Shorten(repeated.Key)} is given {repeated.Value.Count} times: each tag once");
        }

        if (filters.FirstOrDefault(f => f.Key.Length > LongestName || f.Value.ToString().Length > LongestName) is { Key: not null } longOne)
        {
            return Refuse($"the tag filter {Shorten(longOne.Key)}: a tag name and value have at most {LongestName} characters each");
        }

        if (measurement.Length > LongestName || field.Length > LongestName)
        {
            return Refuse($"measurement and field have at most {LongestName} characters each");
        }

        return (new SeriesQuery(measurement, field, to - span, to, step, how.Value)
        {
            Where = filters.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            GroupBy = groupBy,
            MaxSeries = (int)Math.Min(MostSeries, MostPoints / Windows(span, step)),
        }, null);
    }

    private static (SeriesQuery?, string?) Refuse(string problem) => (null, problem);

    /// <summary>Windows of <paramref name="step"/> that cover <paramref name="span"/>.</summary>
    private static long Windows(TimeSpan span, TimeSpan step) => (span.Ticks + step.Ticks - 1) / step.Ticks;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);
}
