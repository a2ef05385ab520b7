using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Inventory;
using Quartz;

namespace NetOps.Collector;

/// <summary>
/// Keeps one Quartz trigger per (device, task of its class's poll plan), rescheduled when the inventory changes. With
/// <see cref="CollectorOptions.PollInterval"/> set, one trigger per device polls every section of its plan at that interval.
/// </summary>
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
            var wanted = mine.Values.SelectMany(d => TasksOf(fleet, d, settings).Select(t => (Device: d, Task: t, Key: KeyOf(d, t)))).DistinctBy(w => w.Key).ToList();
            var keys = wanted.Select(w => w.Key).ToHashSet();
            var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken).ConfigureAwait(false);
            foreach (var key in existing.Where(k => !keys.Contains(k)))
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            }

            var spread = 0;
            foreach (var (device, task, key) in wanted)
            {
                var interval = task.Interval;
                var job = JobBuilder.Create<PollDeviceJob>().WithIdentity(key)
                    .UsingJobData(PollDeviceJob.DeviceKey, device.Id)
                    .UsingJobData(PollDeviceJob.SectionsKey, (int)task.Sections)
                    .Build();
                // Spread first polls so a large fleet does not poll in one burst, over the device's shortest interval: a
                // section read every few minutes (neighbours, forwarding table) is read soon after start, then at its pace.
                var first = TasksOf(fleet, device, settings).Min(t => t.Interval);
                var offset = TimeSpan.FromTicks(Math.Min(interval.Ticks, first.Ticks) * (spread++ % 64) / 64);
                var trigger = TriggerBuilder.Create()
                    .WithIdentity(key.Name, Group)
                    .StartAt(DateTimeOffset.UtcNow + offset)
                    .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                    .Build();
                await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
            }

            LogScheduled(logger, mine.Count, fleet.Devices.Count, wanted.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The recurring polls of a device: its class's plan, or every section of it at the configured interval.</summary>
    public static IReadOnlyList<PollTask> TasksOf(FleetInventory fleet, Device device, CollectorOptions settings)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(settings);
        var plan = fleet.Policy.PlanFor(device.Class);
        if (settings.PollInterval is { } every)
        {
            return [new PollTask(plan.AllSections | PollSections.Interfaces, every)];
        }

        return plan.Tasks.Count > 0 ? plan.Tasks : [new PollTask(PollSections.Interfaces, CollectorOptions.DefaultInterval)];
    }

    /// <summary>How often a device's reachability is checked: the shortest interval of its tasks (every poll reads sysUpTime).</summary>
    public static TimeSpan IntervalOf(FleetInventory fleet, Device device, CollectorOptions settings) =>
        TasksOf(fleet, device, settings).Min(t => t.Interval);

    private static JobKey KeyOf(Device device, PollTask task) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{device.Id}#{(int)task.Sections}@{task.Interval.TotalMilliseconds}"), Group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Devices} of {Fleet} devices: {Triggers} poll plan triggers")]
    private static partial void LogScheduled(ILogger logger, int devices, int fleet, int triggers);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rescheduling polls after an inventory change failed")]
    private static partial void LogRescheduleFailed(ILogger logger, Exception exception);
}
