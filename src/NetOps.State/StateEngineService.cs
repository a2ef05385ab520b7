using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;

namespace NetOps.State;

/// <summary>Settings of the state engine host.</summary>
public sealed class StateEngineOptions
{
    public const string SectionName = "State";

    /// <summary>How often stale evidence is looked for.</summary>
    public TimeSpan ExpireInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Runs the one state engine of this deployment: a single loop that applies observations, inventory
/// changes and freshness expiry in order and publishes each resulting delta.
/// </summary>
public sealed partial class StateEngineService(
    ObservationChannel observations,
    IInventoryProvider inventory,
    IStatePublisher publisher,
    TimeProvider time,
    IOptions<StateEngineOptions> options,
    ILogger<StateEngineService> logger) : BackgroundService
{
    private readonly StateEngine _engine = new(time);
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile FleetInventory? _newInventory;

    /// <summary>True once the engine has loaded the inventory and follows observations.</summary>
    public bool IsRunning => _running.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        inventory.Changed += OnInventoryChanged;
        try
        {
            await PublishAsync(_engine.SetInventory(inventory.Current), stoppingToken).ConfigureAwait(false);
            _running.TrySetResult();
            LogStarted(logger, _engine.Inventory.Devices.Count, _engine.Inventory.Links.Count, _engine.Inventory.Nodes.Count);
            using var expiry = new PeriodicTimer(options.Value.ExpireInterval, time);
            var tick = expiry.WaitForNextTickAsync(stoppingToken).AsTask();
            var next = observations.Reader.WaitToReadAsync(stoppingToken).AsTask();
            while (!stoppingToken.IsCancellationRequested)
            {
                var done = await Task.WhenAny(tick, next).ConfigureAwait(false);
                if (_newInventory is { } changed)
                {
                    _newInventory = null;
                    await PublishAsync(_engine.SetInventory(changed), stoppingToken).ConfigureAwait(false);
                }

                if (done == tick)
                {
                    await tick.ConfigureAwait(false);
                    await PublishAsync(_engine.Expire(), stoppingToken).ConfigureAwait(false);
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
                    var delta = _engine.Apply(observation);
                    StateMetrics.ApplySeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                    StateMetrics.Applied.Add(1);
                    await PublishAsync(delta, stoppingToken).ConfigureAwait(false);
                }

                next = observations.Reader.WaitToReadAsync(stoppingToken).AsTask();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            inventory.Changed -= OnInventoryChanged;
        }
    }

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs changed) => _newInventory = changed.Current;

    private async ValueTask PublishAsync(StateDelta? delta, CancellationToken cancellationToken)
    {
        if (delta is null)
        {
            return;
        }

        StateMetrics.Deltas.Add(1);
        await publisher.PublishAsync(delta, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State engine running over {Devices} devices, {Links} links, {Nodes} nodes")]
    private static partial void LogStarted(ILogger logger, int devices, int links, int nodes);
}
