namespace NetOps.Core.Cluster;

/// <summary>
/// The membership of one process (all-in-one, SQLite): kept in memory, on this process's clock. Collectors elsewhere
/// cannot see it; a site with several collectors keeps its membership on PostgreSQL.
/// </summary>
public sealed class LocalMembershipStore(TimeProvider? time = null) : IMembershipStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, ClusterMember> _members = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public string Description => "this process (in memory)";

    public Task<MembershipView> HeartbeatAsync(MemberHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // As on PostgreSQL: a name is held by one process while its lease runs.
            if (_members.TryGetValue(heartbeat.Name, out var holder) && holder.ExpiresAt > now && holder.Process != heartbeat.Process)
            {
                return Task.FromResult(ViewAt(now) with { NameHeldBy = holder.Process ?? "another process" });
            }

            _members[heartbeat.Name] = new ClusterMember(heartbeat.Name, heartbeat.StartedAt, now, now + heartbeat.Lease, heartbeat.Devices, heartbeat.Process);
            return Task.FromResult(ViewAt(now));
        }
    }

    public Task LeaveAsync(string name, string? process, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_members.TryGetValue(name, out var member) && member.Process == process)
            {
                _members.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    public Task<MembershipView> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(ViewAt(_time.GetUtcNow()));
        }
    }

    private MembershipView ViewAt(DateTimeOffset now) =>
        new(now, [.. _members.Values.Where(m => m.ExpiresAt > now).OrderBy(m => m.Name, StringComparer.Ordinal)]);
}
