using NetOps.Core.Observations;

namespace NetOps.Engine.Tests;

public sealed class StateWireTests
{
    [Fact]
    public void DeviceNotification_RoundTripsAsAnObservation()
    {
        var sent = new DeviceNotificationObservation("traps#1a2b3c4d", 7, new DateTimeOffset(2026, 8, 21, 12, 0, 0, TimeSpan.Zero),
            "acc-nord", NotificationKind.LinkDown, ".1.3.6.1.6.3.1.1.5.3", "Te1/1/1", [new NotificationVarbind(".1.3.6.1.2.1.2.2.1.1.1", "1")]);

        var received = Assert.IsType<DeviceNotificationObservation>(StateWire.Deserialize<Observation>(StateWire.Serialize<Observation>(sent)));

        Assert.Equal(sent with { Varbinds = received.Varbinds }, received);
        Assert.Equal(sent.Varbinds, received.Varbinds);
    }

    [Fact]
    public void EndpointHeartbeat_AndCameraStatus_RoundTripAsObservations()
    {
        var at = new DateTimeOffset(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);
        Observation[] sent =
        [
            new EndpointHeartbeatObservation("mqtt:heartbeat:noise-3@b1", 4, at, "noise-3", TimeSpan.FromMinutes(3)),
            new EndpointHeartbeatObservation("mqtt:reading:noise-3@b1", 5, at, "noise-3", TimeSpan.FromSeconds(30), new SensorReading("noise_dba", 71.5)),
            new CameraStatusObservation("mqtt:camera:cam-7@b2", 9, at, "cam-7", false, "no video signal"),
            new CameraStatusObservation("mqtt:camera:cam-7@b2", 10, at, "cam-7", true),
        ];

        foreach (var observation in sent)
        {
            var json = StateWire.Serialize(observation);
            Assert.Equal(observation, StateWire.Deserialize<Observation>(json));
        }

        Assert.Contains("\"kind\":\"camera-status\"", System.Text.Encoding.UTF8.GetString(StateWire.Serialize(sent[2])), StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"endpoint-heartbeat\"", System.Text.Encoding.UTF8.GetString(StateWire.Serialize(sent[0])), StringComparison.Ordinal);
    }
}
