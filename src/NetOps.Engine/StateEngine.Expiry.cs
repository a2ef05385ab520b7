using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Expiry: evidence that outlived its freshness, or whose source announced it is gone, turns unknown.</summary>
public sealed partial class StateEngine
{
    /// <summary>Turns states whose evidence outlived its freshness limit to unknown.</summary>
    public StateDelta? Expire()
    {
        var now = _time.GetUtcNow();
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
    /// A source announced it is gone (its last will): every state whose evidence came from it turns unknown now,
    /// instead of staying green until its freshness runs out.
    /// </summary>
    public StateDelta? SourceGone(string collector, DateTimeOffset at)
    {
        foreach (var state in _states.Values.Where(s => CollectorOf(s.Source) == collector &&
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
        return TakeDelta();
    }

    /// <summary>The collector part of a source name ("worker-1#3fa2c1d0" → "worker-1").</summary>
    public static string CollectorOf(string source)
    {
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? source : source[..hash];
    }
}
