using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;
using Npgsql;

namespace NetOps.Engine;

/// <summary>Settings of the state engine host; section "State".</summary>
public sealed class StateEngineOptions
{
    public const string SectionName = "State";

    /// <summary>How often stale evidence is looked for.</summary>
    public TimeSpan ExpireInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a standby engine tries to take the lease.</summary>
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the active engine republishes the whole model (distributed mode).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the states a collector gave stay as they are after it is gone (its last will), so that the others can
    /// take its devices over first: at least the collectors' lease plus a heartbeat plus half a poll interval
    /// (10 s + 2 s + 15 s by default). Zero turns them unknown at once (one collector and no failover).
    /// </summary>
    public TimeSpan CollectorGoneGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Name of this engine instance in logs and on the broker.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>PostgreSQL connection string holding the engine lease; without one the lease is in-process only.</summary>
    public string? LeaseConnectionString { get; set; }

    /// <summary>
    /// Name of the credential holding the lease's PostgreSQL password ("State:LeasePasswordCredential"), resolved by the
    /// host's credential store, so that <see cref="LeaseConnectionString"/> carries no secret.
    /// </summary>
    public string? LeasePasswordCredential { get; set; }

    /// <summary>The lease's connection string with the password of <see cref="LeasePasswordCredential"/> when one is named.</summary>
    public string? ResolveLeaseConnectionString(Func<string, string> resolveCredential)
    {
        ArgumentNullException.ThrowIfNull(resolveCredential);
        return string.IsNullOrWhiteSpace(LeasePasswordCredential) || string.IsNullOrWhiteSpace(LeaseConnectionString)
            ? LeaseConnectionString
            : new NpgsqlConnectionStringBuilder(LeaseConnectionString) { Password = resolveCredential(LeasePasswordCredential) }.ConnectionString;
    }

    /// <summary>Advisory lock key of the lease.</summary>
    public long LeaseKey { get; set; } = 0x4e65744f7073; // "NetOps"
}

/// <summary>
/// Runs the one state engine of this deployment: while another holds the lease it stands by (following the feed,
/// so it can take over with the model and sequences it saw); once it holds the lease it applies observations,
/// inventory changes and freshness expiry in one loop and publishes each delta. A lost lease stops the process.
/// </summary>
public sealed partial class StateEngineService(
    ObservationChannel observations,
    IInventoryProvider inventory,
    IStatePublisher publisher,
    IEngineLease lease,
    IEngineTransport transport,
    TimeProvider time,
    IOptions<StateEngineOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<StateEngineService> logger,
    StateMetrics metrics,
    LiveStateView? standbyView = null) : BackgroundService
{
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile FleetInventory? _newInventory;
    private StateEngine? _engine;

    /// <summary>True once this engine holds the lease and follows observations.</summary>
    public bool IsActive => _running.Task.IsCompleted;

    /// <summary>"active", or "standby" while another engine holds the lease.</summary>
    public string Role => IsActive ? "active" : "standby";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await TakeLeaseAsync(stoppingToken).ConfigureAwait(false);
            inventory.Changed += OnInventoryChanged;
            await transport.StartOutputAsync(stoppingToken).ConfigureAwait(false);
            _engine = await StartEngineAsync(stoppingToken).ConfigureAwait(false);
            await transport.StartIntakeAsync(stoppingToken).ConfigureAwait(false);
            _running.TrySetResult();
            await RunAsync(_engine, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            inventory.Changed -= OnInventoryChanged;
        }
    }

    private async Task TakeLeaseAsync(CancellationToken stoppingToken)
    {
        var announced = false;
        while (!await lease.TryAcquireAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!announced)
            {
                LogStandby(logger, options.Value.Name, lease.Description);
                announced = true;
            }

            await Task.Delay(options.Value.LeaseRetryInterval, time, stoppingToken).ConfigureAwait(false);
        }

        LogActive(logger, options.Value.Name, lease.Description, transport.Description);
    }

    private async Task<StateEngine> StartEngineAsync(CancellationToken stoppingToken)
    {
        if (standbyView is { Version: > 0 } view)
        {
            // Take over where the last active engine stopped: same model, next version, no observation applied twice.
            var engine = new StateEngine(time) { CollectorGoneGrace = options.Value.CollectorGoneGrace };
            await PublishAsync(engine.Restore(view.ToSnapshot(), inventory.Current), stoppingToken).ConfigureAwait(false);
            LogTookOver(logger, view.Version);
            return engine;
        }

        // A fresh model starts its versions from the clock, after those of any engine before it.
        var fresh = new StateEngine(time, time.GetUtcNow().ToUnixTimeMilliseconds() * 1000) { CollectorGoneGrace = options.Value.CollectorGoneGrace };
        await PublishAsync(fresh.SetInventory(inventory.Current), stoppingToken).ConfigureAwait(false);
        LogStarted(logger, fresh.Inventory.Devices.Count, fresh.Inventory.Links.Count, fresh.Inventory.Nodes.Count);
        return fresh;
    }

    private async Task RunAsync(StateEngine engine, CancellationToken stoppingToken)
    {
        using var expiry = new PeriodicTimer(options.Value.ExpireInterval, time);
        var tick = expiry.WaitForNextTickAsync(stoppingToken).AsTask();
        var next = observations.Reader.WaitToReadAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var done = await Task.WhenAny(tick, next, lease.Lost).ConfigureAwait(false);
            if (done == lease.Lost)
            {
                // Another engine may hold the lease now: applying anything more could fork the model.
                LogLeaseLost(logger, options.Value.Name);
                lifetime.StopApplication();
                return;
            }

            if (_newInventory is { } changed)
            {
                _newInventory = null;
                await PublishAsync(engine.SetInventory(changed), stoppingToken).ConfigureAwait(false);
            }

            if (done == tick)
            {
                await tick.ConfigureAwait(false);
                await PublishAsync(engine.Expire(), stoppingToken).ConfigureAwait(false);
                tick = expiry.WaitForNextTickAsync(stoppingToken).AsTask();
                continue;
            }

            if (!await next.ConfigureAwait(false))
            {
                return;
            }

            while (observations.Reader.TryRead(out var observation))
            {
                var started = Stopwatch.GetTimestamp();
                var delta = engine.Apply(observation);
                metrics.ApplySeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                metrics.Applied.Add(1);
                await PublishAsync(delta, stoppingToken).ConfigureAwait(false);
            }

            next = observations.Reader.WaitToReadAsync(stoppingToken).AsTask();
        }
    }

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs changed) => _newInventory = changed.Current;

    private async ValueTask PublishAsync(StateDelta? delta, CancellationToken cancellationToken)
    {
        if (delta is null)
        {
            return;
        }

        metrics.Deltas.Add(1);
        await publisher.PublishAsync(delta, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State engine running over {Devices} devices, {Links} links, {Nodes} nodes")]
    private static partial void LogStarted(ILogger logger, int devices, int links, int nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "State engine {Name} standing by: the lease ({Lease}) is held by another engine")]
    private static partial void LogStandby(ILogger logger, string name, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "State engine {Name} active: holds the lease ({Lease}), transport {Transport}")]
    private static partial void LogActive(ILogger logger, string name, string lease, string transport);

    [LoggerMessage(Level = LogLevel.Information, Message = "State engine took over the model at version {Version}")]
    private static partial void LogTookOver(ILogger logger, long version);

    [LoggerMessage(Level = LogLevel.Critical, Message = "State engine {Name} lost its lease; stopping so that only one engine applies observations")]
    private static partial void LogLeaseLost(ILogger logger, string name);
}
