using NetOps.Core.Inventory;

namespace NetOps.Core.Observations;

/// <summary>
/// Evidence from a collector. Each source numbers its observations; the state engine applies a
/// (source, sequence) pair at most once. A source name includes its boot id, so a restart starts afresh.
/// </summary>
public abstract record Observation(string Source, long Sequence, DateTimeOffset ObservedAt);

/// <summary>
/// One interface as read from IF-MIB, identified by ifName. Octet and packet counters are the 64-bit ifXTable (HC)
/// columns when the device has them and the 32-bit ifTable ones otherwise; <see cref="CounterBits"/> says which, so
/// the engine knows whether a counter that went back wrapped (32) or was reset (64). Errors and discards are Counter32
/// in IF-MIB. Null: the device did not report that column.
/// </summary>
public sealed record PortSample(
    string Name,
    int IfIndex,
    bool? AdminUp,
    bool? OperUp,
    ulong? InOctets,
    ulong? OutOctets,
    long? HighSpeedMbps)
{
    /// <summary>64 when the traffic counters came from ifHC* columns, 32 when from ifTable (or ifXTable's 32-bit packet columns).</summary>
    public int CounterBits { get; init; } = 64;

    public ulong? InUcastPkts { get; init; }

    public ulong? OutUcastPkts { get; init; }

    public ulong? InMulticastPkts { get; init; }

    public ulong? OutMulticastPkts { get; init; }

    public ulong? InBroadcastPkts { get; init; }

    public ulong? OutBroadcastPkts { get; init; }

    public ulong? InErrors { get; init; }

    public ulong? OutErrors { get; init; }

    public ulong? InDiscards { get; init; }

    public ulong? OutDiscards { get; init; }

    /// <summary>sysUpTime (TimeTicks, 1/100 s) when the port last changed its operational status (ifLastChange).</summary>
    public uint? LastChangeTicks { get; init; }

    /// <summary>
    /// ifCounterDiscontinuityTime (TimeTicks): when the device last reset this port's counters other than at boot. A
    /// change between two polls means the counters are not comparable.
    /// </summary>
    public uint? DiscontinuityTicks { get; init; }

    /// <summary>ifAlias as the device reports it: operator-set, untrusted text.</summary>
    public string? Alias { get; init; }
}

/// <summary>The result of one poll of a device: reachable with its ports, or not with the error.</summary>
public sealed record DevicePollObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string DeviceId,
    bool Reachable,
    TimeSpan? SysUpTime,
    string? Error,
    IReadOnlyList<PortSample> Ports,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt)
{
    /// <summary>
    /// What this poll collected. A poll of the neighbours only says nothing about port status, so the engine reads
    /// each part only when its section is here; sections a device could not answer stay null.
    /// </summary>
    public PollSections Sections { get; init; } = PollSections.Interfaces;

    /// <summary>
    /// When the poll sent its first request (null from senders that do not say). A poll that got no answer listened from
    /// then until <see cref="Observation.ObservedAt"/>: a link on the way that was down at any moment of that is reason enough.
    /// </summary>
    public DateTimeOffset? StartedAt { get; init; }

    public IReadOnlyList<OpticSample>? Optics { get; init; }

    public IReadOnlyList<LldpNeighbour>? Neighbours { get; init; }

    /// <summary>What the device advertises over LLDP itself; read with <see cref="Neighbours"/>.</summary>
    public LldpLocalSystem? LldpLocal { get; init; }

    public IReadOnlyList<ForwardingEntry>? Forwarding { get; init; }

    public IReadOnlyList<PoePortStatus>? Poe { get; init; }
}

/// <summary>What a device's notification (trap or inform) says, as far as state is concerned.</summary>
public enum NotificationKind
{
    LinkDown,
    LinkUp,
    ColdStart,
    WarmStart,
    Other,
}

/// <summary>One variable binding of a notification, its value as net-snmp would print it.</summary>
public sealed record NotificationVarbind(string Oid, string Value);

/// <summary>
/// A trap or inform from an inventory device. <paramref name="Port"/> is the ifName its ifIndex binding names, as the
/// device's last poll mapped it; null when the notification names no interface or the device was not polled yet.
/// (Not "Kind": that name is the wire's type discriminator.)
/// </summary>
public sealed record DeviceNotificationObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string DeviceId,
    NotificationKind Notification,
    string TrapOid,
    string? Port,
    IReadOnlyList<NotificationVarbind> Varbinds) : Observation(Source, Sequence, ObservedAt)
{
    /// <summary>The address the notification came from, as the trap log shows it; null from an older collector.</summary>
    public string? Sender { get; init; }

    /// <summary>The SNMP version it came in (V1, V2c, V3); null from an older collector.</summary>
    public string? Version { get; init; }
}

/// <summary>How a mobile node is powered right now.</summary>
public enum PowerSource
{
    Mains,
    Battery,
}

/// <summary>Which uplink a mobile node uses right now.</summary>
public enum UplinkKind
{
    None,
    Fibre,
    Lte,
}

/// <summary>A WGS84 position.</summary>
public sealed record GeoPosition(double Latitude, double Longitude);

/// <summary>Telemetry a MOGLI node reports; canonical units (%, seconds, °C, dBm).</summary>
public sealed record NodeTelemetry(
    double? BatteryPercent,
    PowerSource? Power,
    TimeSpan? RuntimeLeft,
    double? EnclosureTemperatureC,
    UplinkKind? Uplink,
    double? LteSignalDbm,
    GeoPosition? Position);

/// <summary>A telemetry report of a mobile node.</summary>
public sealed record NodeTelemetryObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string NodeId,
    NodeTelemetry Telemetry,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);

/// <summary>A node announced itself online, or its last will said it went offline.</summary>
public sealed record NodePresenceObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string NodeId,
    bool Online,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);

/// <summary>
/// A collector announced it is gone (its last will on the broker): the states it gave evidence for turn unknown now.
/// Not numbered: it comes from the broker, not from the collector.
/// </summary>
public sealed record CollectorGoneObservation(DateTimeOffset ObservedAt, string Collector)
    : Observation("broker", 0, ObservedAt);
