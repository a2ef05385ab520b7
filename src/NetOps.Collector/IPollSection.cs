using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Snmp;

namespace NetOps.Collector;

/// <summary>
/// One part of a device poll beyond status and counters (optics, neighbours, forwarding table, PoE). The poller runs
/// the sections a poll plan asks for after the interfaces; a section that fails leaves its part null and the rest of
/// the poll stands.
/// </summary>
public interface IPollSection
{
    /// <summary>The sections this reader fills (one or more flags).</summary>
    PollSections Sections { get; }

    /// <summary>
    /// Reads from the device and returns the poll with its part filled in. <paramref name="ports"/> maps ifIndex to
    /// ifName as the device reports it now.
    /// </summary>
    Task<DevicePollObservation> ReadAsync(
        SnmpClient client,
        Snmp.SnmpTarget target,
        IReadOnlyDictionary<int, string> ports,
        DevicePollObservation poll,
        CancellationToken cancellationToken);
}
