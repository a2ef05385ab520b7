using System.Collections.Concurrent;
using NetOps.Core.Observations;
using NetOps.Testing;
using Xunit.Abstractions;

namespace NetOps.Mqtt.Tests;

/// <summary>
/// mosquitto with <c>persistence true</c> restarted mid-stream, QoS 1 and persistent sessions on both sides (the
/// node retries a publish that failed with the same sequence number). Lost and duplicated messages are counted
/// against the sequence numbers and written to the test output.
/// </summary>
public sealed class MosquittoRestartTests(ITestOutputHelper output)
{
    private const int Count = 1500;

    // Saved after every main-loop pass that changed something (autosave_on_changes true, autosave_interval 1).
    // mosquitto counts a message as a change only when it is queued for a client; a message that goes straight
    // into a connected client's in-flight window is not, so it reaches the disk only with the next change.
    private static readonly MosquittoSettings Persistent = new()
    {
        Persistence = true,
        AutosaveInterval = 1,
        AutosaveOnChanges = true,
        MaxInflightMessages = 20,
    };

    [Fact]
    public async Task GracefulRestart_MidStream_LosesNothing_AndAppliesNothingTwice()
    {
        var outcome = await StreamThroughRestartAsync(graceful: true);

        Assert.Empty(outcome.AppliedTwice);
        Assert.Equal(0, outcome.Lost);
        Assert.True(outcome.IsIncreasing, "applied in sequence order");
    }

    [Fact]
    public async Task Kill9_MidStream_LosesAtMostTheUnsavedInFlightWindow_AndAppliesNothingTwice()
    {
        var outcome = await StreamThroughRestartAsync(graceful: false);

        Assert.Empty(outcome.AppliedTwice);
        Assert.True(outcome.IsIncreasing, "applied in sequence order");

        // What is deterministic: a message queued for the ingest is on disk after the pass that queued it; one in
        // the in-flight window (at most max_inflight_messages) may not be; and one publish can be acknowledged to
        // the node in the pass the kill cuts short.
        Assert.InRange(outcome.Lost, 0, Persistent.MaxInflightMessages + 1);
    }

    [Theory]
    [InlineData(true, 1, 0)]
    [InlineData(false, 1800, 300)]
    public async Task Kill9_WhileTheIngestIsAway_LosesWhatTheAutosaveIntervalHasNotSaved(bool onChanges, int interval, int expectedLost)
    {
        const int queued = 300;
        var settings = Persistent with { AutosaveOnChanges = onChanges, AutosaveInterval = interval };
        await using var broker = await Mosquitto.StartAsync(settings);
        var sink = new CollectingSink();
        var options = Brokers.IngestOptions(broker.Port, "ingest-away", Mosquitto.Username, Mosquitto.Password);
        await using var ingest = new TelemetryIngest(options, sink.Accept);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await ingest.StopAsync(CancellationToken.None);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-51", Mosquitto.Username, Mosquitto.Password) with
        {
            SessionExpiry = TimeSpan.FromHours(1),
        });
        await node.SwitchOnAsync();
        for (var i = 0; i < queued; i++)
        {
            await node.PublishTelemetryAsync(new NodeTelemetry(60, null, null, null, null, null, null));
        }

