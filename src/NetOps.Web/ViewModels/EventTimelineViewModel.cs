using System.Globalization;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Web.ViewModels;

/// <summary>One bar of a timeline row: where it stands on a 0–1000 scale, its colour class, its data and its tooltip.</summary>
public sealed record TimelineBar(double X, double Width, string Css, string From, string Until, string Value, string Title);

/// <summary>One row of the timeline: a zone's share reachable, or one camera's or sensor's stretches.</summary>
public sealed record TimelineRow(string? Zone, string? Entity, string Name, IReadOnlyList<TimelineBar> Bars);

/// <summary>A tick of the time axis, at a share (0–100 %) of the width.</summary>
public sealed record TimelineTick(double Percent, string Label);

/// <summary>A zone's timeline: its own row, then a row per camera and sensor.</summary>
public sealed record ZoneTimelineRows(string ZoneId, string Name, TimelineRow Zone, IReadOnlyList<TimelineRow> Endpoints);

/// <summary>
/// Page state of an event's coverage timeline: read from the recorded state history (<see cref="CoverageTimeline"/>) and
/// laid out on a 0–1000 scale over the live time NetOps recorded: from the start, or from when it first recorded the
/// event's things (a NetOps started during the event knows nothing of before, and a day of nothing would squeeze what it
/// knows into a sliver).
/// </summary>
public sealed class EventTimelineViewModel(IStateHistory history, ReasonText text, TimeProvider time)
{
    /// <summary>The width of a row in SVG units.</summary>
    public const double Scale = 1000;

    private static readonly TimeSpan[] TickSteps =
        [.. new[] { 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 604800 }.Select(s => TimeSpan.FromSeconds(s))];

    /// <summary>False until the first read finished.</summary>
    public bool Loaded { get; private set; }

    /// <summary>Null before the event starts (nothing to show) and for an event the login may not see.</summary>
    public CoverageTimeline? Timeline { get; private set; }

    public IReadOnlyList<ZoneTimelineRows> Zones { get; private set; } = [];

    public IReadOnlyList<TimelineTick> Ticks { get; private set; } = [];

    /// <summary>Where the axis starts: the event's start, or when NetOps first recorded its things.</summary>
    public DateTimeOffset AxisFrom { get; private set; }

    /// <summary>"recorded from …" when NetOps first recorded the event after its start; null otherwise.</summary>
    public string? RecordedFrom { get; private set; }

    /// <summary>The entities the timeline shows: a newly recorded change of one of them is a reason to read again.</summary>
    public IReadOnlySet<EntityRef> Watched { get; private set; } = new HashSet<EntityRef>();

    /// <summary>Reads the timeline of <paramref name="eventId"/> from <paramref name="inventory"/> (already scoped to the login).</summary>
    public async Task LoadAsync(FleetInventory inventory, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var now = time.GetUtcNow();
        Timeline = inventory.Events.TryGetValue(eventId, out var ev)
            ? await CoverageTimeline.BuildAsync(inventory, ev, history, now, cancellationToken)
            : null;
        Loaded = true;
        if (Timeline is not { } timeline || timeline.Until <= timeline.From)
        {
            (Zones, Ticks, Watched) = ([], [], new HashSet<EntityRef>());
            return;
        }

        AxisFrom = timeline.WatchedFrom < timeline.Until ? timeline.WatchedFrom : timeline.From;
        RecordedFrom = AxisFrom > timeline.From ? $"NetOps recorded the event from {text.Full(AxisFrom)}; it began {text.Full(timeline.From)}." : null;
        Zones = [.. timeline.Zones.Select(z => new ZoneTimelineRows(z.ZoneId, z.Name, ZoneRow(timeline, z), [.. z.Endpoints.Select(e => EndpointRow(timeline, e))]))];
        Ticks = TicksOf(AxisFrom, timeline.Until);
        Watched = timeline.Zones.SelectMany(z => z.Endpoints).Select(e => e.Entity).ToHashSet();
    }

    private TimelineRow ZoneRow(CoverageTimeline timeline, ZoneTimeline zone)
    {
        var bars = zone.Steps.Select(s =>
        {
            var share = s.Percent is { } p ? p.ToString("0", CultureInfo.InvariantCulture) : "";
            var css = s.Percent switch
            {
                null => "share-none",
                100 => "share-full",
                >= 50 => "share-part",
                _ => "share-low",
            };
            var title = s.Expected == 0
                ? $"nothing expected, {Span(s.From, s.Until)}"
                : $"{s.Reachable} of {s.Expected} reachable ({share} %), {Span(s.From, s.Until)}";
            return Bar(timeline, s.From, s.Until, css, $"{s.Reachable}/{s.Expected}", title);
        });
        return new TimelineRow(zone.ZoneId, null, zone.Name, [.. bars]);
    }

    private TimelineRow EndpointRow(CoverageTimeline timeline, EndpointTimeline endpoint)
    {
        var bars = endpoint.Segments.Select(s =>
        {
            var value = s.Value.ToString().ToLowerInvariant();
            var label = s.Value switch
            {
                TimelineValue.Reachable => "reachable",
                TimelineValue.Down => "down",
                TimelineValue.Inactive => "not deployed",
                _ => "no evidence",
            };
            return Bar(timeline, s.From, s.Until, "value-" + value, value, $"{endpoint.Name}: {label}, {Span(s.From, s.Until)}");
        });
        return new TimelineRow(null, endpoint.Entity.ToString(), endpoint.Name, [.. bars]);
    }

    private TimelineBar Bar(CoverageTimeline timeline, DateTimeOffset from, DateTimeOffset until, string css, string value, string title)
    {
        var total = (timeline.Until - AxisFrom).Ticks;
        var x = Scale * (from - AxisFrom).Ticks / total;
        // A stretch too short to see keeps a sliver: a camera down for seconds of a three-day event still shows.
        var width = Math.Max(Scale * (until - from).Ticks / total, 0.5);
        return new TimelineBar(Math.Round(x, 2), Math.Round(Math.Min(width, Scale - x), 2), css, Iso(from), Iso(until), value, title);
    }

    private string Span(DateTimeOffset from, DateTimeOffset until) => $"{text.Full(from)} – {text.Full(until)}";

    /// <summary>Ticks at whole local steps (seconds to days), at most eight.</summary>
    private List<TimelineTick> TicksOf(DateTimeOffset from, DateTimeOffset until)
    {
        var span = until - from;
        var step = TickSteps.FirstOrDefault(s => span / s <= 8, TickSteps[^1]);
        var local = TimeZoneInfo.ConvertTime(from, text.Zone);
        // The first whole step after the start, counted from local midnight.
        var midnight = new DateTimeOffset(local.Date, local.Offset);
        var first = midnight + TimeSpan.FromTicks(((local - midnight).Ticks / step.Ticks + 1) * step.Ticks);
        var format = step >= TimeSpan.FromDays(1) || span > TimeSpan.FromDays(1) ? "ddd HH:mm" : step < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : "HH:mm";
        var ticks = new List<TimelineTick>();
        for (var at = first; at < until; at += step)
        {
            var shown = TimeZoneInfo.ConvertTime(at, text.Zone);
            ticks.Add(new TimelineTick(Math.Round(100.0 * (at - from).Ticks / span.Ticks, 2), shown.ToString(format, CultureInfo.InvariantCulture)));
        }

        return ticks;
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
