using System.Diagnostics.Metrics;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// The MQTT adapter's instruments on the "NetOps" meter: <c>netops.mqtt.received</c> (tag <c>kind</c>) and
/// <c>netops.mqtt.rejected</c> (tag <c>reason</c>, see <see cref="MqttRejectionReasonTags"/>) and
/// <c>netops.mqtt.dead_letter</c> (tag <c>outcome</c>).
/// </summary>
public sealed class MqttMetrics
{
    public const string MeterName = "NetOps";
    public const string ReceivedName = "netops.mqtt.received";
    public const string RejectedName = "netops.mqtt.rejected";
    public const string DeadLetterName = "netops.mqtt.dead_letter";

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _deadLetter;

    /// <summary>Creates the instruments once, on the "NetOps" meter of <paramref name="meterFactory"/> (which disposes it).</summary>
    public MqttMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _received = Meter.CreateCounter<long>(ReceivedName, "{message}", "MQTT messages received by the ingest");
        _rejected = Meter.CreateCounter<long>(RejectedName, "{message}",
            "MQTT messages (or their device times) rejected by the ingest, by reason");
        _deadLetter = Meter.CreateCounter<long>(DeadLetterName, "{message}",
            "Rejected MQTT messages forwarded to the dead-letter topic (outcome=forwarded) or not (outcome=dropped)");
    }

    /// <summary>The meter the instruments live on; a test's MeterListener can match it by reference.</summary>
    public Meter Meter { get; }

    internal void Received(MqttTopicKind kind) =>
        _received.Add(1, new KeyValuePair<string, object?>("kind", KindTag(kind)));

    internal void Rejected(MqttRejectionReason reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTag()));

    internal void DeadLetter(bool forwarded) =>
        _deadLetter.Add(1, new KeyValuePair<string, object?>("outcome", forwarded ? "forwarded" : "dropped"));

    private static string KindTag(MqttTopicKind kind) => kind switch
    {
        MqttTopicKind.NodeTelemetry => "telemetry",
        MqttTopicKind.NodeStatus => "status",
        MqttTopicKind.SensorReading => "reading",
        MqttTopicKind.SensorHeartbeat => "heartbeat",
        MqttTopicKind.CameraStatus => "camera_status",
        _ => "unknown",
    };
}
