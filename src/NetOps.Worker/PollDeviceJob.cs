using Quartz;

namespace NetOps.Worker;

/// <summary>A Quartz job that only hands the device to the poller: no scheduler thread ever waits for a device.</summary>
[DisallowConcurrentExecution]
public sealed class PollDeviceJob(PollQueue queue) : IJob
{
    public const string DeviceKey = "device";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        queue.TryEnqueue(context.MergedJobDataMap.GetString(DeviceKey)!);
        return ValueTask.CompletedTask;
    }
}
