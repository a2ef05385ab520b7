using NetOps.Core.Observations;

namespace NetOps.Mqtt.Parsing;

/// <summary>Why a message was not turned into an observation (or, for <see cref="BadTimestamp"/>, why its device time was not used).</summary>
public enum MqttRejectionReason
{
    /// <summary>Not JSON, truncated, nested too deep, or trailing bytes.</summary>
    MalformedJson,

    /// <summary>A field (or the payload itself) has the wrong JSON type.</summary>
    WrongType,

    /// <summary>A value outside its documented range or set.</summary>
    OutOfRange,

    /// <summary>A required field is absent.</summary>
    MissingField,

    /// <summary>The node or endpoint id is not in the caller's catalog.</summary>
    UnknownNode,

    /// <summary>The sequence number is not above the last applied one of that source (acknowledged, not applied).</summary>
    Replayed,

    /// <summary>The payload is larger than the configured limit.</summary>
    Oversize,

    /// <summary>The device time was implausible (before 2020, too far ahead) or unreadable: arrival time was used instead.</summary>
    BadTimestamp,

    /// <summary>The topic is not one of the contract's.</summary>
    BadTopic,
}

/// <summary>A typed rejection; <see cref="Field"/> names the contract field at fault, never payload text.</summary>
public sealed record MqttRejection(MqttRejectionReason Reason, string? Field = null);

/// <summary>Metric tag values for the reasons, fixed strings so a dashboard query never changes with a rename.</summary>
public static class MqttRejectionReasonTags
{
    public static string ToTag(this MqttRejectionReason reason) => reason switch
    {
        MqttRejectionReason.MalformedJson => "malformed_json",
        MqttRejectionReason.WrongType => "wrong_type",
        MqttRejectionReason.OutOfRange => "out_of_range",
        MqttRejectionReason.MissingField => "missing_field",
        MqttRejectionReason.UnknownNode => "unknown_node",
        MqttRejectionReason.Replayed => "replayed",
        MqttRejectionReason.Oversize => "oversize",
        MqttRejectionReason.BadTimestamp => "bad_timestamp",
        MqttRejectionReason.BadTopic => "bad_topic",
        _ => "other",
    };
}
