using NetOps.Core.Observations;

namespace NetOps.Mqtt.Parsing;

/// <summary>The outcome of parsing one message: an observation, a rejection, or nothing (a cleared retained message).</summary>
public readonly record struct MqttParseResult(
    MqttTopicKind Kind,
    string? SubjectId,
    Observation? Observation,
    MqttRejection? Rejection,
    bool DeviceTimeRejected)
{
    public bool IsAccepted => Observation is not null;

    /// <summary>An empty payload: a retained message being cleared, which carries no evidence.</summary>
    public bool IsIgnored => Observation is null && Rejection is null;

    internal static MqttParseResult Reject(MqttTopicKind kind, string? subject, MqttRejectionReason reason, string? field = null) =>
        new(kind, subject, null, new MqttRejection(reason, field), false);
}
