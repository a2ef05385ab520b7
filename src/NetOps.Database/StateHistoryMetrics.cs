using System.Diagnostics.Metrics;

namespace NetOps.Database;

/// <summary>
/// The state history's instruments on the "NetOps" meter: <c>netops.state_history.recorded</c> (changes written),
/// <c>netops.state_history.dropped</c> (changes lost: the database fell too far behind or refused them),
/// <c>netops.state_history.write.failures</c> (retried batches) and <c>netops.state_history.pruned</c>.
/// </summary>
public sealed class StateHistoryMetrics : IDisposable
{
    public const string MeterName = "NetOps";

    private readonly bool _ownsMeter;
    private readonly Counter<long> _recorded;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _pruned;

    public StateHistoryMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _recorded = Meter.CreateCounter<long>("netops.state_history.recorded", "{change}", "State changes written to the operational database (not counting those another process wrote first)");
        _dropped = Meter.CreateCounter<long>("netops.state_history.dropped", "{change}", "State changes lost: the recorder's queue was full or the database refused them");
        _failures = Meter.CreateCounter<long>("netops.state_history.write.failures", "{attempt}", "State history writes that failed and will be retried");
        _pruned = Meter.CreateCounter<long>("netops.state_history.pruned", "{change}", "State changes deleted past the retention");
    }

    /// <summary>The meter the instruments live on; a test's MeterListener can match it by reference.</summary>
    public Meter Meter { get; }

    public void Recorded(int count) => _recorded.Add(count);

    public void Dropped(int count) => _dropped.Add(count);

    public void WriteFailed() => _failures.Add(1);

    public void Pruned(int count) => _pruned.Add(count);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
