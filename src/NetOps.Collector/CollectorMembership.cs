using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Cluster;
using NetOps.Inventory;

namespace NetOps.Collector;

/// <summary>How this collector stands in the membership, for readiness and the health page.</summary>
public sealed record MembershipStatus(ClusterAssignment Assignment, DateTimeOffset? LastHeartbeat, string? Error, DateTimeOffset? FailingSince);

/// <summary>
/// This collector's membership: it heartbeats into the <see cref="IMembershipStore"/> every
/// <see cref="CollectorOptions.Heartbeat"/> with a lease of <see cref="CollectorOptions.Lease"/>, and splits the devices
/// over the live members by rendezvous hashing (<see cref="Current"/>; <see cref="Changed"/> when the members change).
/// A collector killed without a word drops out when its lease runs out; one that stops leaves at once.
/// <para>
/// When the store cannot be reached the assignment stays as it was: every device keeps its collector (no gap, no
/// duplicate), at worst a member that died meanwhile is noticed late. After an outage every lease in the store has run
/// out, so members missing from the first views are only believed gone once this collector has been connected for a
/// whole lease (long enough for every living member to have renewed its own).
/// </para>
/// </summary>
public sealed partial class CollectorMembership : IHostedService, IAsyncDisposable
{
    private readonly IMembershipStore _store;
    private readonly IInventoryProvider _inventory;
    private readonly CollectorOptions _options;
    private readonly ILogger<CollectorMembership> _logger;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly string _process;
    private readonly CancellationTokenSource _stopping = new();
    private volatile MembershipStatus _status;
    private DateTimeOffset? _reconnectedAt;
    private Task? _loop;
    private int _disposed;

    public CollectorMembership(IMembershipStore store, IInventoryProvider inventory, IOptions<CollectorOptions> options,
        ILogger<CollectorMembership> logger, TimeProvider? time = null, string? process = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _inventory = inventory;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _started = _time.GetUtcNow();
        // Which process holds the name: host, process id and this start (in a container every process may be pid 1 on a
        // shared host name), unless a test plays several processes in one.
        _process = process ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        _status = new MembershipStatus(new ClusterAssignment(Name, []), null, null, null);
    }

    /// <summary>This collector's name in the membership (and in its observations' sources).</summary>
    public string Name => _options.MemberName;

    /// <summary>The devices split over the members as this collector sees them now.</summary>
    public ClusterAssignment Current => _status.Assignment;

    public MembershipStatus Status => _status;

    /// <summary>Where the membership is kept.</summary>
    public string Store => _store.Description;

    /// <summary>Raised (on the heartbeat's thread) when the members the devices are split over change.</summary>
    public event Action<ClusterAssignment>? Changed;

    /// <summary>
    /// The first heartbeat before anything is scheduled, so a collector joining a running cluster starts with its share
    /// instead of every device. If the store does not answer within a lease, this collector starts alone (polling
    /// everything, duplicates rather than gaps) and joins when it answers.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        first.CancelAfter(_options.Lease);
        await BeatAsync(first.Token).ConfigureAwait(false);
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (!Current.IsMember)
        {
            // Waiting for a name another process holds: nothing of ours to remove.
            return;
        }

        try
        {
            using var leaving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            leaving.CancelAfter(TimeSpan.FromSeconds(2));
            await _store.LeaveAsync(Name, _process, leaving.Token).ConfigureAwait(false);
            LogLeft(_logger, Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lease runs out instead.
            LogLeaveFailed(_logger, Name, e.Message);
        }
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.Heartbeat, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                // A heartbeat that would end after the lease it renews is no heartbeat: give up on it, keep the assignment.
                beat.CancelAfter(_options.Lease - _options.Heartbeat);
                try
                {
                    await BeatAsync(beat.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // Nothing may end the heartbeats but stopping (a failing handler of Changed, say).
                    LogBeatFailed(_logger, Name, e);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One heartbeat: renew the lease, read the members, split the devices again if they changed.</summary>
    public async Task BeatAsync(CancellationToken cancellationToken)
    {
        var status = _status;
        MembershipView view;
        try
        {
            var devices = _inventory.Current.Devices.Keys.Count(status.Assignment.Owns);
            view = await _store.HeartbeatAsync(new MemberHeartbeat(Name, _started, _options.Lease, devices, _process), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !_stopping.IsCancellationRequested)
        {
            var since = status.FailingSince ?? _time.GetUtcNow();
            if (status.FailingSince is null)
            {
                LogStoreUnreachable(_logger, _store.Description, status.Assignment.Members.Count, e is OperationCanceledException ? "no answer within the lease" : e.Message);
            }

            // The status is shown on the anonymous /readyz: the kind of failure, not its message (hosts, users); the log has it.
            _status = status with { Error = e is OperationCanceledException ? "no answer within the lease" : e.GetType().Name, FailingSince = since };
            return;
        }

        var now = _time.GetUtcNow();
        if (status.FailingSince is not null)
        {
            _reconnectedAt = now;
            LogStoreBack(_logger, _store.Description, now - status.FailingSince.Value);
        }

        if (view.NameHeldBy is { } holder)
        {
            // Our name is another live process's (a second collector under it, or our own previous run killed less than a
            // lease ago): poll nothing and keep asking; the others poll that name's devices meanwhile, or take them over
            // when its lease runs out, and then the name is ours.
            var waiting = new ClusterAssignment(Name, view.Members.Select(m => m.Name), isMember: false);
            if (status.Assignment.IsMember)
            {
                LogNameHeld(_logger, Name, holder);
            }

            _status = new MembershipStatus(waiting, status.LastHeartbeat, $"the name {Name} is held by {holder}, alive; waiting for its lease to run out " +
                                                                            "(give each collector its own Collector:Name)", null);
            if (!waiting.SameMembers(status.Assignment))
            {
                Changed?.Invoke(waiting);
            }

            return;
        }

        var live = view.Members.Select(m => m.Name).ToList();
        var departed = status.Assignment.Members.Where(m => !live.Contains(m, StringComparer.Ordinal)).ToList();
        if (_reconnectedAt is { } back && now - back < _options.Lease && status.LastHeartbeat is not null)
        {
            // Just back from an outage: those missing may not have renewed yet. Keep them until a lease has passed.
            live.AddRange(departed);
        }
        else
        {
            _reconnectedAt = null;
        }

        var next = new ClusterAssignment(Name, live);
        var changed = !next.SameMembers(status.Assignment);
        _status = new MembershipStatus(changed ? next : status.Assignment, now, null, null);
        if (changed)
        {
            LogMembers(_logger, Name, next.Members.Count, string.Join(", ", next.Members));
            Changed?.Invoke(next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a hosted service through it, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector {Name}: devices split over {Count} members: {Members}")]
    private static partial void LogMembers(ILogger logger, string name, int count, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership store {Store} unreachable ({Error}): keeping the split over {Count} members until it answers")]
    private static partial void LogStoreUnreachable(ILogger logger, string store, int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Collector {Name}: the name is held by {Holder}, alive; polling nothing until its lease runs out")]
    private static partial void LogNameHeld(ILogger logger, string name, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Membership store {Store} answers again after {Outage}")]
    private static partial void LogStoreBack(ILogger logger, string store, TimeSpan outage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Collector {Name}: a heartbeat failed")]
    private static partial void LogBeatFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector {Name} left the membership")]
    private static partial void LogLeft(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Name} could not leave the membership ({Error}); its lease runs out instead")]
    private static partial void LogLeaveFailed(ILogger logger, string name, string error);
}
