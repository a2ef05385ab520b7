using Microsoft.Extensions.Logging;
using MQTTnet;
using NetOps.Core.Observations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

public sealed class EmbeddedBrokerTests
{
    private static readonly NodeTelemetry Sample = new(
        BatteryPercent: 87.5,
        Power: PowerSource.Battery,
        RuntimeLeft: TimeSpan.FromMinutes(95),
        EnclosureTemperatureC: 31.25,
        Uplink: UplinkKind.Lte,
        LteSignalDbm: -71,
        Position: new GeoPosition(49.4447, 7.7690));

    [Fact]
    public async Task NodeTelemetry_ArrivesAsObservationWithItsValues()
    {
        var brokerLog = new CapturingLogger<EmbeddedBroker>();
        await using var broker = await Brokers.StartEmbeddedAsync(brokerLog);
        var sink = new CollectingSink();
        var catalog = new StaticNodeCatalog(new HashSet<string> { "mogli-01" }, new Dictionary<string, TimeSpan> { ["mogli-01"] = TimeSpan.FromSeconds(20) });
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-roundtrip"), sink.Accept, catalog);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-01") with { BootId = "boot1" });
        await node.SwitchOnAsync();
        var deviceTime = DateTimeOffset.UtcNow.AddSeconds(-2);
        var seq = await node.PublishTelemetryAsync(Sample, deviceTime);

        await Eventually.TrueAsync(() => sink.Of<NodeTelemetryObservation>().Count == 1, Brokers.Timeout, "the telemetry observation");
        var observation = sink.Of<NodeTelemetryObservation>().Single();
        Assert.Equal("mogli-01", observation.NodeId);
        Assert.Equal(seq, observation.Sequence);
        Assert.Equal("mqtt:telemetry:mogli-01@boot1", observation.Source);
        Assert.Equal(deviceTime.ToUnixTimeMilliseconds(), observation.ObservedAt.ToUnixTimeMilliseconds());
        Assert.Equal(Sample, observation.Telemetry);
        Assert.Equal(TimeSpan.FromSeconds(60), observation.FreshFor);

        var online = Assert.Single(sink.Of<NodePresenceObservation>());
        Assert.True(online.Online);
        Assert.Equal(1, online.Sequence);
        Assert.Empty(brokerLog.Errors);
    }

    [Fact]
    public async Task SwitchOff_MarksTheNodeOfflineThroughItsWill()
    {
        var brokerLog = new CapturingLogger<EmbeddedBroker>();
        await using var broker = await Brokers.StartEmbeddedAsync(brokerLog);
        var sink = new CollectingSink();
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-will"), sink.Accept);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-02"));
        await node.SwitchOnAsync();
        await Eventually.TrueAsync(() => sink.Of<NodePresenceObservation>().Any(p => p.Online), Brokers.Timeout, "online");

        await node.SwitchOffAsync();

        await Eventually.TrueAsync(() => sink.Of<NodePresenceObservation>().Any(p => !p.Online), Brokers.Timeout, "offline from the will");
        var offline = sink.Of<NodePresenceObservation>().Single(p => !p.Online);
        Assert.Equal("mogli-02", offline.NodeId);
        Assert.Equal(2, offline.Sequence);
        var retained = await broker.GetRetainedMessageAsync(MqttTopics.NodeStatus("mogli-02"));
        Assert.NotNull(retained);
        Assert.True(retained.Retain || retained.Payload.Length > 0);

        await node.SwitchOnAsync();
        await Eventually.TrueAsync(() => sink.Of<NodePresenceObservation>().Count(p => p.Online) == 2, Brokers.Timeout, "online again");
        Assert.Equal(3, sink.Of<NodePresenceObservation>()[^1].Sequence);
        Assert.Empty(brokerLog.Errors);
    }

    [Fact]
    public async Task WrongPassword_IsRefused()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-03", password: "not-the-password"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => node.SwitchOnAsync());

        Assert.Contains("BadUserNameOrPassword", error.ToString(), StringComparison.Ordinal);
        Assert.False(node.IsConnected);
    }

    [Fact]
    public async Task ReadyCheck_FollowsTheListener()
    {
        var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        await using (broker)
        {
            Assert.True(broker.IsAcceptingConnections);
            Assert.True(await broker.CheckReadyAsync(CancellationToken.None));
            await broker.StopAsync(CancellationToken.None);
            Assert.False(broker.IsAcceptingConnections);
            Assert.False(await broker.CheckReadyAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task Ingest_ReconnectsAndResubscribesAfterTheBrokerRestarts()
    {
        var port = FreePort.Tcp();
        var options = new EmbeddedBrokerOptions { Port = port, Username = Brokers.Username, Password = Brokers.Password };
        var sink = new CollectingSink();
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(port, "ingest-restart"), sink.Accept);
        await using (var first = new EmbeddedBroker(options))
        {
            await first.StartAsync(CancellationToken.None);
            await ingest.StartAsync(CancellationToken.None);
            await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        }

        await Eventually.TrueAsync(() => !ingest.IsConnected, Brokers.Timeout, "the ingest to notice the broker is gone");
        await using var second = new EmbeddedBroker(options);
        await second.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(port, "mogli-04"));
        await node.SwitchOnAsync();
        await node.PublishTelemetryAsync(new NodeTelemetry(50, PowerSource.Mains, null, null, UplinkKind.Fibre, null, null));

        await Eventually.TrueAsync(() => sink.Of<NodeTelemetryObservation>().Count == 1, Brokers.Timeout, "telemetry after the restart");
    }
}

public sealed class EmbeddedBrokerSharedSubscriptionTests
{
    [Fact]
    public async Task SharedGroup_OnTheEmbeddedBroker_IsReportedAsUnsupported()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        var log = new CapturingLogger<TelemetryIngest>();
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(broker.Port, "ingest-shared") with { SharedGroup = "g" },
            new CollectingSink().Accept, logger: log);
        await ingest.StartAsync(CancellationToken.None);

        await log.WaitForAsync(e => e.Level >= LogLevel.Error && e.Text.Contains("shared subscriptions", StringComparison.Ordinal), Brokers.Timeout,
            "an error saying the broker has no shared subscriptions");

        // It falls back to plain subscriptions: one instance works, it just cannot share the load.
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
    }
}
