using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Engine;
using NetOps.Mqtt.Parsing;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

public sealed class DeadLetterTests
{
    [Fact]
    public async Task RejectedMessages_AreForwardedWithTheirReason_AndGoodOnesStillArriveInOrder()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        var letters = new ConcurrentQueue<MqttApplicationMessage>();
        using var watcher = new MqttClientFactory().CreateMqttClient();
        watcher.ApplicationMessageReceivedAsync += e =>
        {
            letters.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await watcher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
            .WithCredentials(Brokers.Username, Brokers.Password).WithClientId("dead-letter-watcher").Build());
        await watcher.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("netops/v1/dead-letter/#").Build());

        var sink = new CollectingSink();
        var options = Brokers.IngestOptions(broker.Port, "ingest-dead-letter") with { DeadLetterTopic = "netops/v1/dead-letter", MaxPayloadBytes = 256 };
        await using var ingest = new TelemetryIngest(options, sink.Accept);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-60"));
        await node.SwitchOnAsync();
        var topic = MqttTopics.NodeTelemetry("mogli-60");

        async Task Send(string json) => await node.PublishRawAsync(topic, Encoding.UTF8.GetBytes(json));

        await Send("""{"seq":1,"battery_pct":90}""");
        await Send("""{"seq":2,"battery_pct":"<script>""");                     // malformed
        await Send("""{"seq":3,"battery_pct":140}""");                          // out of range
        await Send($$"""{"seq":4,"pad":"{{new string('x', 400)}}"}""");         // oversize
        await Send("""{"seq":5,"battery_pct":80}""");
        await Send("""{"seq":5,"battery_pct":80}""");                          // replayed
        await Send("""{"seq":6,"battery_pct":70}""");

        await Eventually.TrueAsync(() => letters.Count >= 4, Brokers.Timeout, "four dead letters");
        Assert.Equal([1L, 5, 6], sink.Of<NodeTelemetryObservation>().Select(o => o.Sequence));
        var byReason = letters.ToDictionary(l => l.Topic, l => l);
        Assert.Equal(
            ["netops/v1/dead-letter/malformed_json", "netops/v1/dead-letter/out_of_range", "netops/v1/dead-letter/oversize", "netops/v1/dead-letter/replayed"],
            byReason.Keys.Order());
        var malformed = byReason["netops/v1/dead-letter/malformed_json"];
        Assert.Equal("""{"seq":2,"battery_pct":"<script>""", Encoding.UTF8.GetString(malformed.Payload));
        Assert.Equal(topic, Property(malformed, "topic"));
        Assert.Equal("malformed_json", Property(malformed, "reason"));
        var outOfRange = byReason["netops/v1/dead-letter/out_of_range"];
        Assert.Equal("battery_pct", Property(outOfRange, "field"));

        // An oversize payload is not handed on, only its size.
        var oversize = byReason["netops/v1/dead-letter/oversize"];
        Assert.Equal(0, oversize.Payload.Length);
        Assert.True(int.Parse(Property(oversize, "size")!, System.Globalization.CultureInfo.InvariantCulture) > 256);
    }

    [Fact]
    public void DeadLetterTopic_IsOffByDefault_AndValidated()
    {
        Assert.Null(new MqttOptions().DeadLetterTopic);
        Assert.NotEmpty((new MqttOptions() with { DeadLetterTopic = "netops/v1/dead-letter/#" }).Validate());
        Assert.NotEmpty((new MqttOptions() with { DeadLetterTopic = "$SYS/x" }).Validate());
        Assert.Empty((new MqttOptions() with { DeadLetterTopic = "netops/v1/dead-letter" }).Validate());
    }

    private static string? Property(MqttApplicationMessage message, string name) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == name) is { } p ? Encoding.UTF8.GetString(p.ValueBuffer.Span) : null;
}

