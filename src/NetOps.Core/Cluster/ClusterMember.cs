namespace NetOps.Core.Cluster;

/// <summary>
/// A collector as the membership table holds it: alive while <see cref="ExpiresAt"/> (its last heartbeat plus its lease,
/// both on the database's clock) is ahead of the database's now.
/// </summary>
public sealed record ClusterMember(string Name, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, DateTimeOffset ExpiresAt, int Devices, string? Process);

/// <summary>
/// The members alive at <see cref="Now"/>, the store's clock (one clock for every member, whatever theirs say). After a
/// heartbeat, <see cref="NameHeldBy"/> names the other live process that holds the caller's name (its lease not run out),
/// in which case the caller is not a member.
/// </summary>
public sealed record MembershipView(DateTimeOffset Now, IReadOnlyList<ClusterMember> Members)
{
    public string? NameHeldBy { get; init; }
}

/// <summary>A collector's heartbeat: who it is and what it polls now, renewed with a lease counted on the store's clock.</summary>
public sealed record MemberHeartbeat(string Name, DateTimeOffset StartedAt, TimeSpan Lease, int Devices, string? Process);

/// <summary>
/// Where collectors announce themselves: a table on PostgreSQL, which already does locking and time well (no home-made
/// consensus). A heartbeat renews the member's lease and reads the live members in one round trip.
/// </summary>
public interface IMembershipStore
{
    /// <summary>
    /// Renews (or creates) the member's row and returns the live members, the caller included; when another live process
    /// holds the name, nothing is renewed and <see cref="MembershipView.NameHeldBy"/> says which.
    /// </summary>
    Task<MembershipView> HeartbeatAsync(MemberHeartbeat heartbeat, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the member's row if this process (<paramref name="process"/>) holds it: the others take its devices at their
    /// next heartbeat instead of after its lease. A row another process holds under the name is left alone.
    /// </summary>
    Task LeaveAsync(string name, string? process, CancellationToken cancellationToken);

    /// <summary>The live members, for pages and probes (no heartbeat).</summary>
    Task<MembershipView> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Where the membership is kept, for logs and pages (no secret: never the connection string).</summary>
    string Description { get; }
}

/// <summary>The devices split over the live members by <see cref="Rendezvous"/>; the same in every process that sees them.</summary>
public sealed class ClusterAssignment
{
    private readonly string[] _members;

    /// <summary>
    /// The devices split over <paramref name="members"/> and this process (<paramref name="self"/>), or, when
    /// <paramref name="isMember"/> is false (its name is held by another live process), over the members alone: this
    /// process owns nothing until it is one of them.
    /// </summary>
    public ClusterAssignment(string self, IEnumerable<string> members, bool isMember = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(self);
        ArgumentNullException.ThrowIfNull(members);
        Self = self;
        IsMember = isMember;
        _members = [.. (isMember ? members.Append(self) : members).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>This process's member name.</summary>
    public string Self { get; }

    /// <summary>False while this process waits for its name (held by another live process): it polls nothing.</summary>
    public bool IsMember { get; }

    /// <summary>Every member the devices are split over, in ordinal order, this one included when it is a member.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>Which member polls the device (or probes the endpoints of the node).</summary>
    public string OwnerOf(string id) => Rendezvous.OwnerOf(id, _members);

    /// <summary>True when this process polls the device.</summary>
    public bool Owns(string id) => IsMember && (_members.Length == 1 || string.Equals(OwnerOf(id), Self, StringComparison.Ordinal));

    /// <summary>True when both split the devices over the same members, with this process in both or in neither.</summary>
    public bool SameMembers(ClusterAssignment other) =>
        other is not null && IsMember == other.IsMember && _members.AsSpan().SequenceEqual(other._members);
}
