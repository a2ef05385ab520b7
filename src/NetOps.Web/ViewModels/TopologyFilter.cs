namespace NetOps.Web.ViewModels;

/// <summary>The health filter of the topology.</summary>
public enum HealthFilter
{
    All,
    Problems,
    Down,
    Degraded,
    Unknown,
}

/// <summary>What the topology shows at full strength: one site or ray ("ray:nord"), one event, one health.</summary>
public sealed record TopologyFilter(string? Site = null, string? Event = null, HealthFilter Health = HealthFilter.All)
{
    public bool IsEmpty => Site is null && Event is null && Health == HealthFilter.All;
}
