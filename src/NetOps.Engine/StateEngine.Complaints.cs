using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Complaints: what each health concern holds against an entity that is otherwise up, which makes it degraded.</summary>
public sealed partial class StateEngine
{
    /// <summary>
    /// What each health concern (utilisation, errors, optics) holds against an entity that is otherwise up. Kept
    /// until that concern says otherwise, so polls of different sections at different intervals do not flap the state.
    /// </summary>
    private readonly Dictionary<EntityRef, SortedDictionary<string, Complaint>> _complaints = [];

    /// <summary>
    /// Sets (or with a null reason clears) what one concern holds against an entity, and re-derives the entity: an
    /// entity that is up turns degraded with the worst complaint's reason, and back to up when the last one clears.
    /// </summary>
    private void Complain(EntityRef entity, string concern, HealthLevel level, Reason? reason)
    {
        if (reason is null || level == HealthLevel.Ok)
        {
            if (_complaints.TryGetValue(entity, out var held) && held.Remove(concern) && held.Count == 0)
            {
                _complaints.Remove(entity);
            }
        }
        else
        {
            if (!_complaints.TryGetValue(entity, out var held))
            {
                _complaints[entity] = held = new SortedDictionary<string, Complaint>(StringComparer.Ordinal);
            }

            held[concern] = new Complaint(level, reason);
        }

        if (_states.GetValueOrDefault(entity) is { Value: StateValue.Up or StateValue.Degraded } current)
        {
            var (value, why) = WithComplaints(entity, StateValue.Up, UpReasonOf(current));
            if (value != current.Value || !why.Equals(current.Reason))
            {
                Put(current with { Value = value, Reason = why, Since = _time.GetUtcNow() });
            }
        }
    }

    /// <summary>An entity that is up with complaints against it is degraded, for the worst of them.</summary>
    private (StateValue Value, Reason Reason) WithComplaints(EntityRef entity, StateValue value, Reason reason)
    {
        if (value != StateValue.Up || !_complaints.TryGetValue(entity, out var held) || held.Count == 0)
        {
            return (value, reason);
        }

        var worst = held.Values.OrderByDescending(c => c.Level).First();
        return (StateValue.Degraded, worst.Reason);
    }

    /// <summary>The reason an entity has when it is up and nothing is held against it.</summary>
    private Reason UpReasonOf(EntityState state)
    {
        if (state.Value == StateValue.Up)
        {
            return state.Reason;
        }

        return state.Entity.Kind switch
        {
            EntityKind.Port when state.Entity.Id.Split('/', 2) is [var device, var port] =>
                Reason.Of(ReasonCodes.PortOperUp, ("device", device), ("port", port)),
            EntityKind.Device => Reason.Of(ReasonCodes.DeviceResponding, ("device", state.Entity.Id)),
            _ => Reason.Of(ReasonCodes.NoEvidence),
        };
    }

    /// <summary>One concern's complaint about an entity.</summary>
    private sealed record Complaint(HealthLevel Level, Reason Reason);
}
