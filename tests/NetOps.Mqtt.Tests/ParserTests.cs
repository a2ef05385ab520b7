using System.Buffers;
using System.Text;
using NetOps.Core.Observations;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt.Tests;

public sealed class ParserTests
{
    private static readonly DateTimeOffset Arrival = new(2026, 7, 4, 18, 30, 0, TimeSpan.Zero);
    private static readonly MqttPayloadParser Parser = new();
    private static readonly string Telemetry = MqttTopics.NodeTelemetry("mogli-01");

    private static MqttParseResult Parse(string json, string? topic = null, INodeCatalog? catalog = null, MqttPayloadParser? parser = null) =>
        (parser ?? Parser).Parse(topic ?? Telemetry, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), Arrival, catalog);

    private static MqttRejectionReason? Reason(string json, string? topic = null) => Parse(json, topic).Rejection?.Reason;

    [Fact]
    public void FullTelemetry_BecomesAnObservationInCanonicalUnits()
    {
        var result = Parse("""
            {"seq":17,"ts":"2026-07-04T18:29:58Z","boot":"b-7","battery_pct":81.5,"power":"battery","runtime_left_s":5400,
             "enclosure_temp_c":38.2,"uplink":"lte","lte_rssi_dbm":-77,"gps":{"lat":49.4447,"lon":7.769},"future_field":[1,{"a":2}]}
            """);

        var observation = Assert.IsType<NodeTelemetryObservation>(result.Observation);
        Assert.Equal("mqtt:telemetry:mogli-01@b-7", observation.Source);
        Assert.Equal(17, observation.Sequence);
        Assert.Equal(Arrival.AddSeconds(-2), observation.ObservedAt);
        Assert.Equal("mogli-01", observation.NodeId);
        Assert.Equal(new NodeTelemetry(81.5, PowerSource.Battery, TimeSpan.FromMinutes(90), 38.2, UplinkKind.Lte, -77, new GeoPosition(49.4447, 7.769)),
            observation.Telemetry);
        Assert.Equal(TimeSpan.FromSeconds(30), observation.FreshFor);
        Assert.False(result.DeviceTimeRejected);
    }

    [Fact]
    public void MinimalTelemetry_NeedsOnlySeq_AndUsesArrivalTime()
    {
        var observation = Assert.IsType<NodeTelemetryObservation>(Parse("""{"seq":0,"battery_pct":null}""").Observation);

        Assert.Equal(Arrival, observation.ObservedAt);
        Assert.Equal(new NodeTelemetry(null, null, null, null, null, null, null), observation.Telemetry);
        Assert.Equal("mqtt:telemetry:mogli-01", observation.Source);
    }

    [Fact]
    public void EpochMilliseconds_AreADeviceTime()
    {
        var ts = Arrival.AddSeconds(-5).ToUnixTimeMilliseconds();
        Assert.Equal(Arrival.AddSeconds(-5), Parse($$"""{"seq":1,"ts":{{ts}}}""").Observation!.ObservedAt);
    }

    [Theory]
    [InlineData("\"1970-01-01T00:00:05Z\"")]
    [InlineData("5000")]
    [InlineData("\"2019-12-31T23:59:59Z\"")]
    [InlineData("\"2026-07-04T18:36:00Z\"")]
    [InlineData("\"yesterday\"")]
    public void ImplausibleDeviceTime_KeepsArrivalTime_AndIsFlagged(string ts)
    {
        var result = Parse($$"""{"seq":1,"ts":{{ts}}}""");

        Assert.True(result.IsAccepted);
        Assert.True(result.DeviceTimeRejected);
        Assert.Equal(Arrival, result.Observation!.ObservedAt);
    }

    [Theory]
    [InlineData("""{"seq":1,"battery_pct":""", MqttRejectionReason.MalformedJson)]
    [InlineData("not json", MqttRejectionReason.MalformedJson)]
    [InlineData("""{"seq":1} trailing""", MqttRejectionReason.MalformedJson)]
    [InlineData("""{"seq":1,}""", MqttRejectionReason.MalformedJson)]
    [InlineData("""{"seq":1,"x":{"a":{"b":{"c":{"d":1}}}}}""", MqttRejectionReason.MalformedJson)]
    [InlineData("""[1,2]""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":"1"}""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":1,"battery_pct":"80"}""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":1,"power":1}""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":1,"gps":[49,7]}""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":1,"ts":true}""", MqttRejectionReason.WrongType)]
    [InlineData("""{"seq":-1}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1.5}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"battery_pct":100.1}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"power":"solar"}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"uplink":"wifi"}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"lte_rssi_dbm":12}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"gps":{"lat":91,"lon":7}}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"seq":1,"boot":"has space"}""", MqttRejectionReason.OutOfRange)]
    [InlineData("""{"battery_pct":50}""", MqttRejectionReason.MissingField)]
    [InlineData("""{"seq":1,"gps":{"lat":49}}""", MqttRejectionReason.MissingField)]
    public void BadTelemetry_IsRejectedWithItsReason(string json, MqttRejectionReason reason)
    {
        var result = Parse(json);

        Assert.Null(result.Observation);
        Assert.Equal(reason, result.Rejection?.Reason);
    }

    [Fact]
    public void Rejection_NamesTheField()
    {
        Assert.Equal(new MqttRejection(MqttRejectionReason.OutOfRange, "battery_pct"), Parse("""{"seq":1,"battery_pct":-3}""").Rejection);
    }

    [Fact]
    public void Oversize_IsRejectedUnread()
    {
        var parser = new MqttPayloadParser(new MqttParserOptions { MaxPayloadBytes = 100 });
        Assert.Equal(MqttRejectionReason.Oversize, Parse($$"""{"seq":1,"pad":"{{new string('x', 100)}}"}""", parser: parser).Rejection?.Reason);
        Assert.True(Parse("""{"seq":1}""", parser: parser).IsAccepted);
    }

    [Fact]
    public void UnknownNode_IsRejected_KnownNodeUsesItsInterval()
    {
        var catalog = new StaticNodeCatalog(new HashSet<string> { "mogli-01" }, new Dictionary<string, TimeSpan> { ["mogli-01"] = TimeSpan.FromMinutes(1) });

        Assert.Equal(MqttRejectionReason.UnknownNode, Parse("""{"seq":1}""", MqttTopics.NodeTelemetry("mogli-99"), catalog).Rejection?.Reason);
        Assert.Equal(TimeSpan.FromMinutes(3), ((NodeTelemetryObservation)Parse("""{"seq":1}""", catalog: catalog).Observation!).FreshFor);
    }

    [Theory]
    [InlineData("netops/v2/nodes/a/telemetry")]
    [InlineData("netops/v1/nodes/a/b/telemetry")]
    [InlineData("netops/v1/nodes/a/config")]
    [InlineData("netops/v1/nodes//telemetry")]
    [InlineData("netops/v1/cameras/c1/telemetry")]
    [InlineData("netops/v1/cameras/c 1/status")]
    public void TopicsOutsideTheContract_AreBadTopics(string topic)
    {
        Assert.Equal(MqttRejectionReason.BadTopic, Reason("""{"seq":1}""", topic));
    }

    [Fact]
    public void Status_BecomesPresence()
    {
        var topic = MqttTopics.NodeStatus("mogli-01");

        var online = Assert.IsType<NodePresenceObservation>(Parse("""{"state":"online","seq":3,"boot":"b1"}""", topic).Observation);
        var offline = Assert.IsType<NodePresenceObservation>(Parse("""{"state":"offline","seq":4,"boot":"b1"}""", topic).Observation);

        Assert.True(online.Online);
        Assert.False(offline.Online);
        Assert.Equal("mqtt:status:mogli-01@b1", offline.Source);
        Assert.Equal(MqttRejectionReason.MissingField, Reason("""{"seq":4}""", topic));
        Assert.Equal(MqttRejectionReason.OutOfRange, Reason("""{"state":"sleeping","seq":4}""", topic));
        Assert.True(Parser.Parse(topic, ReadOnlySequence<byte>.Empty, Arrival).IsIgnored);
    }

    [Fact]
    public void SensorHeartbeat_AndReading_AreParsed()
    {
        var heartbeat = Assert.IsType<EndpointHeartbeatObservation>(
            Parse("""{"seq":9,"interval_s":60}""", MqttTopics.SensorHeartbeat("noise-3")).Observation);
        var reading = Assert.IsType<EndpointHeartbeatObservation>(
            Parse("""{"seq":10,"quantity":"noise_dba","value":71.5}""", MqttTopics.SensorReading("noise-3")).Observation);

        Assert.Equal(("noise-3", TimeSpan.FromMinutes(3), null), (heartbeat.EndpointId, heartbeat.FreshFor, heartbeat.Reading));
        Assert.Equal("mqtt:heartbeat:noise-3", heartbeat.Source);
        Assert.Equal(("noise-3", new SensorReading("noise_dba", 71.5), TimeSpan.FromSeconds(30)), (reading.EndpointId, reading.Reading, reading.FreshFor));
        Assert.Equal("mqtt:reading:noise-3", reading.Source);
        Assert.Equal(MqttRejectionReason.OutOfRange, Reason("""{"seq":1,"quantity":"Noise dB","value":1}""", MqttTopics.SensorReading("noise-3")));
        Assert.Equal(MqttRejectionReason.MissingField, Reason("""{"seq":1,"quantity":"noise_dba"}""", MqttTopics.SensorReading("noise-3")));
    }

    [Fact]
    public void CameraStatus_BecomesACameraStatusObservation_WithItsDetail()
    {
        var topic = MqttTopics.CameraStatus("cam-east-2");
        Assert.Equal("netops/v1/cameras/cam-east-2/status", topic);

        var offline = Assert.IsType<CameraStatusObservation>(
            Parse("""{"state":"offline","seq":7,"boot":"b3","ts":"2026-07-04T18:29:58Z","detail":"no video signal"}""", topic).Observation);
        var online = Assert.IsType<CameraStatusObservation>(Parse("""{"state":"online","seq":8,"detail":null}""", topic).Observation);

        Assert.Equal(("cam-east-2", false, "no video signal"), (offline.EndpointId, offline.Online, offline.Detail));
        Assert.Equal(("mqtt:camera:cam-east-2@b3", 7L, Arrival.AddSeconds(-2)), (offline.Source, offline.Sequence, offline.ObservedAt));
        Assert.Equal(("mqtt:camera:cam-east-2", true, null), (online.Source, online.Online, online.Detail));
        Assert.Equal("Grüße, Kamera 2", Assert.IsType<CameraStatusObservation>(
            Parse("""{"state":"online","seq":9,"detail":"Gr\u00fc\u00dfe, Kamera 2"}""", topic).Observation).Detail);

        // A retained status being cleared says nothing about the camera.
        Assert.True(Parser.Parse(topic, ReadOnlySequence<byte>.Empty, Arrival).IsIgnored);
    }

    [Fact]
    public void CameraStatus_WithInterval_AgesOutLikeAHeartbeat_WithoutHoldsUntilTheNext()
    {
        var topic = MqttTopics.CameraStatus("cam-east-2");
        var repeated = Assert.IsType<CameraStatusObservation>(Parse("""{"state":"online","seq":1,"interval_s":5}""", topic).Observation);
        var held = Assert.IsType<CameraStatusObservation>(Parse("""{"state":"online","seq":2}""", topic).Observation);

        Assert.Equal(TimeSpan.FromSeconds(5) * Parser.Options.FreshnessMultiplier, repeated.FreshFor);
        Assert.Null(held.FreshFor);
        Assert.Equal(new MqttRejection(MqttRejectionReason.OutOfRange, "interval_s"), Parse("""{"state":"online","seq":3,"interval_s":0}""", topic).Rejection);
        Assert.Equal(new MqttRejection(MqttRejectionReason.WrongType, "interval_s"), Parse("""{"state":"online","seq":3,"interval_s":"5"}""", topic).Rejection);

        // What NodePublisher sends for a camera it watches reads back as it was meant.
        var payload = NodePublisher.CameraStatusPayload(false, "no video signal", 4, Arrival, "b3", TimeSpan.FromSeconds(10));
        var said = Assert.IsType<CameraStatusObservation>(Parser.Parse(topic, new ReadOnlySequence<byte>(payload), Arrival).Observation);
        Assert.Equal((false, "no video signal", 4L, TimeSpan.FromSeconds(10) * Parser.Options.FreshnessMultiplier),
            (said.Online, said.Detail, said.Sequence, said.FreshFor));
    }

    [Theory]
    [InlineData("""{"seq":1}""", MqttRejectionReason.MissingField, "state")]
    [InlineData("""{"state":"online"}""", MqttRejectionReason.MissingField, "seq")]
    [InlineData("""{"state":"rebooting","seq":1}""", MqttRejectionReason.OutOfRange, "state")]
    [InlineData("""{"state":true,"seq":1}""", MqttRejectionReason.WrongType, "state")]
    [InlineData("""{"state":"online","seq":1,"detail":42}""", MqttRejectionReason.WrongType, "detail")]
    [InlineData("""{"state":"online","seq":1,"detail":{"text":"x"}}""", MqttRejectionReason.WrongType, "detail")]
    [InlineData("""{"state":"online","seq":1,"detail":"line one\nline two"}""", MqttRejectionReason.OutOfRange, "detail")]
    [InlineData("""{"state":"online","seq":1,"detail":"\u001b[31mred"}""", MqttRejectionReason.OutOfRange, "detail")]
    [InlineData("""{"state":"online","seq":-1}""", MqttRejectionReason.OutOfRange, "seq")]
    [InlineData("""{"state":"online","seq":1,"ts":true}""", MqttRejectionReason.WrongType, "ts")]
    [InlineData("""{"state":"online","seq":1""", MqttRejectionReason.MalformedJson, null)]
    [InlineData("""["online",1]""", MqttRejectionReason.WrongType, "payload")]
    public void CameraStatus_BadInput_IsRejectedWithReasonAndField(string json, MqttRejectionReason reason, string? field)
    {
        var rejection = Parse(json, MqttTopics.CameraStatus("cam-1")).Rejection;

        Assert.Equal(new MqttRejection(reason, field), rejection);
    }

    [Fact]
    public void CameraStatus_DetailLongerThanTheLimit_IsOutOfRange()
    {
        var topic = MqttTopics.CameraStatus("cam-1");
        var longest = new string('x', MqttPayloadParser.MaxDetailLength);

        Assert.Equal(longest, ((CameraStatusObservation)Parse($$"""{"state":"online","seq":1,"detail":"{{longest}}"}""", topic).Observation!).Detail);
        Assert.Equal(new MqttRejection(MqttRejectionReason.OutOfRange, "detail"),
            Parse($$"""{"state":"online","seq":1,"detail":"{{longest}}y"}""", topic).Rejection);
        Assert.Equal(new MqttRejection(MqttRejectionReason.OutOfRange, "detail"),
            Parse($$"""{"state":"online","seq":1,"detail":"{{string.Concat(Enumerable.Repeat("\u00e9", MqttPayloadParser.MaxDetailLength + 1))}}"}""", topic).Rejection);
    }

    [Fact]
    public void PayloadSplitAcrossSegments_ParsesLikeOneBuffer()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"seq":5,"ts":"2026-07-04T18:29:00Z","power":"mains","gps":{"lat":49.1,"lon":7.2},"uplink":"fibre"}""");
        for (var split = 1; split < bytes.Length; split += 7)
        {
            var sequence = Segments(bytes[..split], bytes[split..(split + (bytes.Length - split) / 2)], bytes[(split + (bytes.Length - split) / 2)..]);

            var observation = Assert.IsType<NodeTelemetryObservation>(Parser.Parse(Telemetry, sequence, Arrival).Observation);

            Assert.Equal(PowerSource.Mains, observation.Telemetry.Power);
            Assert.Equal(UplinkKind.Fibre, observation.Telemetry.Uplink);
            Assert.Equal(new GeoPosition(49.1, 7.2), observation.Telemetry.Position);
        }
    }

    [Fact]
    public void InvalidUtf8_IsMalformed()
    {
        byte[] bytes = [.. "{\"seq\":1,\"boot\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.Equal(MqttRejectionReason.MalformedJson, Parser.Parse(Telemetry, new ReadOnlySequence<byte>(bytes), Arrival).Rejection?.Reason);
    }

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
