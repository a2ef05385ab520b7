namespace NetOps.Core.Observations;

/// <summary>One value a sensor measured: the quantity names its unit (<c>noise_dba</c>, <c>air_temp_c</c>).</summary>
public sealed record SensorReading(string Quantity, double Value);

/// <summary>
/// Evidence that an endpoint (a sensor hanging off a node) is alive: a heartbeat, or a reading, which says as much.
/// It is evidence for <paramref name="FreshFor"/> from <paramref name="ObservedAt"/>; a reading carries its value in
/// <paramref name="Reading"/> (null for a heartbeat).
/// </summary>
public sealed record EndpointHeartbeatObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    TimeSpan FreshFor,
    SensorReading? Reading = null) : Observation(Source, Sequence, ObservedAt);

/// <summary>
/// A camera's status as the camera (or the node it hangs off) reports it, or as its last will says. Status messages
/// are retained: without <paramref name="FreshFor"/> the status holds until the next one. <paramref name="Detail"/> is
/// the device's own short text (e.g. <c>"no video signal"</c>): untrusted, shown as text only and never logged.
/// </summary>
public sealed record CameraStatusObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    bool Online,
    string? Detail = null,
    TimeSpan? FreshFor = null) : Observation(Source, Sequence, ObservedAt);

/// <summary>The collector's ICMP echo probe of an endpoint's address: answered (with its round trip) or not.</summary>
public sealed record EndpointReachabilityObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    bool Reachable,
    double? RoundTripMs,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);
