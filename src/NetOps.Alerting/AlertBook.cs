using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;

namespace NetOps.Alerting;

/// <summary>
/// The alerting role: follows the live state, turns rule conditions into alerts (hold-down, root cause, flap damping,
/// re-open), applies silences and maintenance windows, acknowledgements, repeats and escalation, and queues the
/// notifications. Every change is saved (with its notifications and audit lines) in one transaction before anyone
/// hears of it, so a restart loses nothing and sends nothing twice.
/// </summary>
public sealed partial class AlertBook : BackgroundService, IAlertBook
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(250);

    private readonly LiveStateView _live;
    private readonly IInventoryProvider _inventory;
    private readonly IAlertStore _store;
    private readonly NotificationDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertBook> _logger;
    private readonly ReasonText _text = ReasonText.Berlin;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _transitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _refreshed = new(StringComparer.Ordinal);
    private readonly List<Outgoing> _outbox = [];
    private readonly Lock _readersGate = new();
    private readonly List<Action> _readers = [];
    private IReadOnlyList<Alert> _open = [];
    private IReadOnlyList<Silence> _activeSilences = [];
    private AlertTopology? _topology;
    private int _dirty = 1;
    private int _held;

    public AlertBook(LiveStateView live, IInventoryProvider inventory, IAlertStore store, NotificationDispatcher dispatcher, TimeProvider time,
        ILogger<AlertBook> logger, IMeterFactory? meters = null)
    {
        _live = live;
        _inventory = inventory;
        _store = store;
        _dispatcher = dispatcher;
        _time = time;
        _logger = logger;
        _dispatcher.Changed += Tell;
        if (meters is not null)
        {
            CreateInstruments(meters.Create("NetOps"));
        }
    }

    /// <summary>
    /// What a Prometheus user alerts on NetOps with: open alerts by severity and status, and the state of every entity
    /// (0 unknown, 1 up, 2 degraded, 3 down, 4 inactive; docs/alerting.md).
    /// </summary>
    private void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("netops_alerts_open", () => Open
                .GroupBy(a => (a.Severity, a.Status))
                .Select(g => new Measurement<int>(g.Count(),
                    new KeyValuePair<string, object?>("severity", g.Key.Severity.ToString().ToLowerInvariant()),
                    new KeyValuePair<string, object?>("status", g.Key.Status.ToString().ToLowerInvariant()))),
            description: "Open alerts (firing or acknowledged) by severity and status");
        meter.CreateObservableGauge("netops_entity_state", () => _live.States
                .Select(s => new Measurement<int>(s.Value switch
                    {
                        StateValue.Up => 1,
                        StateValue.Degraded => 2,
                        StateValue.Down => 3,
                        StateValue.Inactive => 4,
                        _ => 0,
                    },
                    new KeyValuePair<string, object?>("kind", s.Entity.Kind.ToString().ToLowerInvariant()),
                    new KeyValuePair<string, object?>("id", s.Entity.Id))),
            description: "State of each entity: 0 unknown, 1 up, 2 degraded, 3 down, 4 inactive");
    }

    /// <summary>The live view's version the last finished step evaluated.</summary>
    internal long EvaluatedVersion { get; private set; }

    /// <summary>Changes held back for their group wait, not yet queued as notifications.</summary>
    internal int Held => Volatile.Read(ref _held);

    /// <summary>Completes once the stored alerts and silences are loaded and the first evaluation ran.</summary>
    public Task Ready => _ready.Task;

    public IReadOnlyList<Alert> Open => Volatile.Read(ref _open);

    public IReadOnlyList<Silence> Silences => Volatile.Read(ref _activeSilences);

    public IReadOnlyList<ReceiverHealth> Receivers => _dispatcher.Health;

    public Alert? Find(string id)
    {
        lock (_alerts)
        {
            return _alerts.Values.FirstOrDefault(a => a.Id == id);
        }
    }

    public IDisposable Subscribe(Action changed)
    {
        lock (_readersGate)
        {
            _readers.Add(changed);
        }

        return new Registration(() =>
        {
            lock (_readersGate)
            {
                _readers.Remove(changed);
            }
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _live.Loaded.WaitAsync(stoppingToken).ConfigureAwait(false);
            await LoadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        using var applied = _live.SubscribeApplied((_, _) => Wake());
        using var inventoryChanged = new InventorySubscription(_inventory, Wake);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stoppingToken).ConfigureAwait(false);
                _ready.TrySetResult();
                // Changes are taken at most once per tick; time-driven work (hold-downs, escalation, expiry) at least once per idle period.
                await Task.Delay(Tick, _time, stoppingToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _dirty, 0) == 0)
                {
                    await _wake.WaitAsync(Idle, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database gone away, say: the step is retried whole; nothing was applied that was not saved.
                _logger.LogError(e, "Alert evaluation failed; retrying");
                await ReloadAfterFailureAsync(stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Wake()
    {
        Interlocked.Exchange(ref _dirty, 1);
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke the loop first.
            }
        }
    }

    /// <summary>Reads the stored alerts and silences (at start, and after a failed step).</summary>
    internal async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var grace = _inventory.Current.Alerting.Timing.ReopenGrace;
        var alerts = await _store.LoadAlertsAsync(now - grace, cancellationToken).ConfigureAwait(false);
        var silences = await _store.LoadSilencesAsync(now, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_alerts)
            {
                _alerts.Clear();
                foreach (var alert in alerts)
                {
                    // One alert per fingerprint: the newest occurrence.
                    if (!_alerts.TryGetValue(alert.Fingerprint, out var known) || known.StartsAt < alert.StartsAt)
                    {
                        _alerts[alert.Fingerprint] = alert;
                    }
                }
            }

            _silences.Clear();
            foreach (var silence in silences)
            {
                _silences[silence.Id] = silence;
            }

            _outbox.Clear();
            Publish(now);
        }
        finally
        {
            _gate.Release();
        }

        _logger.LogInformation("Alerting loaded {Open} open alerts and {Silences} silences", alerts.Count(a => a.IsOpen), silences.Count);
    }

    private async Task ReloadAfterFailureAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Reloading alerts after a failed step failed too");
        }
    }

    /// <summary>One evaluation: conditions from the live state, then every alert's life moved on by one step, saved.</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var inventory = _inventory.Current;
            if (_topology?.Inventory != inventory)
            {
                _topology = new AlertTopology(inventory);
            }

            var version = _live.Version;
            var evaluation = AlertEvaluator.Evaluate(_topology, _live.States, _live.Get, _text, now);
            var step = new Step(now, inventory.Alerting);
            Advance(step, evaluation);
            await SaveAsync(step, cancellationToken).ConfigureAwait(false);
            EvaluatedVersion = version;
            Volatile.Write(ref _held, _outbox.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SaveAsync(Step step, CancellationToken cancellationToken)
    {
        if (step.IsEmpty)
        {
            return;
        }

        var changes = new AlertChanges([.. step.Alerts.Values], [.. step.Silences], step.Notifications, step.Audit);
        await _store.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
        // Saved: only now does the book show it and the dispatcher send it.
        lock (_alerts)
        {
            foreach (var alert in step.Alerts.Values)
            {
                _alerts[alert.Fingerprint] = alert;
            }

            foreach (var gone in step.Forget)
            {
                if (_alerts.TryGetValue(gone, out var resolved) && !resolved.IsOpen)
                {
                    _alerts.Remove(gone);
                }
            }
        }

        foreach (var silence in step.Silences)
        {
            _silences[silence.Id] = silence;
        }

        _outbox.RemoveAll(o => step.Sent.Contains(o));
        _outbox.AddRange(step.Queued);
        Publish(step.Now);
        if (step.Notifications.Count > 0)
        {
            _dispatcher.Wake();
        }
    }

    private void Publish(DateTimeOffset now)
    {
        lock (_alerts)
        {
            Volatile.Write(ref _open, _alerts.Values.Where(a => a.IsOpen)
                .OrderByDescending(a => a.Severity).ThenByDescending(a => a.StartsAt).ToList());
        }

        Volatile.Write(ref _activeSilences, _silences.Values.Where(s => s.EndsAt > now).OrderBy(s => s.EndsAt).ToList());
        Tell();
    }

    private void Tell()
    {
        Action[] readers;
        lock (_readersGate)
        {
            readers = [.. _readers];
        }

        foreach (var reader in readers)
        {
            try
            {
                reader();
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "An alert reader failed");
            }
        }
    }

    public override void Dispose()
    {
        _dispatcher.Changed -= Tell;
        _gate.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>An alert's change waiting for its group to be sent.</summary>
    private sealed record Outgoing(NotificationKind Kind, string Fingerprint, string GroupKey, DateTimeOffset At);

    /// <summary>What one step changes, saved together.</summary>
    private sealed class Step(DateTimeOffset now, AlertPolicy policy)
    {
        public DateTimeOffset Now { get; } = now;
        public AlertPolicy Policy { get; } = policy;
        public Dictionary<string, Alert> Alerts { get; } = new(StringComparer.Ordinal);
        public List<Silence> Silences { get; } = [];
        public List<Notification> Notifications { get; } = [];
        public List<AuditEntry> Audit { get; } = [];
        public List<Outgoing> Queued { get; } = [];
        public HashSet<Outgoing> Sent { get; } = [];
        public List<string> Forget { get; } = [];

        public bool IsEmpty => Alerts.Count == 0 && Silences.Count == 0 && Notifications.Count == 0 && Audit.Count == 0 && Queued.Count == 0 &&
                               Sent.Count == 0 && Forget.Count == 0;
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    private sealed class InventorySubscription : IDisposable
    {
        private readonly IInventoryProvider _provider;
        private readonly Action _wake;

        public InventorySubscription(IInventoryProvider provider, Action wake)
        {
            _provider = provider;
            _wake = wake;
            _provider.Changed += OnChanged;
        }

        public void Dispose() => _provider.Changed -= OnChanged;

        private void OnChanged(object? sender, InventoryChangedEventArgs e) => _wake();
    }
}
