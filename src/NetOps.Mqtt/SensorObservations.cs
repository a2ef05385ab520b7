using NetOps.Core.Observations;

namespace NetOps.Mqtt;

// These belong in NetOps.Core.Observations once the state engine consumes sensors; they live here until then.

/// <summary>A sensor endpoint said it is alive.</summary>
public sealed record SensorHeartbeatObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);

/// <summary>One reading of a sensor endpoint: a quantity with its value in the unit the contract fixes for it.</summary>
public sealed record SensorReadingObservation(
    string Source,
    long Sequence,
    DateTimeOffset ObservedAt,
    string EndpointId,
    string Quantity,
    double Value,
    TimeSpan FreshFor) : Observation(Source, Sequence, ObservedAt);
