using NetOps.Core.Inventory;

namespace NetOps.Core.Observations;

/// <summary>
/// Evidence from a collector. Each source numbers its observations; the state engine applies a
/// (source, sequence) pair at most once. A source name includes its boot id, so a restart starts afresh.
/// </summary>
public abstract record Observation(string Source, long Sequence, DateTimeOffset ObservedAt);

/// <summary>One interface as read from IF-MIB, identified by ifName.</summary>
public sealed record PortSample(
    string Name,
    int IfIndex,
    bool? AdminUp,
    bool? OperUp,
    ulong? InOctets,
    ulong? OutOctets,
    long? HighSpeedMbps);

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
    IReadOnlyList<NotificationVarbind> Varbinds) : Observation(Source, Sequence, ObservedAt);

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
