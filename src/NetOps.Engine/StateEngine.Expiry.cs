using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Expiry: evidence that outlived its freshness, or whose source announced it is gone, turns unknown.</summary>
public sealed partial class StateEngine
{
    // A gone collector: when its will came, and the sources (name#start) its states came from then.
    private readonly Dictionary<string, (DateTimeOffset At, HashSet<string> Sources)> _goneCollectors = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a collector that announced it is gone leaves its evidence standing: the time the other collectors need to
    /// take its devices over (their lease, a heartbeat, half an interval). Zero: its states turn unknown at once.
    /// </summary>
    public TimeSpan CollectorGoneGrace { get; set; }

    /// <summary>
    /// Turns states whose evidence outlived its freshness limit to unknown, and those a gone collector gave and nobody
    /// renewed within <see cref="CollectorGoneGrace"/>.
    /// </summary>
    public StateDelta? Expire()
    {
        var now = _time.GetUtcNow();
        foreach (var (collector, gone) in _goneCollectors.Where(g => g.Value.At + CollectorGoneGrace <= now).ToList())
        {
            _goneCollectors.Remove(collector);
            MarkGone(gone.Sources, gone.At);
        }

        foreach (var state in _states.Values.ToList())
        {
            if (state.Value is StateValue.Unknown or StateValue.Inactive || state.ObservedAt + state.FreshFor > now)
            {
                continue;
            }

            Put(state with
            {
                Value = StateValue.Unknown,
                Reason = Reason.Of(ReasonCodes.Stale, ("source", state.Source), ("last", state.ObservedAt)),
                Since = now,
            });
        }

        RederiveAll(now);
        return TakeDelta();
    }

    /// <summary>
    /// A source announced it is gone (its last will): every state whose evidence came from it, and was not renewed by
    /// another collector within <see cref="CollectorGoneGrace"/>, turns unknown then, instead of staying green until its
    /// freshness runs out. A device another collector took over in time never flips.
    /// </summary>
    public StateDelta? SourceGone(string collector, DateTimeOffset at)
    {
        // The sources of that collector's run (name#start): evidence a later run under the same name gives is not the gone
        // one's, whatever the two clocks say.
        var sources = _states.Values.Select(s => s.Source).Where(s => CollectorOf(s) == collector).ToHashSet(StringComparer.Ordinal);
        if (CollectorGoneGrace > TimeSpan.Zero)
        {
            _goneCollectors[collector] = _goneCollectors.TryGetValue(collector, out var earlier) ? (earlier.At, [.. earlier.Sources, .. sources]) : (at, sources);
            return null;
        }

        MarkGone(sources, at);
        return TakeDelta();
    }

    private void MarkGone(HashSet<string> sources, DateTimeOffset at)
    {
        foreach (var state in _states.Values.Where(s => sources.Contains(s.Source) && s.Value is not StateValue.Unknown and not StateValue.Inactive).ToList())
        {
            Put(state with
            {
                Value = StateValue.Unknown,
                Reason = Reason.Of(ReasonCodes.SourceGone, ("source", CollectorOf(state.Source)), ("last", state.ObservedAt)),
                Since = at,
            });
        }

        RederiveAll(_time.GetUtcNow());
    }

    /// <summary>The collector part of a source name ("worker-1#3fa2c1d0" → "worker-1").</summary>
    public static string CollectorOf(string source)
    {
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? source : source[..hash];
    }
}
