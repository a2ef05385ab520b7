using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace NetOps.Benchmarks;

/// <summary>
/// Which types this process allocates, from the runtime's allocation ticks (one event per about 100 KB allocated,
/// naming the type that crossed the mark): a sample, so the counts are proportional to the bytes, not exact.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private volatile bool _recording;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) ||
            eventData.PayloadNames is null)
        {
            return;
        }

        var index = eventData.PayloadNames.IndexOf("TypeName");
        if (index >= 0 && eventData.Payload?[index] is string type)
        {
            _ticks.AddOrUpdate(type, 1, (_, n) => n + 1);
        }
    }

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The types with the most ticks, each with its share of all ticks.</summary>
    public IEnumerable<(string Type, double Share)> Top(int count)
    {
        var total = Math.Max(1, _ticks.Values.Sum());
        return _ticks.OrderByDescending(t => t.Value).Take(count).Select(t => (t.Key, (double)t.Value / total));
    }
}
