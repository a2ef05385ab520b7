using System.Diagnostics.Metrics;
using System.Threading.Channels;
using NetOps.Core.Inventory;

namespace NetOps.Collector;

/// <summary>What one poll of a device collects, and when the earliest schedule that asked for it fired (null: a trap asked).</summary>
public readonly record struct PollRequest(string DeviceId, PollSections Sections, DateTimeOffset? ScheduledAt);

/// <summary>A poll that started: how long after its scheduled fire time (Quartz's ScheduledFireTimeUtc) it did.</summary>
public readonly record struct PollLateness(string DeviceId, PollSections Sections, DateTimeOffset ScheduledAt, DateTimeOffset StartedAt)
{
    public TimeSpan Lateness => StartedAt - ScheduledAt;
}

/// <summary>
/// Hands devices due for a poll from the scheduler's jobs to the asynchronous poller. Requests for a device that is
/// already queued are merged into its queued poll (the sections OR'd, the earliest fire time kept); a device is never
/// polled twice at once. A scheduled request for sections a running poll already reads is skipped: a slow device falls
/// behind alone.
/// </summary>
public sealed class PollQueue
{
    public const string MeterName = "NetOps";

    /// <summary>Histogram buckets in seconds, from a millisecond to half a minute: polls, lateness.</summary>
    internal static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _lateness;

    private readonly Channel<string> _due = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _queued;

    public PollQueue(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time ?? TimeProvider.System;
        var meter = meterFactory.Create(MeterName);
        _skipped = meter.CreateCounter<long>("netops.poll.skipped",
            description: "Scheduled polls not started because the device's queued or running poll already covers them");
        _lateness = meter.CreateHistogram("netops.poll.lateness_seconds", "s", "Poll start minus the scheduled fire time of the earliest schedule it serves",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        // Reads a field only: safe whenever the meter is read.
        meter.CreateObservableGauge("netops.poll.queued", () => Interlocked.Read(ref _queued), description: "Devices due and waiting for a poll slot");
    }

    /// <summary>Every poll that started on a schedule, with its lateness (raised on the poller's thread; keep handlers quick).</summary>
    public event Action<PollLateness>? PollStarted;

    /// <summary>Device ids due for a poll, each once while queued; <see cref="Start"/> takes its request.</summary>
    public ChannelReader<string> Due => _due.Reader;

    /// <summary>Devices queued and not started.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>The sections asked of the device and not started yet (queued, or waiting for its running poll to end).</summary>
    public PollSections PendingSections(string deviceId)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(deviceId, out var slot) ? slot.Sections : PollSections.None;
        }
    }

    /// <summary>Queues a scheduled poll of the device; false when it was merged into a queued poll or a running poll covers it. Never blocks.</summary>
    public bool TryEnqueue(string deviceId, PollSections sections = PollSections.Interfaces, DateTimeOffset? scheduledAt = null) =>
        Add(deviceId, sections, scheduledAt, followRunning: false);

    /// <summary>
    /// Queues a poll of the device because something happened there (a trap). Unlike a scheduled poll it is not skipped
    /// when one is running: a running poll may have read the device before the news, so another follows it.
    /// </summary>
    public bool Request(string deviceId, PollSections sections = PollSections.Interfaces) =>
        Add(deviceId, sections, null, followRunning: true);

    /// <summary>Marks the device's queued poll started and returns what it is to collect.</summary>
    public PollRequest Start(string deviceId)
    {
        PollRequest request;
        lock (_gate)
        {
            if (!_slots.TryGetValue(deviceId, out var slot) || !slot.Queued)
            {
                return new PollRequest(deviceId, PollSections.None, null);
            }

            request = new PollRequest(deviceId, slot.Sections, slot.ScheduledAt);
            slot.Queued = false;
            slot.Running = true;
            slot.RunningSections = slot.Sections;
            slot.Sections = PollSections.None;
            slot.ScheduledAt = null;
        }

        Interlocked.Decrement(ref _queued);
        if (request.ScheduledAt is { } scheduled)
        {
            var started = _time.GetUtcNow();
            _lateness.Record(Math.Max(0, (started - scheduled).TotalSeconds));
            PollStarted?.Invoke(new PollLateness(deviceId, request.Sections, scheduled, started));
        }

        return request;
    }

    /// <summary>Marks the device's poll finished; what was asked meanwhile and not covered by it is queued now.</summary>
    public void Done(string deviceId)
    {
        var again = false;
        lock (_gate)
        {
            if (!_slots.TryGetValue(deviceId, out var slot))
            {
                return;
            }

            slot.Running = false;
            slot.RunningSections = PollSections.None;
            if (slot.Sections != PollSections.None && !slot.Queued)
            {
                slot.Queued = again = true;
            }
            else if (!slot.Queued)
            {
                _slots.Remove(deviceId);
            }
        }

        if (again)
        {
            Interlocked.Increment(ref _queued);
            _due.Writer.TryWrite(deviceId);
        }
    }

    private bool Add(string deviceId, PollSections sections, DateTimeOffset? scheduledAt, bool followRunning)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(deviceId, out var slot))
            {
                _slots[deviceId] = slot = new Slot();
            }

            if (slot.Queued)
            {
                // Not started yet: it will read the device after this request was made, so it serves it too.
                slot.Sections |= sections;
                slot.ScheduledAt = Earliest(slot.ScheduledAt, scheduledAt);
                _skipped.Add(1);
                return false;
            }

            if (slot.Running)
            {
                var missing = followRunning ? sections : sections & ~slot.RunningSections;
                if (missing == PollSections.None)
                {
                    _skipped.Add(1);
                    return false;
                }

                // Started by Done when the running poll ends.
                slot.Sections |= missing;
                slot.ScheduledAt = Earliest(slot.ScheduledAt, scheduledAt);
                return false;
            }

            slot.Queued = true;
            slot.Sections = sections;
            slot.ScheduledAt = scheduledAt;
        }

        Interlocked.Increment(ref _queued);
        return _due.Writer.TryWrite(deviceId);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>One device's place in the queue.</summary>
    private sealed class Slot
    {
        public bool Queued;
        public bool Running;
        public PollSections Sections;
        public PollSections RunningSections;
        public DateTimeOffset? ScheduledAt;
    }
}