        // Every PUBLISH acknowledged to the node has been through an autosave check; then the crash.
        await broker.RoundTripAsync();
        await broker.RestartAsync(graceful: false);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        // A marker published after the restart arrives after whatever survived of the queue.
        await node.SwitchOnAsync();
        await node.PublishTelemetryAsync(new NodeTelemetry(61, null, null, null, null, null, null));
        await Eventually.TrueAsync(() => sink.Of<NodeTelemetryObservation>().Any(o => o.Sequence == queued + 1), Brokers.Timeout, "the marker");
        var survived = sink.Of<NodeTelemetryObservation>().Count(o => o.Sequence <= queued);
        output.WriteLine($"kill -9 with {queued} messages queued for an offline ingest, autosave_interval {interval} " +
            $"(on changes {onChanges}): {queued - survived} lost");
        Assert.Equal(expectedLost, queued - survived);
    }

    private async Task<Outcome> StreamThroughRestartAsync(bool graceful)
    {
        await using var broker = await Mosquitto.StartAsync(Persistent);
        using var meters = new TestMeterFactory();
        var metrics = new MqttMetrics(meters);
        using var probe = new CounterProbe(metrics);
        var applied = new ConcurrentQueue<long>();
        ValueTask Sink(Observation observation, CancellationToken cancellationToken)
        {
            if (observation is NodeTelemetryObservation telemetry)
            {
                applied.Enqueue(telemetry.Sequence);
            }

            return ValueTask.CompletedTask;
        }

        var kind = graceful ? "graceful" : "kill9";
        var options = Brokers.IngestOptions(broker.Port, $"ingest-restart-{kind}", Mosquitto.Username, Mosquitto.Password) with
        {
            SessionExpiry = TimeSpan.FromHours(1),
        };
        await using var ingest = new TelemetryIngest(options, Sink, metrics: metrics);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, "mogli-50", Mosquitto.Username, Mosquitto.Password) with
        {
            BootId = kind,
            SessionExpiry = TimeSpan.FromHours(1),
        });
        await node.SwitchOnAsync();

        var failedPublishes = 0;
        var telemetry = new NodeTelemetry(70, PowerSource.Mains, null, 30, UplinkKind.Fibre, null, null);
        var publishing = Task.Run(async () =>
        {
            while (node.TelemetrySequence < Count)
            {
                try
                {
                    await node.PublishTelemetryAsync(telemetry, deviceTime: null);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The broker went away: reconnect when it is back, then send the same sequence number again.
                    failedPublishes++;
                    await Eventually.TrueAsync(async () =>
                    {
                        try
                        {
                            await node.SwitchOnAsync();
                            return true;
                        }
                        catch (Exception connect) when (connect is not OutOfMemoryException)
                        {
                            return false;
                        }
                    }, TimeSpan.FromSeconds(20), "the node reconnected");
                }
            }
        });

        await Eventually.TrueAsync(() => applied.Count >= Count / 3 || publishing.IsCompleted, Brokers.Timeout, "a third of the stream applied");
        var publishedAtRestart = node.TelemetrySequence;
        var appliedAtRestart = applied.Count;
        await broker.RestartAsync(graceful);
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));

        // The broker keeps order per session: once the last message is applied, everything that survived came before it.
        await Eventually.TrueAsync(() => applied.Contains(Count), TimeSpan.FromSeconds(20), "the last message applied");
        var list = applied.ToList();
        var outcome = new Outcome(
            Lost: Count - list.Distinct().Count(),
            AppliedTwice: [.. list.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key)],
            IsIncreasing: list.Zip(list.Skip(1)).All(p => p.First < p.Second));
        var lostSequences = Enumerable.Range(1, Count).Select(i => (long)i).Except(list).ToList();
        output.WriteLine(
            $"mosquitto {(graceful ? "SIGTERM" : "SIGKILL")} restart, autosave_interval {Persistent.AutosaveInterval} " +
            $"(on changes {Persistent.AutosaveOnChanges}), max_inflight_messages {Persistent.MaxInflightMessages}: " +
            $"{Count} published, restart after {publishedAtRestart} published / {appliedAtRestart} applied; " +
            $"lost {outcome.Lost} [{string.Join(',', lostSequences)}], applied twice {outcome.AppliedTwice.Count}, " +
            $"redelivered and dropped as replayed {probe.Rejected("replayed")}, publishes retried {failedPublishes}");
        Assert.True(publishedAtRestart < Count, "the restart came mid-stream");
        return outcome;
    }

    private sealed record Outcome(int Lost, IReadOnlyList<long> AppliedTwice, bool IsIncreasing);
}
