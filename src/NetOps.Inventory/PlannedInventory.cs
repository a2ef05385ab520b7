using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.Events;
using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>
/// The inventory in force where there is an operational database: the files' inventory with the events made or edited
/// on the dashboard and the phases operators set by hand (<see cref="EventPlans.ApplyTo"/>), so the engine, the
/// collector, alerting and the pages all see the same event windows. Follows the files as they are edited, this
/// process's writes at once (<see cref="RefreshAsync"/>), and other processes' writes within <see cref="PollInterval"/>.
/// </summary>
public sealed partial class PlannedInventory : IInventoryProvider, IHostedService, IDisposable
{
    /// <summary>How often the database is read again for other processes' writes.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    private readonly InventoryWatcher _files;
    private readonly IEventStore _store;
    private readonly ILogger<PlannedInventory> _logger;
    private readonly ITimer _poll;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _apply = new();
    private EventPlans _plans = EventPlans.None;
    private string _fingerprint = "";
    private volatile FleetInventory? _current;

    public PlannedInventory(InventoryWatcher files, IEventStore store, TimeProvider time, ILogger<PlannedInventory> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _files = files;
        _store = store;
        _logger = logger;
        _poll = time.CreateTimer(_ => _ = RefreshAsync(CancellationToken.None), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public FleetInventory Current => _current ?? _files.Current;

    /// <summary>The files' inventory alone.</summary>
    public FleetInventory Files => _files.Current;

    /// <summary>The stored events and transitions in force.</summary>
    public EventPlans Plans => _plans;

    public InventoryError[]? LastRefusal => _files.LastRefusal;

    public DateTimeOffset? LastRefusalAt => _files.LastRefusalAt;

    public event EventHandler<InventoryChangedEventArgs>? Changed;

    public event EventHandler<InventoryRefusedEventArgs>? Refused
    {
        add => _files.Refused += value;
        remove => _files.Refused -= value;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _files.Changed += OnFilesChanged;
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _poll.Change(PollInterval, PollInterval);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _poll.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _files.Changed -= OnFilesChanged;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _poll.Dispose();
        _gate.Dispose();
    }

    /// <summary>Reads the stored events and transitions and puts them in force when they changed. A failed read keeps the last ones.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // A poll that fired as the host stopped.
            return;
        }

        try
        {
            var plans = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
            var fingerprint = JsonSerializer.Serialize(plans);
            if (fingerprint == _fingerprint && _current is not null)
            {
                return;
            }

            _fingerprint = fingerprint;
            Apply(plans);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // the poll has no caller: a failed read is logged and the events in force stay
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReadFailed(_logger, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnFilesChanged(object? sender, InventoryChangedEventArgs e) => Apply(null);

    /// <summary>Puts <paramref name="plans"/> (or the ones in force, after an edit of the files) over the files' inventory.</summary>
    private void Apply(EventPlans? plans)
    {
        InventoryChangedEventArgs change;
        lock (_apply)
        {
            _plans = plans ?? _plans;
            var previous = Current;
            var next = _plans.ApplyTo(_files.Current);
            _current = next;
            change = new InventoryChangedEventArgs(previous, next);
            if (plans is not null)
            {
                LogApplied(_logger, _plans.Events.Count, _plans.Transitions.Count);
            }
        }

        if (!ReferenceEquals(change.Previous, change.Current))
        {
            Changed?.Invoke(this, change);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Events from the operational database in force: {Events} stored events, {Transitions} manual transitions")]
    private static partial void LogApplied(ILogger logger, int events, int transitions);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored events could not be read; the last ones read stay in force")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
