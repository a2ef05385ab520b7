using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace NetOps.Worker;

/// <summary>
/// Hands devices due for a poll from the scheduler's jobs to the asynchronous poller. A device whose previous
/// poll is still queued or running is not queued again: a slow device falls behind alone.
/// </summary>
public sealed class PollQueue
{
    private static readonly Meter Meter = new("NetOps");
    private static readonly Counter<long> Skipped = Meter.CreateCounter<long>("netops.poll.skipped",
        description: "Polls not started because the previous poll of the device was still running");

    private readonly Channel<string> _due = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _busy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _again = new(StringComparer.Ordinal);
    private long _queued;

    public PollQueue()
    {
        Meter.CreateObservableGauge("netops.poll.queued", () => Interlocked.Read(ref _queued), description: "Devices due and waiting for a poll slot");
    }

    public ChannelReader<string> Due => _due.Reader;

    /// <summary>Queues a poll of the device unless one is queued or running; never blocks.</summary>
    public bool TryEnqueue(string deviceId)
    {
        if (!_busy.TryAdd(deviceId, 0))
        {
            Skipped.Add(1);
            return false;
        }

        Interlocked.Increment(ref _queued);
        return _due.Writer.TryWrite(deviceId);
    }

    /// <summary>
    /// Queues a poll of the device because something happened there (a trap). Unlike a scheduled poll it is not skipped
    /// when one is queued or running: a running poll may have read the device before the news, so another follows it.
    /// </summary>
    public bool Request(string deviceId)
    {
        if (TryEnqueue(deviceId))
        {
            return true;
        }

        _again[deviceId] = 0;
        // The poll may have finished between the two lines above: then nothing would pick the request up.
        if (!_busy.ContainsKey(deviceId) && _again.TryRemove(deviceId, out _))
        {
            return TryEnqueue(deviceId);
        }

        return false;
    }

    /// <summary>Marks the device's poll started: it left the queue.</summary>
    public void Started() => Interlocked.Decrement(ref _queued);

    /// <summary>Marks the device's poll finished, so it can be queued again.</summary>
    public void Done(string deviceId)
    {
        _busy.TryRemove(deviceId, out _);
        if (_again.TryRemove(deviceId, out _))
        {
            TryEnqueue(deviceId);
        }
    }
}
