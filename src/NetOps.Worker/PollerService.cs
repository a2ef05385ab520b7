using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;

namespace NetOps.Worker;

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
    ILogger<PollerService> logger) : BackgroundService
{
    private static readonly Meter Meter = new("NetOps");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("netops.poll.duration", "s", "Duration of one device poll");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("netops.poll.failures", description: "Polls that got no answer");

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
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("class", device.Class.ToString()));
            if (!observation.Reachable)
            {
                Failures.Add(1);
            }

            await poller.PublishAsync(sink, observation, stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Poll of {Device} failed unexpectedly")]
    private static partial void LogPollCrashed(ILogger logger, string device, Exception exception);
}
