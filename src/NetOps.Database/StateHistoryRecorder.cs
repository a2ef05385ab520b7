using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.State;

namespace NetOps.Database;

/// <summary>
/// Records every change of an entity's health (value or reason) that the process's live view sees, once, in the state
/// history. The view's callback only compares and queues; one reader writes the queue in batches (a batch is what
/// arrived since the last write: the view already coalesces bursts in time), retries a failed write with backoff and
/// flushes what is queued when the host stops.
/// </summary>
/// <remarks>
/// The first snapshot after start is the baseline, not a change: what changed while no recorder ran is not in the
/// history (the states still say since when). Run one recorder per deployment: two processes recording the same feed
/// write every change twice.
/// </remarks>
public sealed class StateHistoryRecorder : IHostedService, IAsyncDisposable
{
    /// <summary>A core outage turns tens of thousands of ports unknown at once; the queue holds such a burst.</summary>
    private const int Capacity = 100_000;
    private const int MaxBatch = 1_000;
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
        lock (_gate)
        {
            foreach (var state in _live.States)
            {
                _last[state.Entity] = (state.Value, state.Reason);
            }
        }

        _subscription = _live.Subscribe(Record);
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

    /// <summary>Called with the view's coalesced batches, one caller at a time.</summary>
    private void Record(IReadOnlyCollection<EntityRef> changed)
    {
        lock (_gate)
        {
            foreach (var entity in changed)
            {
                var state = _live.Get(entity);
                if (state is null)
                {
                    _last.Remove(entity);
                    continue;
                }

                if (_last.TryGetValue(entity, out var before) && (before.Value != state.Value || !before.Reason.Equals(state.Reason)))
                {
                    Enqueue(new StateChange(state.Since, entity, before.Value, state.Value, state.Reason));
                }

                _last[entity] = (state.Value, state.Reason);
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

        _metrics.Dropped();
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
                _metrics.Recorded(batch.Count);
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

    private async Task WriteWithRetryAsync(List<StateChange> batch, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                await _history.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.WriteFailed();
                _logger.LogWarning(e, "Writing {Count} state changes failed; retrying in {Delay}", batch.Count, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }
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
