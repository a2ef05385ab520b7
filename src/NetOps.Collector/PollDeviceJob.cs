using NetOps.Core.Inventory;
using Quartz;

namespace NetOps.Collector;

/// <summary>
/// A Quartz job that only hands the device and the sections of its plan task to the poller, with the time it was
/// scheduled to fire: no scheduler thread ever waits for a device.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PollDeviceJob(PollQueue queue) : IJob
{
    public const string DeviceKey = "device";
    public const string SectionsKey = "sections";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var sections = data.TryGetValue(SectionsKey, out var value) && value is not null
            ? (PollSections)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)
            : PollSections.Interfaces;
        queue.TryEnqueue(data.GetString(DeviceKey)!, sections, context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        return ValueTask.CompletedTask;
    }
}
