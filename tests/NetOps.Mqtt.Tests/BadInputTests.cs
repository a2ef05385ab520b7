using System.Text;
using NetOps.Core.Observations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

public sealed class BadInputTests
{
    [Fact]
    public async Task BadMessages_AreCountedByReason_AndGoodOnesAroundThemArriveInOrder()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        using var meters = new TestMeterFactory();
        var metrics = new MqttMetrics(meters);
        using var probe = new CounterProbe(metrics);
        var sink = new CollectingSink();
        var ingestLog = new CapturingLogger<TelemetryIngest>();
        var catalog = new StaticNodeCatalog(new HashSet<string> { "mogli-20" });
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-bad") with { MaxPayloadBytes = 1024 },
            sink.Accept, catalog, metrics, ingestLog);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-20"));
        await node.SwitchOnAsync();
        var topic = MqttTopics.NodeTelemetry("mogli-20");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        async Task Send(string json, string? on = null) => await node.PublishRawAsync(on ?? topic, Encoding.UTF8.GetBytes(json));

        await Send($$"""{"seq":1,"ts":{{now}},"battery_pct":90}""");
        await Send("""{"seq":2,"battery_pct":""");                                  // malformed
        await Send("""{"seq":3,"battery_pct":"ninety"}""");                         // wrong type
        await Send("""{"seq":4,"battery_pct":140}""");                              // out of range
        await Send("""{"battery_pct":80}""");                                       // missing seq
        await Send("""{"seq":5,"battery_pct":80}""", MqttTopics.NodeTelemetry("intruder-1")); // unknown node
        await Send($$"""{"seq":6,"ts":{{now}},"battery_pct":85}""");
        await Send("""{"seq":6,"battery_pct":85}""");                               // replayed
        await Send("""{"seq":2,"battery_pct":85}""");                               // replayed
        await Send($$"""{"seq":7,"pad":"{{new string('x', 2000)}}"}""");            // oversize
        await Send("""{"seq":8,"ts":"1970-01-01T00:00:12Z","battery_pct":70}""");   // accepted, device time rejected
        await Send($$"""{"seq":9,"ts":{{now}},"battery_pct":60}""");

        await Eventually.TrueAsync(() => sink.Of<NodeTelemetryObservation>().Count == 4, Brokers.Timeout, "the four good messages");
        await Eventually.TrueAsync(() => probe.Received >= 13, Brokers.Timeout, "every message counted as received");
        var good = sink.Of<NodeTelemetryObservation>();
        Assert.Equal([1L, 6, 8, 9], good.Select(o => o.Sequence));
        Assert.Equal([90.0, 85, 70, 60], good.Select(o => o.Telemetry.BatteryPercent!.Value));
        Assert.True(good[2].ObservedAt > DateTimeOffset.UtcNow.AddMinutes(-1), "a 1970 device time is replaced by arrival time");

        var expected = new Dictionary<string, long>
        {
            ["malformed_json"] = 1,
            ["wrong_type"] = 1,
            ["out_of_range"] = 1,
            ["missing_field"] = 1,
            ["unknown_node"] = 1,
            ["replayed"] = 2,
            ["oversize"] = 1,
            ["bad_timestamp"] = 1,
        };
        Assert.Equal(expected.OrderBy(p => p.Key), probe.AllRejected.OrderBy(p => p.Key));
        Assert.Equal(13, probe.Received);

        // Payload text never reaches a log line; the rejected value "ninety" was in a payload.
        Assert.DoesNotContain(ingestLog.Entries, e => e.Text.Contains("ninety", StringComparison.Ordinal));
        // One line per source and window, whatever the reason: mogli-20's first rejection, and the intruder's.
        var rejections = ingestLog.Entries.Where(e => e.Text.Contains("rejected", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rejections.Count);
        Assert.Contains(rejections, e => e.Text.Contains("mogli-20 rejected: MalformedJson", StringComparison.Ordinal));
        Assert.Contains(rejections, e => e.Text.Contains("intruder-1 rejected: UnknownNode", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CameraStatus_BadMessagesAreCountedByReason_AndGoodOnesArriveInOrder()
    {
        var brokerLog = new CapturingLogger<EmbeddedBroker>();
        await using var broker = await Brokers.StartEmbeddedAsync(brokerLog);
        using var meters = new TestMeterFactory();
        var metrics = new MqttMetrics(meters);
        using var probe = new CounterProbe(metrics);
        var sink = new CollectingSink();
        var ingestLog = new CapturingLogger<TelemetryIngest>();
        var catalog = new StaticNodeCatalog(new HashSet<string> { "mogli-22", "cam-1" });
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-camera-bad") with { MaxPayloadBytes = 1024 },
            sink.Accept, catalog, metrics, ingestLog);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        // The node the camera hangs off reports for it; a retained status, as the contract asks.
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-22"));
        await node.SwitchOnAsync();
        var topic = MqttTopics.CameraStatus("cam-1");
        async Task Send(string json, string? on = null) => await node.PublishRawAsync(on ?? topic, Encoding.UTF8.GetBytes(json), retain: true);

        await Send("""{"state":"online","seq":1,"boot":"c1"}""");
        await Send("""{"state":"offline","seq":2,"boot":"c1","detail":"no video signal"}""");
        await Send("""{"state":"sleeping","seq":3,"boot":"c1"}""");                     // out of range
        await Send("""{"seq":4,"boot":"c1"}""");                                        // missing state
        await Send("""{"state":"online","seq":5,"boot":"c1","detail":7}""");            // wrong type
        await Send("""{"state":"online","seq":6,"boot":"c1","detail":"lens\u0007fogged"}"""); // control character: out of range
        await Send("""{"state":"online","seq":2,"boot":"c1"}""");                      // replayed
        await Send("""{"state":"online","seq":1}""", MqttTopics.CameraStatus("cam-9")); // unknown camera
        await Send("""{"state":"online","seq":7,"boot":"c1",}""");                   // malformed (trailing comma)
        await Send($$"""{"state":"online","seq":7,"boot":"c1","detail":"{{new string('x', 2000)}}"}"""); // oversize
        await Send("""{"state":"online","seq":8,"boot":"c1","ts":"1970-01-01T00:00:12Z"}"""); // accepted, device time rejected
        await Send("""{"state":"online","seq":9,"boot":"c1","detail":"recording"}""");

        await Eventually.TrueAsync(() => sink.Of<CameraStatusObservation>().Count == 4, Brokers.Timeout, "the four good camera messages");
        await Eventually.TrueAsync(() => probe.Received >= 13, Brokers.Timeout, "every message counted as received");
        var good = sink.Of<CameraStatusObservation>();
        Assert.Equal([1L, 2, 8, 9], good.Select(o => o.Sequence));
        Assert.Equal([true, false, true, true], good.Select(o => o.Online));
        Assert.Equal([null, "no video signal", null, "recording"], good.Select(o => o.Detail));
        Assert.All(good, o => Assert.Equal(("cam-1", "mqtt:camera:cam-1@c1"), (o.EndpointId, o.Source)));

        var expected = new Dictionary<string, long>
        {
            ["malformed_json"] = 1,
            ["wrong_type"] = 1,
            ["out_of_range"] = 2,
            ["missing_field"] = 1,
            ["unknown_node"] = 1,
            ["replayed"] = 1,
            ["oversize"] = 1,
            ["bad_timestamp"] = 1,
        };
        Assert.Equal(expected.OrderBy(p => p.Key), probe.AllRejected.OrderBy(p => p.Key));
        Assert.Equal(13, probe.Received);

        // Device text never reaches a log line.
        Assert.DoesNotContain(ingestLog.Entries, e => e.Text.Contains("fogged", StringComparison.Ordinal) || e.Text.Contains("xxxx", StringComparison.Ordinal));
        Assert.Empty(brokerLog.Errors);
    }

    [Fact]
    public async Task RepeatedRejections_FromOneSource_AreLoggedOncePerWindow()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        using var meters = new TestMeterFactory();
        var metrics = new MqttMetrics(meters);
        using var probe = new CounterProbe(metrics);
        var ingestLog = new CapturingLogger<TelemetryIngest>();
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-ratelimit") with { RejectionLogWindow = TimeSpan.FromHours(1) },
            new CollectingSink().Accept, null, metrics, ingestLog);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-21"));
        await node.SwitchOnAsync();

        for (var i = 0; i < 20; i++)
        {
            await node.PublishRawAsync(MqttTopics.NodeTelemetry("mogli-21"), "not json"u8.ToArray());
        }

        await Eventually.TrueAsync(() => probe.Rejected("malformed_json") == 20, Brokers.Timeout, "20 rejections counted");
        Assert.Single(ingestLog.Entries, e => e.Text.Contains("rejected", StringComparison.Ordinal));
    }
}
