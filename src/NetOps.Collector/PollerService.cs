using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;

namespace NetOps.Collector;

/// <summary>
/// Takes due devices off the queue and polls each asynchronously, at most <see cref="CollectorOptions.MaxConcurrentPolls"/>
/// at once, handing every result to the observation sink.
/// </summary>
public sealed partial class PollerService(
    PollQueue queue,
    SnmpDevicePoller poller,
    IInventoryProvider inventory,
    IObservationSink sink,
    IOptions<CollectorOptions> options,
    ILogger<PollerService> logger,
    IMeterFactory meterFactory) : BackgroundService
{
    private readonly Histogram<double> _duration = meterFactory.Create(PollQueue.MeterName).CreateHistogram("netops.poll.duration", "s",
        "Duration of one device poll", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PollQueue.SecondsBuckets });
    private readonly Counter<long> _failures = meterFactory.Create(PollQueue.MeterName).CreateCounter<long>("netops.poll.failures",
        description: "Polls that got no answer");

    /// <summary>What a port changing its status may have changed too: who is patched there, and what powers it.</summary>
    private const PollSections AfterPortChange = PollSections.Neighbours | PollSections.Forwarding | PollSections.Poe;

    /// <summary>The ports each device reported operationally up at its last interfaces poll.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>> _portsUp = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrentPolls);
        var running = new HashSet<Task>();
        try
        {
            await foreach (var deviceId in queue.Due.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var request = queue.Start(deviceId);
                var task = PollOneAsync(request, slots, stoppingToken);
                lock (running)
                {
                    running.Add(task);
                }

                _ = task.ContinueWith(t => { lock (running) { running.Remove(t); } }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        Task[] left;
        lock (running)
        {
            left = [.. running];
        }

        await Task.WhenAll(left).ConfigureAwait(false);
    }

    private async Task PollOneAsync(PollRequest request, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var deviceId = request.DeviceId;
        try
        {
            var fleet = inventory.Current;
            if (!fleet.Devices.TryGetValue(deviceId, out var device) || request.Sections == PollSections.None)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var interval = PollScheduler.IntervalOf(fleet, device, options.Value);
            var observation = await poller.PollAsync(device, request.Sections, interval, stoppingToken).ConfigureAwait(false);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("class", device.Class.ToString()));
            if (!observation.Reachable)
            {
                _failures.Add(1);
            }

            await poller.PublishAsync(sink, observation, stoppingToken).ConfigureAwait(false);
            RereadTablesAfterPortChange(fleet, device, observation);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogPollCrashed(logger, deviceId, e);
        }
        finally
        {
            queue.Done(deviceId);
            slots.Release();
        }
    }

    /// <summary>
    /// A port that went down or came up is where a camera was unplugged or re-patched, or a fibre moved: the tables
    /// that say so (forwarding, PoE, neighbours) are read at once instead of at their next turn minutes later.
    /// The first poll of a device only records its ports.
    /// </summary>
    private void RereadTablesAfterPortChange(FleetInventory fleet, Device device, DevicePollObservation poll)
    {
        if (!poll.Reachable || !poll.Sections.HasFlag(PollSections.Interfaces))
        {
            return;
        }

        var up = poll.Ports.Where(p => p.OperUp == true).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var before = _portsUp.GetValueOrDefault(device.Id);
        _portsUp[device.Id] = up;
        var tables = PollScheduler.TasksOf(fleet, device, options.Value).Aggregate(PollSections.None, (all, t) => all | t.Sections) & AfterPortChange;
        if (before is not null && !before.SetEquals(up) && tables != PollSections.None)
        {
            queue.Request(device.Id, tables);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {Device} failed unexpectedly")]
    private static partial void LogPollCrashed(ILogger logger, string device, Exception exception);
}
