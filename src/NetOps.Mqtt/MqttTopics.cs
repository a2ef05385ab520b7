namespace NetOps.Mqtt;

/// <summary>The versioned topic tree of the MQTT contract (docs/mqtt.md).</summary>
public static class MqttTopics
{
    /// <summary>Every topic of contract version 1 starts with this.</summary>
    public const string Root = "netops/v1";

    public const string NodeTelemetryFilter = Root + "/nodes/+/telemetry";
    public const string NodeStatusFilter = Root + "/nodes/+/status";
    public const string SensorReadingFilter = Root + "/sensors/+/reading";
    public const string SensorHeartbeatFilter = Root + "/sensors/+/heartbeat";
    public const string CameraStatusFilter = Root + "/cameras/+/status";

    /// <summary>Longest node or endpoint id accepted in a topic.</summary>
    public const int MaxIdLength = 64;

    public static string NodeTelemetry(string nodeId) => $"{Root}/nodes/{RequireId(nodeId)}/telemetry";

    public static string NodeStatus(string nodeId) => $"{Root}/nodes/{RequireId(nodeId)}/status";

    public static string SensorReading(string endpointId) => $"{Root}/sensors/{RequireId(endpointId)}/reading";

    public static string SensorHeartbeat(string endpointId) => $"{Root}/sensors/{RequireId(endpointId)}/heartbeat";

    public static string CameraStatus(string cameraId) => $"{Root}/cameras/{RequireId(cameraId)}/status";

    /// <summary>Prefixes a filter for an MQTT 5 shared subscription when a group is given.</summary>
    public static string Shared(string filter, string? group) =>
        string.IsNullOrEmpty(group) ? filter : $"$share/{group}/{filter}";

    /// <summary>Ids are 1 to 64 characters of ASCII letters, digits, '.', '_' and '-'.</summary>
    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a contract topic into its kind and subject id; false for anything else.</summary>
    public static bool TryParse(string topic, out MqttTopicKind kind, out string subjectId)
    {
        kind = MqttTopicKind.Unknown;
        subjectId = string.Empty;
        var span = topic.AsSpan();
        const string prefix = Root + "/";
        if (!span.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        span = span[prefix.Length..];
        var slash = span.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        var family = span[..slash];
        var rest = span[(slash + 1)..];
        slash = rest.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        var id = rest[..slash];
        var leaf = rest[(slash + 1)..];
        if (!IsValidId(id))
        {
            return false;
        }

        if (family.SequenceEqual("nodes"))
        {
            kind = leaf.SequenceEqual("telemetry") ? MqttTopicKind.NodeTelemetry
                : leaf.SequenceEqual("status") ? MqttTopicKind.NodeStatus
                : MqttTopicKind.Unknown;
        }
        else if (family.SequenceEqual("sensors"))
        {
            kind = leaf.SequenceEqual("reading") ? MqttTopicKind.SensorReading
                : leaf.SequenceEqual("heartbeat") ? MqttTopicKind.SensorHeartbeat
                : MqttTopicKind.Unknown;
        }
        else if (family.SequenceEqual("cameras"))
        {
            kind = leaf.SequenceEqual("status") ? MqttTopicKind.CameraStatus : MqttTopicKind.Unknown;
        }

        if (kind == MqttTopicKind.Unknown)
        {
            return false;
        }

        subjectId = id.ToString();
        return true;
    }

    private static string RequireId(string id) =>
        IsValidId(id) ? id : throw new ArgumentException("an id is 1 to 64 characters of [A-Za-z0-9._-]", nameof(id));
}

/// <summary>Which message of the contract a topic carries.</summary>
public enum MqttTopicKind
{
    Unknown,
    NodeTelemetry,
    NodeStatus,
    SensorReading,
    SensorHeartbeat,
    CameraStatus,
}
