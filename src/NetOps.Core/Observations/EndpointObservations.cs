namespace NetOps.Core.Observations;

/// <summary>A camera's or sensor's own reading or heartbeat arrived (over MQTT): it is alive for <paramref name="FreshFor"/>.</summary>
public sealed record EndpointHeartbeatObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);

/// <summary>
/// A MOGLI node reports the status of a camera it records from. <paramref name="Detail"/> is device-supplied text:
/// untrusted, shown as text only.
/// </summary>
public sealed record CameraStatusObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    bool Online,
    string? Detail,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);

/// <summary>The collector's ICMP echo probe of an endpoint's address: answered (with its round trip) or not.</summary>
public sealed record EndpointReachabilityObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    bool Reachable,
    double? RoundTripMs,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);
