using NetOps.Storage;
using NetOps.Web.History;

namespace NetOps.Web.ViewModels;

/// <summary>One line of a chart.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

/// <summary>
/// What a chart of a detail page shows: one field of one measurement from the store, filtered by tags, optionally split
/// by a tag. A counter (octets) is turned into a rate in bit/s per window.
/// </summary>
public sealed record ChartSpec(string Title, string Measurement, string Field, IReadOnlyDictionary<string, string> Where, string Unit)
{
    public Aggregate Aggregate { get; init; } = Aggregate.Mean;
    public string? GroupBy { get; init; }

    /// <summary>The field is a byte counter: chart the rate between windows in bit/s.</summary>
    public bool CounterToBits { get; init; }
}

/// <summary>The ranges a detail page offers, and the window each is aggregated in (about 120 points per chart).</summary>
public static class ChartRanges
{
    public static IReadOnlyList<(string Label, TimeSpan Range)> Choices { get; } =
        [("1h", TimeSpan.FromHours(1)), ("6h", TimeSpan.FromHours(6)), ("24h", TimeSpan.FromHours(24)), ("7d", TimeSpan.FromDays(7))];

    public static TimeSpan WindowOf(TimeSpan range) => TimeSpan.FromSeconds(Math.Max(1, Math.Round(range.TotalSeconds / 120)));

    /// <summary>A range from the URL: a label above or a time span ("00:05:00"); anything else is an hour.</summary>
    public static TimeSpan Parse(string? text) =>
        Choices.FirstOrDefault(c => c.Label == text).Range is { Ticks: > 0 } known ? known
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero && span <= TimeSpan.FromDays(31) ? span
        : TimeSpan.FromHours(1);

    /// <summary>Loads one chart from the store.</summary>
    public static async Task<IReadOnlyList<ChartSeries>> LoadAsync(IHistoryReader history, ChartSpec spec, DateTimeOffset to, TimeSpan range,
        CancellationToken cancellationToken)
    {
        var query = new SeriesQuery(spec.Measurement, spec.Field, to - range, to, WindowOf(range), spec.CounterToBits ? Aggregate.Max : spec.Aggregate)
        {
            Where = spec.Where,
            GroupBy = spec.GroupBy is null ? [] : [spec.GroupBy],
        };
        var series = await history.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        return series.Select(s => new ChartSeries(
                spec.GroupBy is { } tag ? s.Tags.GetValueOrDefault(tag) ?? spec.Title : spec.Title,
                spec.CounterToBits ? Rates(s.Points) : s.Points.Select(p => (p.Time, p.Value)).ToList()))
            .ToList();
    }

    /// <summary>Bits per second between consecutive windows of a byte counter; a counter that went back gives no point.</summary>
    public static IReadOnlyList<(DateTimeOffset, double)> Rates(IReadOnlyList<SeriesPoint> points)
    {
        var rates = new List<(DateTimeOffset, double)>();
        for (var i = 1; i < points.Count; i++)
        {
            var seconds = (points[i].Time - points[i - 1].Time).TotalSeconds;
            var delta = points[i].Value - points[i - 1].Value;
            if (seconds > 0 && delta >= 0)
            {
                rates.Add((points[i].Time, delta * 8 / seconds));
            }
        }

        return rates;
    }
}
