using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Expiry: evidence that outlived its freshness, or whose source announced it is gone, turns unknown.</summary>
public sealed partial class StateEngine
{
    private readonly Dictionary<string, DateTimeOffset> _goneCollectors = new(StringComparer.Ordinal);

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
        foreach (var (collector, at) in _goneCollectors.Where(g => g.Value + CollectorGoneGrace <= now).ToList())
        {
            _goneCollectors.Remove(collector);
            MarkGone(collector, at);
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
        if (CollectorGoneGrace > TimeSpan.Zero)
        {
            _goneCollectors[collector] = at;
            return null;
        }

        MarkGone(collector, at);
        return TakeDelta();
    }

    private void MarkGone(string collector, DateTimeOffset at)
    {
        // Evidence given after the announcement (the collector restarted under its name) is not the gone one's.
        foreach (var state in _states.Values.Where(s => CollectorOf(s.Source) == collector && s.ObservedAt <= at &&
                                                         s.Value is not StateValue.Unknown and not StateValue.Inactive).ToList())
        {
            Put(state with
            {
                Value = StateValue.Unknown,
                Reason = Reason.Of(ReasonCodes.SourceGone, ("source", collector), ("last", state.ObservedAt)),
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
