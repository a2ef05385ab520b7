using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.State;

namespace NetOps.Database;

/// <summary>
/// Records every change of an entity's health (value or reason) that the process's live view applies, once, in the state
/// history. It listens to every applied state (<see cref="LiveStateView.SubscribeApplied"/>), not to the coalesced
/// notifications pages get: those would fold a flap within one interval into no change at all. The view's call only
/// compares and queues; one reader writes the queue in batches (a batch is what arrived since the last write), retries a
/// failed write with backoff and flushes what is queued when the host stops.
/// </summary>
/// <remarks>
/// The first state seen of an entity is its baseline, not a change: what changed while no recorder ran is not in the
/// history (the states still say since when). Several processes may record the same feed (every web host, a standby
/// engine): they see the same change and the database stores it once.
/// </remarks>
public sealed class StateHistoryRecorder : IHostedService, IAsyncDisposable
{
    /// <summary>A core outage turns tens of thousands of ports unknown at once; the queue holds such a burst.</summary>
    private const int Capacity = 100_000;
    private const int MaxBatch = 1_000;
    private const int RefusedAttempts = 3;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private readonly LiveStateView _live;
    private readonly StateHistory _history;
    private readonly TimeProvider _time;
    private readonly StateHistoryMetrics _metrics;
    private readonly ILogger<StateHistoryRecorder> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<EntityRef, (StateValue Value, Reason Reason)> _last = [];
    private readonly CancellationTokenSource _abort = new();
    private readonly Channel<StateChange> _queue = Channel.CreateBounded<StateChange>(new BoundedChannelOptions(Capacity)
    {
        // The view's callback never waits (it would hold up every browser session): TryWrite, and count what does not fit.
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private IDisposable? _subscription;
    private Task? _writer;
    private bool _dropping;
    private int _disposed;

    public StateHistoryRecorder(LiveStateView live, StateHistory history, TimeProvider time, StateHistoryMetrics metrics, ILogger<StateHistoryRecorder> logger)
    {
        _live = live;
        _history = history;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Listen first, then take the baseline without overwriting what a delta applied meanwhile already told.
        _subscription = _live.SubscribeApplied(Record);
        lock (_gate)
        {
            foreach (var state in _live.States)
            {
                _last.TryAdd(state.Entity, (state.Value, state.Reason));
            }
        }

        _writer = Task.Run(() => WriteAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening and writes what is queued; gives up on it when <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        _queue.Writer.TryComplete();
        if (_writer is null)
        {
            return;
        }

        try
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await _writer.ConfigureAwait(false);
        }
    }

    /// <summary>Called with every delta (or snapshot) the view applies, in version order, one caller at a time.</summary>
    private void Record(IReadOnlyCollection<EntityState> applied, IReadOnlyCollection<EntityRef> removed)
    {
        lock (_gate)
        {
            foreach (var state in applied)
            {
                if (_last.TryGetValue(state.Entity, out var before) && (before.Value != state.Value || !before.Reason.Equals(state.Reason)))
                {
                    Enqueue(new StateChange(state.Since, state.Entity, before.Value, state.Value, state.Reason));
                }

                _last[state.Entity] = (state.Value, state.Reason);
            }

            foreach (var entity in removed)
            {
                _last.Remove(entity);
            }
        }
    }

    private void Enqueue(StateChange change)
    {
        if (_queue.Writer.TryWrite(change))
        {
            _dropping = false;
            return;
        }

        _metrics.Dropped(1);
        if (!_dropping)
        {
            _dropping = true;
            _logger.LogError("State history queue full ({Capacity} changes): the database is not keeping up, changes are dropped until it does", Capacity);
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var batch = new List<StateChange>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var change))
                {
                    batch.Add(change);
                }

                await WriteWithRetryAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var lost = batch.Count;
            while (_queue.Reader.TryRead(out _))
            {
                lost++;
            }

            if (lost > 0)
            {
                _logger.LogError("Stopped before {Count} state changes reached the database; they are not in the history", lost);
            }
        }
    }

    /// <summary>
    /// Retries while the database is unreachable (until the host stops); a batch the database keeps refusing for another
    /// reason (bad data) is dropped after a few attempts, loudly, so that it does not hold up every change after it.
    /// </summary>
    private async Task WriteWithRetryAsync(List<StateChange> batch, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _metrics.Recorded(await _history.WriteAsync(batch, cancellationToken).ConfigureAwait(false));
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.WriteFailed();
                if (!IsTransient(e) && attempt >= RefusedAttempts)
                {
                    _metrics.Dropped(batch.Count);
                    _logger.LogError(e, "The database refused {Count} state changes {Attempts} times; they are not in the history", batch.Count, attempt);
                    return;
                }

                _logger.LogWarning(e, "Writing {Count} state changes failed; retrying in {Delay}", batch.Count, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }
    }

    /// <summary>The database is away (connection refused, timed out, busy), as opposed to refusing the data.</summary>
    private static bool IsTransient(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { IsTransient: true } or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops without flushing (the host's stop flushes); safe to call twice, as the container does for a hosted singleton.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _subscription?.Dispose();
        _queue.Writer.TryComplete();
        await _abort.CancelAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        _abort.Dispose();
    }
}
