using NetOps.Core.State;

namespace NetOps.Core.Events;

/// <summary>A stretch of time one thing held one value for one reason.</summary>
public sealed record StateSegment(DateTimeOffset From, DateTimeOffset Until, StateValue Value, Reason Reason)
{
    public TimeSpan Duration => Until - From;

    /// <summary>Up or degraded: connected.</summary>
    public bool Reachable => Value is StateValue.Up or StateValue.Degraded;
}

/// <summary>
/// The one reading of an entity's recorded changes as stretches of time: what <see cref="Availability"/>, the
/// <see cref="CoverageTimeline"/> and the report's battery episodes and uplinks are computed from.
/// </summary>
public static class StateSegments
{
    /// <summary>
    /// The stretches of [<paramref name="from"/>, <paramref name="until"/>) from <paramref name="changes"/> (oldest first), one
    /// per recorded change (a change of reason alone starts a new one). The last change before <paramref name="from"/> gives
    /// the value the window starts with; without one it starts with no evidence.
    /// </summary>
    /// <remarks>
    /// A change that does not start from the value held (its <see cref="StateChange.From"/> differs) means changes were not
    /// recorded in between: NetOps restarted, or a recorder dropped changes. When the thing left the value held is not
    /// known, so the time since the last recorded change counts as no evidence: never reachable by default.
    /// </remarks>
    public static IReadOnlyList<StateSegment> Of(IReadOnlyList<StateChange> changes, DateTimeOffset from, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var segments = new List<StateSegment>();
        if (until <= from)
        {
            return segments;
        }

        var before = changes.LastOrDefault(c => c.At <= from);
        var value = before?.To ?? StateValue.Unknown;
        var reason = before?.Reason ?? NoEvidence;
        var at = from;
        foreach (var change in changes.Where(c => c.At > from && c.At < until))
        {
            if (change.From != value)
            {
                (value, reason) = (StateValue.Unknown, NoEvidence);
            }

            if (change.At > at)
            {
                segments.Add(new StateSegment(at, change.At, value, reason));
            }

            (value, reason, at) = (change.To, change.Reason, change.At);
        }

        segments.Add(new StateSegment(at, until, value, reason));
        return segments;
    }

    private static readonly Reason NoEvidence = Reason.Of(ReasonCodes.NoEvidence);
}
