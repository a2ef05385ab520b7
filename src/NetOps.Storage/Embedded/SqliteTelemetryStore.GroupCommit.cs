using System.Threading.Channels;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

// The write path's front: writers queue batches, one committer takes what has gathered and commits it as one transaction.
public sealed partial class SqliteTelemetryStore
{
    /// <summary>
    /// Queues the batch for the next commit and completes once the transaction holding it has committed (durable).
    /// Batches that arrive while a commit runs are committed together in the next one, up to the commit bound; a batch
    /// that arrives when the store is idle commits at once: there is no timer. If that transaction fails, every batch
    /// in it fails with the same exception and none of its points is stored. Cancelling takes a batch back only while
    /// it waits; once its transaction has begun the task reports the transaction's outcome. The list is read when the
    /// transaction runs, so it must not change until the task completes.
    /// </summary>
    public ValueTask<int> WriteAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (points.Count == 0)
        {
            return ValueTask.FromResult(0);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        var write = new PendingWrite(points, cancellationToken);
        return _pending.Writer.TryWrite(write) ? new ValueTask<int>(write.Task) : QueueAsync(write, cancellationToken);
    }

    private async ValueTask<int> QueueAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await _pending.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteTelemetryStore));
        }

        return await write.Task.ConfigureAwait(false);
    }

    // One reader: takes what has queued up (bounded), commits it as one transaction, completes its writers, repeats.
    private async Task CommitLoopAsync()
    {
        var reader = _pending.Reader;
        var group = new List<PendingWrite>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var points = 0;
            while (reader.TryPeek(out var next) && (group.Count == 0 || points + next.Points.Count <= _maxCommitPoints))
            {
                reader.TryRead(out _);
                if (next.TryBegin())
                {
                    group.Add(next);
                    points += next.Points.Count;
                }
            }

            if (group.Count == 0)
            {
                continue;
            }

            Exception? failure = null;
            await _writeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                Commit(group);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }
            finally
            {
                _writeGate.Release();
            }

            foreach (var write in group)
            {
                write.Finish(failure);
            }

            group.Clear();
        }
    }

    /// <summary>A writer's batch waiting for its commit.</summary>
    private sealed class PendingWrite
    {
        private const int Queued = 0;
        private const int Begun = 1;
        private const int Cancelled = 2;

        private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;
        private int _state;

        public PendingWrite(IReadOnlyList<Point> points, CancellationToken cancellationToken)
        {
            Points = points;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingWrite)state!).Cancel(token), this);
            }
        }

        public IReadOnlyList<Point> Points { get; }

        /// <summary>Points of this batch the transaction took.</summary>
        public int Accepted { get; set; }

        public Task<int> Task => _done.Task;

        /// <summary>Claims the batch for a transaction; false when it was cancelled while it waited.</summary>
        public bool TryBegin()
        {
            if (Interlocked.CompareExchange(ref _state, Begun, Queued) != Queued)
            {
                return false;
            }

            _cancellation.Unregister();
            return true;
        }

        public void Finish(Exception? failure)
        {
            if (failure is null)
            {
                _done.TrySetResult(Accepted);
            }
            else
            {
                _done.TrySetException(failure);
            }
        }

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                _done.TrySetCanceled(token);
            }
        }
    }
}
