namespace NetOps.Mqtt;

/// <summary>The last applied sequence number per source; the ingest's replay check.</summary>
internal sealed class SequenceTracker
{
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool IsReplay(string source, long sequence)
    {
        lock (_gate)
        {
            return _last.TryGetValue(source, out var last) && sequence <= last;
        }
    }

    public void Applied(string source, long sequence)
    {
        lock (_gate)
        {
            if (!_last.TryGetValue(source, out var last) || sequence > last)
            {
                _last[source] = sequence;
            }
        }
    }
}
