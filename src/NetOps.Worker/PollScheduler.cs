using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Inventory;
using Quartz;

namespace NetOps.Worker;

/// <summary>Keeps one Quartz trigger per inventory device, rescheduled when the inventory changes.</summary>
public sealed partial class PollScheduler(
    ISchedulerFactory schedulers,
    IInventoryProvider inventory,
    IOptions<CollectorOptions> options,
    ILogger<PollScheduler> logger) : IHostedService
{
    private const string Group = "poll";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        inventory.Changed += OnChanged;
        await ScheduleAsync(inventory.Current, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        inventory.Changed -= OnChanged;
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    private void OnChanged(object? sender, InventoryChangedEventArgs changed) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await ScheduleAsync(changed.Current, _stopping?.Token ?? CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRescheduleFailed(logger, e);
            }
        });

    private async Task ScheduleAsync(FleetInventory fleet, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            var settings = options.Value;
            var mine = fleet.Devices.Values.Where(d => Sharding.ShardOf(d.Id, settings.ShardCount) == settings.ShardIndex)
                .ToDictionary(d => d.Id, StringComparer.Ordinal);
            var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken).ConfigureAwait(false);
            foreach (var key in existing.Where(k => !mine.ContainsKey(k.Name)))
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            }

            var interval = settings.PollInterval;
            var spread = 0;
            foreach (var device in mine.Values)
            {
                var key = new JobKey(device.Id, Group);
                var job = JobBuilder.Create<PollDeviceJob>().WithIdentity(key).UsingJobData(PollDeviceJob.DeviceKey, device.Id).Build();
                // Spread first polls over the interval so a large fleet does not poll in one burst.
                var offset = TimeSpan.FromTicks(interval.Ticks * (spread++ % 64) / 64);
                var trigger = TriggerBuilder.Create()
                    .WithIdentity(device.Id, Group)
                    .StartAt(DateTimeOffset.UtcNow + offset)
                    .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                    .Build();
                await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
            }

            LogScheduled(logger, mine.Count, fleet.Devices.Count, interval);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Devices} of {Fleet} devices every {Interval}")]
    private static partial void LogScheduled(ILogger logger, int devices, int fleet, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rescheduling polls after an inventory change failed")]
    private static partial void LogRescheduleFailed(ILogger logger, Exception exception);
}
