using System.Text;
using NetOps.Core.Observations;

namespace NetOps.Engine.Tests;

public sealed class EndpointWireTests
{
    private static readonly DateTimeOffset At = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<Observation, string> Observations() => new()
    {
        { new EndpointHeartbeatObservation("mqtt#1a2b3c4d", 1, At, "luft-1", TimeSpan.FromMinutes(2)), "endpoint-heartbeat" },
        { new CameraStatusObservation("mqtt#1a2b3c4d", 2, At, "cam-buehne", false, "rtsp timeout", TimeSpan.FromMinutes(1)), "camera-status" },
        { new EndpointReachabilityObservation("worker-1#1a2b3c4d", 3, At, "luft-1", true, 0.4, TimeSpan.FromSeconds(90)), "endpoint-reachability" },
    };

    [Theory]
    [MemberData(nameof(Observations))]
    public void EndpointObservations_RoundTripUnderTheirWireNames(Observation sent, string kind)
    {
        var json = StateWire.Serialize(sent);

        Assert.Contains($"\"kind\":\"{kind}\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(sent, StateWire.Deserialize<Observation>(json));
    }
}
