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
/// Only this collector's devices (<see cref="CollectorMembership.Current"/>) get triggers: when the members change, the
/// devices that moved here are scheduled within half their interval and those that moved away are dropped; the rest keep
/// their triggers untouched, so their polls neither repeat nor slip.
/// </summary>
public sealed partial class PollScheduler(
    ISchedulerFactory schedulers,
    IInventoryProvider inventory,
    CollectorMembership membership,
    IOptions<CollectorOptions> options,
    ILogger<PollScheduler> logger) : IHostedService
{
    private const string Group = "poll";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _stopping;
    private bool _scheduled;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        inventory.Changed += OnChanged;
        membership.Changed += OnMembersChanged;
        await ScheduleAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        inventory.Changed -= OnChanged;
        membership.Changed -= OnMembersChanged;
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    private void OnChanged(object? sender, InventoryChangedEventArgs changed) => Reschedule();

    private void OnMembersChanged(Core.Cluster.ClusterAssignment assignment) => Reschedule();

    private void Reschedule() =>
        _ = Task.Run(async () =>
        {
            try
            {
                // The inventory and members of the moment it runs: a reschedule queued behind another one never applies older ones.
                await ScheduleAsync(_stopping?.Token ?? CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRescheduleFailed(logger, e);
            }
        });

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fleet = inventory.Current;
            var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
            var settings = options.Value;
            var assignment = membership.Current;
            var mine = fleet.Devices.Values.Where(d => assignment.Owns(d.Id)).ToDictionary(d => d.Id, StringComparer.Ordinal);
            var wanted = mine.Values.SelectMany(d => TasksOf(fleet, d, settings).Select(t => (Device: d, Task: t, Key: KeyOf(d, t)))).DistinctBy(w => w.Key).ToList();
            var keys = wanted.Select(w => w.Key).ToHashSet();
            var existing = (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken).ConfigureAwait(false)).ToHashSet();
            foreach (var key in existing.Where(k => !keys.Contains(k)))
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            }

            var spread = 0;
            var added = 0;
            foreach (var (device, task, key) in wanted.Where(w => !existing.Contains(w.Key)))
            {
                var interval = task.Interval;
                var job = JobBuilder.Create<PollDeviceJob>().WithIdentity(key)
                    .UsingJobData(PollDeviceJob.DeviceKey, device.Id)
                    .UsingJobData(PollDeviceJob.SectionsKey, (int)task.Sections)
                    .Build();
                // Spread first polls so a large fleet does not poll in one burst, over the device's shortest interval: a
                // section read every few minutes (neighbours, forwarding table) is read soon after start, then at its pace.
                // A device taken over from a member that left has gone unpolled for a while already: within half of it.
                var first = TasksOf(fleet, device, settings).Min(t => t.Interval);
                var window = Math.Min(interval.Ticks, first.Ticks) / (_scheduled ? 2 : 1);
                var offset = TimeSpan.FromTicks(window * (spread++ % 64) / 64);
                var trigger = TriggerBuilder.Create()
                    .WithIdentity(key.Name, Group)
                    .StartAt(DateTimeOffset.UtcNow + offset)
                    .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                    .Build();
                await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
                added++;
            }

            _scheduled = true;
            LogScheduled(logger, mine.Count, fleet.Devices.Count, assignment.Members.Count, wanted.Count, added);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Devices} of {Fleet} devices (collectors: {Members}): {Triggers} poll plan triggers, {Added} new")]
    private static partial void LogScheduled(ILogger logger, int devices, int fleet, int members, int triggers, int added);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rescheduling polls after an inventory change failed")]
    private static partial void LogRescheduleFailed(ILogger logger, Exception exception);
}
