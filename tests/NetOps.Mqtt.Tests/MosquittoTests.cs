using System.Collections.Concurrent;
using NetOps.Core.Observations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>The same contract against Debian's mosquitto, the broker a scaled-out deployment uses.</summary>
public sealed class MosquittoTests
{
    private static NodeTelemetry Reading(double battery) => new(battery, PowerSource.Battery, TimeSpan.FromHours(2), 25, UplinkKind.Fibre, null, null);

    [Fact]
    public async Task NodeTelemetry_RoundTripsWithAuthentication()
    {
        await using var broker = await Mosquitto.StartAsync();
        var sink = new CollectingSink();
        await using var ingest = new TelemetryIngest(
            Brokers.IngestOptions(broker.Port, "ingest-mosquitto", Mosquitto.Username, Mosquitto.Password), sink.Accept);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-10", Mosquitto.Username, Mosquitto.Password));
        await node.SwitchOnAsync();

        await node.PublishTelemetryAsync(Reading(64));
        await node.SwitchOffAsync();

        await Eventually.TrueAsync(() => sink.Of<NodePresenceObservation>().Any(p => !p.Online), Brokers.Timeout, "offline from the will");
        var telemetry = Assert.Single(sink.Of<NodeTelemetryObservation>());
        Assert.Equal(64, telemetry.Telemetry.BatteryPercent);
        Assert.Equal([true, false], sink.Of<NodePresenceObservation>().Select(p => p.Online));
    }

    [Fact]
    public async Task WrongPassword_IsRefused()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-11", Mosquitto.Username, "wrong"));

        await Assert.ThrowsAnyAsync<Exception>(() => node.SwitchOnAsync());
        Assert.False(node.IsConnected);
    }

    [Fact]
    public async Task SharedSubscription_HandsEachMessageToExactlyOneIngest()
    {
        await using var broker = await Mosquitto.StartAsync();
        var first = new CollectingSink();
        var second = new CollectingSink();
        var options = Brokers.IngestOptions(broker.Port, "ingest-a", Mosquitto.Username, Mosquitto.Password) with { SharedGroup = "netops" };
        await using var a = new TelemetryIngest(options, first.Accept);
        await using var b = new TelemetryIngest(options with { ClientId = "ingest-b" }, second.Accept);
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        await a.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await b.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-12", Mosquitto.Username, Mosquitto.Password));
        await node.SwitchOnAsync();

        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await node.PublishTelemetryAsync(Reading(i % 100));
        }

        await Eventually.TrueAsync(() => first.Of<NodeTelemetryObservation>().Count + second.Of<NodeTelemetryObservation>().Count >= count,
            Brokers.Timeout, "every message at one of the two ingests");
        var sequences = first.Of<NodeTelemetryObservation>().Concat(second.Of<NodeTelemetryObservation>()).Select(o => o.Sequence).ToList();
        Assert.Equal(count, sequences.Count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences.Order());
        Assert.NotEmpty(first.Of<NodeTelemetryObservation>());
        Assert.NotEmpty(second.Of<NodeTelemetryObservation>());

        // Presence is not shared: both instances learn the node is online.
        Assert.Single(first.Of<NodePresenceObservation>());
        Assert.Single(second.Of<NodePresenceObservation>());
    }
}

public sealed class SharedSubscriptionTests
{
    [Fact]
    public async Task WorkerStoppedMidStream_HandsItsShareToTheOther_WithoutLossOrDuplicate()
    {
        await using var broker = await Mosquitto.StartAsync();
        var handled = new ConcurrentQueue<(string Worker, long Sequence)>();
        Func<Observation, CancellationToken, ValueTask> SinkOf(string worker) => (observation, _) =>
        {
            if (observation is NodeTelemetryObservation telemetry)
            {
                handled.Enqueue((worker, telemetry.Sequence));
            }

            return ValueTask.CompletedTask;
        };

        var options = Brokers.IngestOptions(broker.Port, "worker-a", Mosquitto.Username, Mosquitto.Password) with { SharedGroup = "netops" };
        await using var a = new TelemetryIngest(options, SinkOf("a"));
        await using var b = new TelemetryIngest(options with { ClientId = "worker-b" }, SinkOf("b"));
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        await a.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await b.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-13", Mosquitto.Username, Mosquitto.Password));
        await node.SwitchOnAsync();

        const int count = 1200;
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await node.PublishTelemetryAsync(new NodeTelemetry(i % 100, null, null, null, null, null, null));
            }
        });
        await Eventually.TrueAsync(() => handled.Count(h => h.Worker == "a") >= 100, Brokers.Timeout, "worker a handled its first hundred");

        await a.StopAsync(CancellationToken.None);
        var publishedWhenAStopped = node.TelemetrySequence;
        var aTotal = handled.Count(h => h.Worker == "a");
        await publishing.WaitAsync(Brokers.Timeout);

        await Eventually.TrueAsync(() => handled.Count >= count, Brokers.Timeout, "every message at one of the two workers");
        var all = handled.ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), all.Select(h => h.Sequence).Order());
        Assert.Equal(aTotal, all.Count(h => h.Worker == "a"));
        Assert.True(publishedWhenAStopped < count, "a stopped mid-stream");
        Assert.All(all.Where(h => h.Sequence > publishedWhenAStopped), h => Assert.Equal("b", h.Worker));
        Assert.All(new[] { "a", "b" }, worker =>
        {
            var mine = all.Where(h => h.Worker == worker).Select(h => h.Sequence).ToList();
            Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First < p.Second), $"worker {worker} applied its share in order");
        });

        // Worker a comes back with the same session: nothing was left queued for it.
        await a.StartAsync(CancellationToken.None);
        await a.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await node.PublishTelemetryAsync(new NodeTelemetry(1, null, null, null, null, null, null));
        await Eventually.TrueAsync(() => handled.Count >= count + 1, Brokers.Timeout, "the next message");
        Assert.Equal(count + 1, handled.Count);
    }
}

public sealed class AcknowledgementTests
{
    [Fact]
    public async Task SinkFailure_LeavesTheMessageUnacknowledged_AndTheBrokerRedeliversInOrder()
    {
        await using var broker = await Mosquitto.StartAsync();
        var delivered = new ConcurrentQueue<long>();
        var failedOnce = 0;
        ValueTask Sink(Observation observation, CancellationToken cancellationToken)
        {
            if (observation is NodeTelemetryObservation { Sequence: 2 } && Interlocked.Exchange(ref failedOnce, 1) == 0)
            {
                throw new IOException("storage unavailable");
            }

            if (observation is NodeTelemetryObservation telemetry)
            {
                delivered.Enqueue(telemetry.Sequence);
            }

            return ValueTask.CompletedTask;
        }

        await using var ingest = new TelemetryIngest(
            Brokers.IngestOptions(broker.Port, "ingest-ack", Mosquitto.Username, Mosquitto.Password), Sink);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-30", Mosquitto.Username, Mosquitto.Password));
        await node.SwitchOnAsync();

        for (var i = 0; i < 5; i++)
        {
            await node.PublishTelemetryAsync(new NodeTelemetry(50, null, null, null, null, null, null));
        }

        await Eventually.TrueAsync(() => delivered.Count >= 5, Brokers.Timeout, "all five after the redelivery");
        Assert.Equal([1L, 2, 3, 4, 5], delivered);
    }
}
