using NetOps.Core.Observations;
using NetOps.Storage.Points;

namespace NetOps.Storage.Tests;

public sealed class MappingTests
{
    [Fact]
    public void DevicePoll_BecomesADevicePointAndOnePerPort_KeyedByIds()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1);
        var poll = new DevicePollObservation("w#1", 1, at, "acc-nord", true, TimeSpan.FromSeconds(90), null,
            [new PortSample("ge-0/0/1", 3, true, false, ulong.MaxValue, 12, 1000)], TimeSpan.FromMinutes(1));

        var points = new ObservationPoints().Map([poll]);

        Assert.Equal(2, points.Count);
        Assert.Equal("device,device=acc-nord", points[0].SeriesKey);
        Assert.Equal(1, points[0].FieldNamed("reachable")!.Value.IntegerValue);
        Assert.Equal(90, points[0].FieldNamed("uptime_s")!.Value.FloatValue);
        Assert.Equal("port,device=acc-nord,port=ge-0/0/1", points[1].SeriesKey);
        Assert.Equal(long.MaxValue, points[1].FieldNamed("in_octets")!.Value.IntegerValue);
        Assert.Equal(0, points[1].FieldNamed("oper_up")!.Value.IntegerValue);
        Assert.Equal(1e9, points[1].FieldNamed("speed_bps")!.Value.FloatValue);
        // 100 ns resolution kept: the tick after midnight is 100 ns after it.
        Assert.Equal(Point.ToNanoseconds(at.AddTicks(-1)) + 100, points[0].TimestampNs);
    }

    [Fact]
    public void NodeTelemetry_IsTaggedWithEventAndZone_AndLeavesOutMinusInfinityDbm()
    {
        var points = SampleData.HourPoints();
        var node = points.First(p => p.Measurement == "node" && p.TagValue("node") == "mogli-2");
        Assert.Equal("kerwe-2025", node.TagValue("event"));
        Assert.Equal("east-gate", node.TagValue("zone"));
        Assert.Contains(points, p => p.Measurement == "node" && p.FieldNamed("lte_signal_dbm") is null);
        Assert.All(points, p => Assert.Null(LineProtocol.Validate(p)));
    }

    [Fact]
    public void SensorReadingsAndCameraStatus_AreStoredPerEndpoint_HeartbeatsAndDetailTextAreNot()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var points = new ObservationPoints().Map([
            new EndpointHeartbeatObservation("mqtt#1", 1, at, "noise-3", TimeSpan.FromMinutes(1), new SensorReading("noise_dba", 71.5)),
            new EndpointHeartbeatObservation("mqtt#1", 2, at, "noise-3", TimeSpan.FromMinutes(1)),
            new EndpointHeartbeatObservation("mqtt#1", 3, at, "noise-3", TimeSpan.FromMinutes(1), new SensorReading("noise_dba", double.NaN)),
            new CameraStatusObservation("mqtt#2", 1, at, "cam-7", false, "<script>no video</script>"),
        ]);

        Assert.Equal(2, points.Count);
        Assert.Equal("quantity=noise_dba,endpoint=noise-3", string.Join(',', points[0].Tags.OrderByDescending(t => t.Key).Select(t => $"{t.Key}={t.Value}")));
        Assert.Equal("sensor", points[0].Measurement);
        Assert.Equal(71.5, points[0].FieldNamed("value")!.Value.FloatValue);
        Assert.Equal("camera_status", points[1].Measurement);
        Assert.Equal(0, points[1].FieldNamed("online")!.Value.IntegerValue);
        Assert.Single(points[1].Fields);
    }
}
