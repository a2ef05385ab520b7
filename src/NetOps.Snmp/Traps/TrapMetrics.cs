using System.Diagnostics.Metrics;

namespace NetOps.Snmp;

/// <summary>
/// The trap receiver's instruments on the "NetOps" meter: <c>netops.traps.received</c> (tags <c>version</c>, <c>pdu</c>),
/// <c>netops.traps.malformed</c>, <c>netops.traps.unknown_source</c> (tag <c>reason</c>) and <c>netops.traps.dropped</c>.
/// One per process, shared by its receivers; a receiver without one (a field engineer's listener) counts in its properties only.
/// </summary>
public sealed class TrapMetrics
{
    public const string MeterName = "NetOps";

    private readonly Counter<long> _received;
    private readonly Counter<long> _malformed;
    private readonly Counter<long> _unknownSource;
    private readonly Counter<long> _dropped;

    /// <summary>Creates the instruments once, on the "NetOps" meter of <paramref name="meterFactory"/> (which disposes it).</summary>
    public TrapMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("netops.traps.received",
            description: "Notifications received and queued, by version and PDU type");
        _malformed = meter.CreateCounter<long>("netops.traps.malformed",
            description: "Datagrams on the trap port that are no valid notification, by reason");
        _unknownSource = meter.CreateCounter<long>("netops.traps.unknown_source",
            description: "Notifications refused or unresolved because their sender is not known, by reason");
        _dropped = meter.CreateCounter<long>("netops.traps.dropped",
            description: "Notifications dropped because the queue to the consumer was full");
    }

    internal void Received(string version, string pdu) =>
        _received.Add(1, new KeyValuePair<string, object?>("version", version), new KeyValuePair<string, object?>("pdu", pdu));

    internal void Malformed(string reason) => _malformed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// Counts a notification whose sender is not known: an unknown community or user (the receiver), or a sender a
    /// consumer could not resolve (to an inventory device, say).
    /// </summary>
    public void UnknownSource(string reason) => _unknownSource.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void Dropped() => _dropped.Add(1);
}