public sealed class PresenceTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Telemetry_CarriesTheMultipleOfTheNodesInterval_AndSilenceBeyondItTurnsTheNodeStale()
    {
        var clock = new FakeTimeProvider(Start);
        var inventory = new FleetInventory([], [], [],
            [new MobileNode("mogli-70", "MOGLI 70", null, TimeSpan.FromSeconds(20), [new Assignment("fest", "stage", Start.AddHours(-1), Start.AddDays(2))])],
            [], []);
        var engine = new StateEngine(clock);
        engine.SetInventory(inventory);

        // The host's catalog (NetOps.Collector's InventoryNodeCatalog) reads ids and report intervals from the inventory.
        var catalog = new StaticNodeCatalog(inventory.Nodes.Keys.ToHashSet(), inventory.Nodes.ToDictionary(n => n.Key, n => n.Value.ReportInterval));
        var applied = new ConcurrentQueue<Observation>();
        var gate = new Lock();
        ValueTask Sink(Observation observation, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                engine.Apply(observation);
            }

            applied.Enqueue(observation);
            return ValueTask.CompletedTask;
        }

        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-presence") with { FreshnessMultiplier = 3 },
            Sink, catalog, timeProvider: clock);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-70"), clock);
        await node.SwitchOnAsync();
        await node.PublishTelemetryAsync(new NodeTelemetry(90, PowerSource.Mains, null, 25, UplinkKind.Fibre, null, null), deviceTime: null);
        await Eventually.TrueAsync(() => applied.OfType<NodeTelemetryObservation>().Any(), Brokers.Timeout, "the telemetry");

        var telemetry = applied.OfType<NodeTelemetryObservation>().Single();
        Assert.Equal(TimeSpan.FromSeconds(60), telemetry.FreshFor);
        lock (gate)
        {
            Assert.Equal(StateValue.Up, engine.Get(EntityRef.Node("mogli-70"))!.Value);

            clock.Advance(TimeSpan.FromSeconds(59));
            engine.Expire();
            Assert.Equal(StateValue.Up, engine.Get(EntityRef.Node("mogli-70"))!.Value);

            clock.Advance(TimeSpan.FromSeconds(2));
            engine.Expire();
            var state = engine.Get(EntityRef.Node("mogli-70"))!;
            Assert.Equal(StateValue.Unknown, state.Value);
            Assert.Equal(ReasonCodes.Stale, state.Reason.Code);
        }
    }
}

public sealed class BoundsTests
{
    [Fact]
    public void SequenceTracker_KeepsAFewBootsPerSubject_AndABoundedNumberOfSubjects()
    {
        var tracker = new SequenceTracker(maxSubjects: 64, maxBootsPerSubject: 4);
        for (var boot = 0; boot < 1000; boot++)
        {
            tracker.Applied($"mqtt:telemetry:mogli-1@b{boot}", 1);
        }

        Assert.Equal(4, tracker.BootCount("mqtt:telemetry:mogli-1@b0"));
        Assert.True(tracker.IsReplay("mqtt:telemetry:mogli-1@b999", 1));
        Assert.False(tracker.IsReplay("mqtt:telemetry:mogli-1@b999", 2));

        for (var id = 0; id < 1000; id++)
        {
            tracker.Applied($"mqtt:telemetry:n{id}", 5);
        }

        Assert.InRange(tracker.SubjectCount, 1, 64);
        Assert.True(tracker.IsReplay("mqtt:telemetry:n999", 5), "the most recent subjects are kept");
    }

    [Fact]
    public void RejectionLog_LogsOncePerWindowPerSource_WhateverTheReason_AndCapsAFloodOfSources()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 4, 12, 0, 0, TimeSpan.Zero));
        var logger = new CapturingLogger<TelemetryIngest>();
        var log = new RejectionLog(logger, clock, TimeSpan.FromMinutes(1));

        log.Rejected("mogli-1", MqttRejectionReason.MalformedJson, null);
        log.Rejected("mogli-1", MqttRejectionReason.OutOfRange, "battery_pct");
        log.Rejected("mogli-1", MqttRejectionReason.Replayed, "seq");
        Assert.Single(logger.Entries);

        for (var i = 0; i < 1000; i++)
        {
            log.Rejected($"scan-{i}", MqttRejectionReason.UnknownNode, null);
        }

        Assert.Equal(RejectionLog.MaxLinesPerWindow, logger.Entries.Count);

        clock.Advance(TimeSpan.FromMinutes(1));
        log.Rejected("mogli-1", MqttRejectionReason.MalformedJson, null);
        Assert.Contains(logger.Entries, e => e.Text.Contains("901 MQTT rejections were not logged", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Text.Contains("2 more rejections from this source", StringComparison.Ordinal));
    }
}
