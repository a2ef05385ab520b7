using NetOps.Core.Observations;

namespace NetOps.State.Tests;

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
}
