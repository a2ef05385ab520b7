using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>What a camera or sensor was in a stretch of the timeline.</summary>
public enum TimelineValue
{
    /// <summary>No evidence: before it was first seen, stale, or a stretch the history did not record (a restart).</summary>
    Unknown,

    /// <summary>Up or degraded.</summary>
    Reachable,

    Down,

    /// <summary>Not deployed: not expected, not counted.</summary>
    Inactive,
}

/// <summary>One stretch of a thing's timeline.</summary>
public sealed record TimelineSegment(DateTimeOffset From, DateTimeOffset Until, TimelineValue Value)
{
    public TimeSpan Duration => Until - From;
}

/// <summary>A stretch in which a zone had the same number of its cameras and sensors reachable of those expected (not inactive).</summary>
public sealed record ZoneStep(DateTimeOffset From, DateTimeOffset Until, int Reachable, int Expected)
{
    public TimeSpan Duration => Until - From;

    /// <summary>Reachable of expected, 0 to 100; null when nothing was expected.</summary>
    public double? Percent => Expected > 0 ? 100.0 * Reachable / Expected : null;
}

/// <summary>One camera or sensor on the timeline.</summary>
public sealed record EndpointTimeline(EntityRef Entity, string Name, string Kind, IReadOnlyList<TimelineSegment> Segments);

/// <summary>A zone on the timeline: its step function "reachable of expected" and each camera's and sensor's stretches.</summary>
public sealed record ZoneTimeline(string ZoneId, string Name, IReadOnlyList<ZoneStep> Steps, IReadOnlyList<EndpointTimeline> Endpoints);

/// <summary>
/// The coverage of an event over its live time (start to end, or to now while it runs) from the recorded state history,
/// per zone and per camera and sensor. Stretches start when NetOps first recorded the event's things
/// (<see cref="WatchedFrom"/>); before that nothing is known.
/// </summary>
public sealed record CoverageTimeline(Event Event, DateTimeOffset From, DateTimeOffset Until, DateTimeOffset WatchedFrom, IReadOnlyList<ZoneTimeline> Zones)
{
    /// <summary>The timeline of <paramref name="ev"/>; null before it starts.</summary>
    public static async Task<CoverageTimeline?> BuildAsync(FleetInventory inventory, Event ev, IStateHistory history, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        await EventHistory.ReadAsync(inventory, ev, history, now, cancellationToken).ConfigureAwait(false) is { } read ? Of(read) : null;

    /// <summary>The timeline of an event's history read.</summary>
    public static CoverageTimeline Of(EventHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var zones = history.Event.Zones.Select(z =>
        {
            var endpoints = history.Things.Where(t => t.ZoneId == z.Id && t.Entity.Kind == EntityKind.Endpoint)
                .Select(t => new EndpointTimeline(t.Entity, t.Name, t.Kind, Segments(t.Segments)))
                .ToList();
            return new ZoneTimeline(z.Id, z.Name, Steps(endpoints.Select(e => e.Segments).ToList()), endpoints);
        }).ToList();
        return new CoverageTimeline(history.Event, history.Event.Start, history.Until, history.WatchedFrom, zones);
    }

    /// <summary>A thing's stretches as the timeline shows them: consecutive stretches of one value merged.</summary>
    public static IReadOnlyList<TimelineSegment> Segments(IReadOnlyList<StateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var merged = new List<TimelineSegment>();
        foreach (var segment in segments)
        {
            var value = segment.Value switch
            {
                StateValue.Up or StateValue.Degraded => TimelineValue.Reachable,
                StateValue.Down => TimelineValue.Down,
                StateValue.Inactive => TimelineValue.Inactive,
                _ => TimelineValue.Unknown,
            };
            if (merged.Count > 0 && merged[^1].Value == value && merged[^1].Until == segment.From)
            {
                merged[^1] = merged[^1] with { Until = segment.Until };
            }
            else
            {
                merged.Add(new TimelineSegment(segment.From, segment.Until, value));
            }
        }

        return merged;
    }

    /// <summary>
    /// The step function over the things' stretches (each covering the same window): at every boundary of any of them,
    /// how many were reachable of those expected; consecutive steps with the same counts merged.
    /// </summary>
    public static IReadOnlyList<ZoneStep> Steps(IReadOnlyList<IReadOnlyList<TimelineSegment>> things)
    {
        ArgumentNullException.ThrowIfNull(things);
        var bounds = things.SelectMany(t => t.SelectMany(s => new[] { s.From, s.Until })).Distinct().Order().ToList();
        var steps = new List<ZoneStep>();
        var cursor = new int[things.Count];
        for (var b = 0; b + 1 < bounds.Count; b++)
        {
            var (from, until) = (bounds[b], bounds[b + 1]);
            var (reachable, expected) = (0, 0);
            for (var i = 0; i < things.Count; i++)
            {
                var segments = things[i];
                while (cursor[i] < segments.Count && segments[cursor[i]].Until <= from)
                {
                    cursor[i]++;
                }

                if (cursor[i] < segments.Count && segments[cursor[i]].From <= from && segments[cursor[i]].Value is var value && value != TimelineValue.Inactive)
                {
                    expected++;
                    reachable += value == TimelineValue.Reachable ? 1 : 0;
                }
            }

            if (steps.Count > 0 && steps[^1].Reachable == reachable && steps[^1].Expected == expected)
            {
                steps[^1] = steps[^1] with { Until = until };
            }
            else
            {
                steps.Add(new ZoneStep(from, until, reachable, expected));
            }
        }

        return steps;
    }
}
