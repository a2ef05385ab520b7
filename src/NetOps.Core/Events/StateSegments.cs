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
    /// Each stretch runs to the next recorded change, whatever that change says it came from. A change whose
    /// <see cref="StateChange.From"/> is not the value held is not taken as a gap in the evidence: a restart leaves that
    /// mark, but so do changes recorded out of the order they were applied (a state's time is its evidence's, and a busy
    /// engine applies a collector's poll after a node's later report), and reading those as gaps turned a camera that was
    /// up into half a minute without evidence. Where NetOps was not running is therefore not known to the history.
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
