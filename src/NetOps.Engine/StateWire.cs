using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// The JSON form of observations, deltas and snapshots between NetOps processes, and the topics they travel on.
/// Versioned in the topic (v1); see docs/architecture.md.
/// </summary>
public static class StateWire
{
    public const string ObservationsPrefix = "netops/v1/observations/";
    public const string ObservationsFilter = "netops/v1/observations/#";
    public const string CollectorStatusFilter = "netops/v1/collectors/+/status";
    public const string DeltaTopic = "netops/v1/state/delta";
    public const string SnapshotTopic = "netops/v1/state/snapshot";
    public const string SnapshotRequestTopic = "netops/v1/state/snapshot/request";

    public static string ObservationTopic(string collector) => ObservationsPrefix + collector;

    public static string CollectorStatusTopic(string collector) => $"netops/v1/collectors/{collector}/status";

    /// <summary>The collector named in a status topic, or null.</summary>
    public static string? CollectorOfStatusTopic(string topic)
    {
        const string prefix = "netops/v1/collectors/";
        return topic.StartsWith(prefix, StringComparison.Ordinal) && topic.EndsWith("/status", StringComparison.Ordinal)
            ? topic[prefix.Length..^"/status".Length]
            : null;
    }

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T? Deserialize<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Reads straight from an MQTT payload, segmented or not, without copying it.</summary>
    public static T? Deserialize<T>(in ReadOnlySequence<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonSerializer.Deserialize<T>(ref reader, Options);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type == typeof(Observation))
            {
                info.PolymorphismOptions = new JsonPolymorphismOptions
                {
                    TypeDiscriminatorPropertyName = "kind",
                    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
                    DerivedTypes =
                    {
                        new JsonDerivedType(typeof(DevicePollObservation), "device-poll"),
                        new JsonDerivedType(typeof(NodeTelemetryObservation), "node-telemetry"),
                        new JsonDerivedType(typeof(NodePresenceObservation), "node-presence"),
                        new JsonDerivedType(typeof(CollectorGoneObservation), "collector-gone"),
                        new JsonDerivedType(typeof(DeviceNotificationObservation), "device-notification"),
                        new JsonDerivedType(typeof(EndpointHeartbeatObservation), "endpoint-heartbeat"),
                        new JsonDerivedType(typeof(CameraStatusObservation), "camera-status"),
                        new JsonDerivedType(typeof(EndpointReachabilityObservation), "endpoint-reachability"),
                    },
                };
            }
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = resolver,
            Converters = { new JsonStringEnumConverter() },
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>A delta as published by the active engine.</summary>
public sealed record DeltaMessage(string Engine, StateDelta Delta);

/// <summary>A snapshot as published by the active engine, naming the requests it answers.</summary>
public sealed record SnapshotMessage(string Engine, StateSnapshot Snapshot, IReadOnlyList<string> Answers);

/// <summary>A reader asking the active engine for a fresh snapshot.</summary>
public sealed record SnapshotRequest(string Id);

/// <summary>A collector's presence, retained; its last will says offline.</summary>
public sealed record CollectorStatus(string State);
