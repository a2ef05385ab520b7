namespace NetOps.Mqtt;

/// <summary>A fixed catalog; a null id set accepts every id.</summary>
public sealed class StaticNodeCatalog(IReadOnlySet<string>? knownIds = null, IReadOnlyDictionary<string, TimeSpan>? intervals = null)
    : INodeCatalog
{
    /// <summary>Accepts every id and knows no intervals.</summary>
    public static StaticNodeCatalog AcceptAll { get; } = new();

    public bool IsKnown(string id) => knownIds is null || knownIds.Contains(id);

    public TimeSpan? ReportInterval(string id) =>
        intervals is not null && intervals.TryGetValue(id, out var interval) ? interval : null;
}
