using NetOps.Core.State;

namespace NetOps.Database;

/// <summary>A row of the state history: one change of one entity's health (table <c>state_changes</c>).</summary>
public sealed class StateChangeRecord
{
    public long Id { get; set; }

    /// <summary>When the entity entered its new state (its <see cref="EntityState.Since"/>), UTC.</summary>
    public DateTime At { get; set; }

    public EntityKind EntityKind { get; set; }

    public required string EntityId { get; set; }

    public StateValue From { get; set; }

    public StateValue To { get; set; }

    public required string ReasonCode { get; set; }

    /// <summary>The reason's named values as a JSON object (jsonb on PostgreSQL).</summary>
    public required string ReasonArgs { get; set; }
}
