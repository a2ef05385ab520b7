using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Scopes: the whole model, or the part of it a scope (events, sites) covers.</summary>
public sealed partial class StateEngine
{
    /// <summary>The whole model, or the part a scope covers (<see cref="ScopeRules"/>).</summary>
    public StateSnapshot Snapshot(Scope scope)
    {
        var now = _time.GetUtcNow();
        return new(Version, _states.Values.Where(s => _inventory.Contains(scope, s.Entity, now, s.Attributes)).ToList())
        {
            Sequences = new Dictionary<string, long>(_lastSequence, StringComparer.Ordinal),
        };
    }
}
