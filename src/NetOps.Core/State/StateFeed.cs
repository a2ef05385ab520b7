namespace NetOps.Core.State;

/// <summary>Which part of the fleet a query or feed covers; the default is everything.</summary>
public sealed record Scope(IReadOnlySet<string>? EventIds = null, IReadOnlySet<string>? SiteIds = null)
{
    public static Scope All { get; } = new();

    /// <summary>No event and no site: an account without a role, or a coordinator with no event assigned.</summary>
    public static Scope Nothing { get; } = new(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    public bool IsAll => EventIds is null && SiteIds is null;
}

/// <summary>
/// A versioned change set: states that changed and entities that left the inventory. <see cref="Sequences"/> holds the
/// last applied sequence of each source that moved, so a standby engine taking over never applies an observation twice.
/// </summary>
public sealed record StateDelta(long Version, IReadOnlyList<EntityState> Changed, IReadOnlyList<EntityRef> Removed)
{
    public IReadOnlyDictionary<string, long> Sequences { get; init; } = new Dictionary<string, long>();

    public bool IsEmpty => Changed.Count == 0 && Removed.Count == 0;
}

/// <summary>The whole live model at one version, with the last applied sequence of every source.</summary>
public sealed record StateSnapshot(long Version, IReadOnlyList<EntityState> States)
{
    public IReadOnlyDictionary<string, long> Sequences { get; init; } = new Dictionary<string, long>();
}

/// <summary>
/// Where readers get the live state: a snapshot, then every delta after it in order.
/// Implemented in-process (channels) and, across processes, over MQTT.
/// </summary>
public interface IStateFeed
{
    /// <summary>The current snapshot for a scope.</summary>
    ValueTask<StateSnapshot> GetSnapshotAsync(Scope scope, CancellationToken cancellationToken);

    /// <summary>Deltas with a version above <paramref name="afterVersion"/>, in order, until cancelled.</summary>
    IAsyncEnumerable<StateDelta> SubscribeAsync(long afterVersion, CancellationToken cancellationToken);
}

/// <summary>Where the state engine publishes what it derived.</summary>
public interface IStatePublisher
{
    /// <summary>Publishes one delta; deltas arrive with consecutive versions.</summary>
    ValueTask PublishAsync(StateDelta delta, CancellationToken cancellationToken);
}
