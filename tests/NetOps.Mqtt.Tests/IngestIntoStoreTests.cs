using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NetOps.Core.Observations;
using NetOps.Storage;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;
using NetOps.Testing;
using Xunit.Abstractions;

namespace NetOps.Mqtt.Tests;

/// <summary>
/// The pipelined ingest into the group-committing embedded store, as the all-in-one host runs it, against mosquitto:
/// per-node order, acknowledgement only after the commit, a failed commit redelivered and applied once, a stop and a
/// SIGKILL of the consumer mid-stream without loss. "Applied" is what the sink completed, i.e. what is committed.
/// </summary>
public sealed class IngestIntoStoreTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Base = DateTimeOffset.UtcNow.AddHours(-1);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-ingest-store-" + Guid.NewGuid().ToString("N")[..8]);

    private string DbPath => Path.Combine(_directory, "history.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Backlog_IsCommittedManyMessagesPerTransaction_EachNodeInOrder()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));
        var applied = new Applied();
        var options = IngestOptions(broker, "ingest-backlog");
        await using var ingest = new TelemetryIngest(options, applied.Through(new ObservationRecorder(store, new ObservationPoints())));

        // The backlog queues in the ingest's session while it is away, then it drains it.
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await ingest.StopAsync(CancellationToken.None);
        await PublishAsync(broker, nodes: 10, perNode: 100);
        await ingest.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => applied.Count == 1000, Long, "the backlog applied");
        applied.AssertEachNodeInOrder(10, 100);
        Assert.Equal(1000, await StoredAsync());
        output.WriteLine($"{store.CommittedWrites} writes in {store.Commits} commits");
        Assert.True(store.Commits < store.CommittedWrites / 2, $"{store.CommittedWrites} writes in {store.Commits} commits");
    }

    [Fact]
    public async Task FailedCommit_LeavesItsMessagesUnacknowledged_AndTheirRedeliveryIsAppliedOnce()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));

        // SQLite refuses one message's sample while the test keeps the switch on: the whole group it is in fails.
        await using var control = await RefuseBattery335Async();
        var applied = new Applied();
        var log = new CapturingLogger<TelemetryIngest>();
        await using var ingest = new TelemetryIngest(IngestOptions(broker, "ingest-refused"),
            applied.Through(new ObservationRecorder(store, new ObservationPoints())), logger: log);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        var publishing = PublishAsync(broker, nodes: 5, perNode: 120, battery: (node, seq) => node == 2 && seq == 40 ? 33.5 : seq % 100);
        await log.WaitForAsync(e => e.Level >= LogLevel.Error && e.Text.Contains("sink failed", StringComparison.Ordinal), Long, "the refused commit");
        await ExecuteAsync(control, "DELETE FROM refusing;");
        await publishing;

        await Eventually.TrueAsync(() => applied.Count >= 600, Long, "every message applied");
        applied.AssertEachNodeInOrder(5, 120);
        Assert.Equal(600, applied.Count);
        Assert.Equal(600, await StoredAsync());
        Assert.Contains(applied.Items, a => a is { Node: "mogli-2", Sequence: 40 });
    }

    [Fact]
    public async Task TwoPhaseSink_CommitsSeveralMessagesOfOneNodeTogether_EachNodeInOrder()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));
        var live = new LiveModel(new ObservationRecorder(store, new ObservationPoints()));
        await using var ingest = new TelemetryIngest(IngestOptions(broker, "ingest-two-phase"), live);

        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await ingest.StopAsync(CancellationToken.None);
        await PublishAsync(broker, nodes: 10, perNode: 100);
        await ingest.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(async () => await StoredAsync() == 1000, Long, "the backlog committed");
        live.Applied.AssertEachNodeInOrder(10, 100);
        Assert.Equal(1000, live.Applied.Count);
        output.WriteLine($"{store.CommittedWrites} writes in {store.Commits} commits");

        // More writes per commit than nodes: some commit holds several messages of one node.
        Assert.True(store.Commits * 10 < store.CommittedWrites, $"{store.CommittedWrites} writes in {store.Commits} commits");
    }

    [Fact]
    public async Task TwoPhaseSink_FailedCommit_IsRedelivered_AndEveryMessageAppliedOnceInOrder()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));
        await using var control = await RefuseBattery335Async();
        var live = new LiveModel(new ObservationRecorder(store, new ObservationPoints()));
        var log = new CapturingLogger<TelemetryIngest>();
        await using var ingest = new TelemetryIngest(IngestOptions(broker, "ingest-two-phase-refused"), live, logger: log);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        var publishing = PublishAsync(broker, nodes: 5, perNode: 120, battery: (node, seq) => node == 2 && seq == 40 ? 33.5 : seq % 100);
        await log.WaitForAsync(e => e.Level >= LogLevel.Error && e.Text.Contains("sink failed", StringComparison.Ordinal), Long, "the refused commit");
        await ExecuteAsync(control, "DELETE FROM refusing;");
        await publishing;

        // The live model applied mogli-2's 40 (and maybe later ones) before the commit failed; their redelivery reached
        // the sink again, the model dropped them by (source, seq) and the store committed them.
        await Eventually.TrueAsync(async () => await StoredAsync() == 600, Long, "every message committed");
        live.Applied.AssertEachNodeInOrder(5, 120);
        Assert.Equal(600, live.Applied.Count);
        Assert.True(live.Redelivered(("mogli-2", 40)) >= 1, "the refused message reached the sink again");
    }

    [Fact]
    public async Task TwoPhaseSink_StopMidStream_AcknowledgesWhatWasCommitted_SoTheNextStartCommitsOnlyTheRest()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));
        var recorder = new ObservationRecorder(store, new ObservationPoints());
        var first = new DurableLog(recorder);
        var second = new DurableLog(recorder);
        var options = IngestOptions(broker, "ingest-two-phase-stop");
        await using (var ingest = new TelemetryIngest(options, first))
        {
            await ingest.StartAsync(CancellationToken.None);
            await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
            var publishing = PublishAsync(broker, nodes: 10, perNode: 100);
            await Eventually.TrueAsync(() => first.Count >= 300, Long, "a third committed");
            await ingest.StopAsync(CancellationToken.None);
            await publishing;
        }

        // A new instance knows nothing of the first: anything committed but left unacknowledged would come again.
        await using var again = new TelemetryIngest(options, second);
        await again.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => first.Count + second.Count >= 1000, Long, "the rest committed");

        output.WriteLine($"first instance committed {first.Count}, second {second.Count}");
        Assert.True(first.Count < 1000, "stopped mid-stream");
        Assert.Empty(first.Items.Intersect(second.Items));
        Assert.Equal(1000, first.Items.Union(second.Items).Count());
        Assert.Equal(1000, await StoredAsync());
    }

    [Fact]
    public async Task StopMidStream_AcknowledgesWhatWasCommitted_SoTheNextStartAppliesOnlyTheRest()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(3650));
        var recorder = new ObservationRecorder(store, new ObservationPoints());
        var first = new Applied();
        var second = new Applied();
        var options = IngestOptions(broker, "ingest-stop-restart");
        await using (var ingest = new TelemetryIngest(options, first.Through(recorder)))
        {
            await ingest.StartAsync(CancellationToken.None);
            await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
            var publishing = PublishAsync(broker, nodes: 10, perNode: 100);
            await Eventually.TrueAsync(() => first.Count >= 300, Long, "a third applied");
            await ingest.StopAsync(CancellationToken.None);
            await publishing;
        }

        // A new instance: its replay check knows nothing, so anything the first one applied but left unacknowledged
        // would be applied again here.
        await using var again = new TelemetryIngest(options, second.Through(recorder));
        await again.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => first.Count + second.Count >= 1000, Long, "the rest applied");

        output.WriteLine($"first instance applied {first.Count}, second {second.Count}, both {string.Join(' ', first.Items.Intersect(second.Items))}");
        Assert.True(first.Count < 1000, "stopped mid-stream");
        Assert.Empty(first.Items.Intersect(second.Items));
        Assert.Equal(1000, first.Items.Union(second.Items).Count());
        first.AssertEachNodeInOrder(10, null);
        second.AssertEachNodeInOrder(10, null);
        Assert.Equal(1000, await StoredAsync());
    }

    [Fact]
    public async Task ConsumerKilledMidStream_LosesNothing_AndTheStoreHoldsEachMessageOnce()
    {
        await using var broker = await Mosquitto.StartAsync();
        var program = typeof(ConsumerProcess).Assembly.Location;
        string[] arguments = ["consume", broker.Port.ToString(CultureInfo.InvariantCulture), "ingest-killed", DbPath];
        Directory.CreateDirectory(_directory);
        const int nodes = 10;
        const int perNode = 300;

        var killed = ExternalProcess.Start("dotnet", [program, .. arguments]);
        IReadOnlyList<(string Node, long Sequence)> before;
        await using (killed)
        {
            await killed.WaitForOutputAsync("subscribed", Long);
            var publishing = PublishAsync(broker, nodes, perNode);
            await Eventually.TrueAsync(() => AppliedBy(killed).Count >= 1000 || killed.ThrowIfExited(), Long, "a third applied");
            await killed.KillAsync();
            before = AppliedBy(killed);
            await publishing;
        }

        await using var restarted = ExternalProcess.Start("dotnet", [program, .. arguments]);
        await Eventually.TrueAsync(async () => !restarted.ThrowIfExited() && await StoredAsync() == nodes * perNode, Long, "everything stored");
        await restarted.StopAsync(TimeSpan.FromSeconds(20));
        var after = AppliedBy(restarted);

        // What the killed consumer had committed but not yet acknowledged is handed on again: at most the window of
        // unacknowledged messages (Mqtt:ReceiveMaximum), and the store overwrites, so it holds each message once.
        var again = before.Intersect(after).Count();
        output.WriteLine($"killed after {before.Count} applied; the restart applied {after.Count}, {again} of them a second time");
        Assert.DoesNotContain("out of order", killed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("out of order", restarted.Output, StringComparison.Ordinal);
        Assert.True(before.Count < nodes * perNode, "killed mid-stream");
        Assert.Equal(nodes * perNode, before.Union(after).Count());
        Assert.InRange(again, 0, new MqttOptions().ReceiveMaximum);
        Assert.Equal(nodes * perNode, await StoredAsync());
        Assert.Equal(nodes, await StoredSeriesAsync());
    }

    private static MqttOptions IngestOptions(Mosquitto broker, string clientId) =>
        Brokers.IngestOptions(broker.Port, clientId, Mosquitto.Username, Mosquitto.Password) with { SessionExpiry = TimeSpan.FromHours(1) };

    /// <summary>Nodes mogli-0.. publish concurrently, each its own sequence 1..perNode, device time unique per message.</summary>
    private static async Task PublishAsync(Mosquitto broker, int nodes, int perNode, Func<int, long, double>? battery = null)
    {
        await Task.WhenAll(Enumerable.Range(0, nodes).Select(async n =>
        {
            await using var node = new NodePublisher(Brokers.NodeOptions(broker.Port, $"mogli-{n}", Mosquitto.Username, Mosquitto.Password) with
            {
                BootId = "b1",
            });
            await node.SwitchOnAsync();
            for (var i = 0; i < perNode; i++)
            {
                var seq = node.TelemetrySequence + 1;
                var value = battery?.Invoke(n, seq) ?? seq % 100;
                await node.PublishTelemetryAsync(new NodeTelemetry(value, null, null, null, null, null, null), Base.AddMilliseconds(seq));
            }
        }));
    }

    private static List<(string Node, long Sequence)> AppliedBy(ExternalProcess consumer) =>
    [
        .. consumer.Output.Split('\n')
            .Where(line => line.StartsWith("applied ", StringComparison.Ordinal))
            .Select(line => line.Split(' '))
            .Select(parts => (parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture))),
    ];

    private async Task<long> StoredAsync() => await ScalarAsync("SELECT count(*) FROM all_points WHERE json_extract(fields, '$.battery_pct') IS NOT NULL");

    private async Task<long> StoredSeriesAsync() => await ScalarAsync("SELECT count(DISTINCT series_id) FROM all_points WHERE json_extract(fields, '$.battery_pct') IS NOT NULL");

    private async Task<long> ScalarAsync(string sql)
    {
        if (!File.Exists(DbPath))
        {
            return 0;
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Makes SQLite refuse the point with battery 33.5 % (and so the whole commit it is in) until the test runs
    /// <c>DELETE FROM refusing</c> on the returned connection.
    /// </summary>
    private async Task<SqliteConnection> RefuseBattery335Async()
    {
        var control = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await control.OpenAsync();
        await ExecuteAsync(control, """
            CREATE TABLE refusing(x); INSERT INTO refusing VALUES (1);
            CREATE TRIGGER refuse BEFORE INSERT ON recent
              WHEN json_extract(NEW.fields, '$.battery_pct') = 33.5 AND EXISTS (SELECT 1 FROM refusing)
              BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """);
        return control;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A live model in front of history, as the host's tee: applies each (node, seq) once, in acceptance order (the state
    /// engine drops pairs it applied), then hands on to the two-phase <paramref name="history"/>.
    /// </summary>
    private sealed class LiveModel(ITwoPhaseObservationSink history) : ITwoPhaseObservationSink
    {
        private readonly HashSet<(string Node, long Sequence)> _seen = [];
        private readonly Dictionary<(string Node, long Sequence), int> _again = [];
        private readonly Lock _gate = new();

        public Applied Applied { get; } = new();

        public int Redelivered((string Node, long Sequence) message)
        {
            lock (_gate)
            {
                return _again.GetValueOrDefault(message);
            }
        }

        public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
            await await AcceptAsync(observation, cancellationToken);

        public ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken)
        {
            if (observation is NodeTelemetryObservation telemetry)
            {
                lock (_gate)
                {
                    var key = (telemetry.NodeId, telemetry.Sequence);
                    if (_seen.Add(key))
                    {
                        Applied.Add(key);
                    }
                    else
                    {
                        _again[key] = _again.GetValueOrDefault(key) + 1;
                    }
                }
            }

            return history.AcceptAsync(observation, cancellationToken);
        }
    }

    /// <summary>Telemetry a two-phase sink made durable (committed).</summary>
    private sealed class DurableLog(ITwoPhaseObservationSink history) : ITwoPhaseObservationSink
    {
        private readonly ConcurrentQueue<(string Node, long Sequence)> _items = new();

        public int Count => _items.Count;

        public IReadOnlyList<(string Node, long Sequence)> Items => [.. _items];

        public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
            await await AcceptAsync(observation, cancellationToken);

        public async ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken) =>
            Logged(await history.AcceptAsync(observation, cancellationToken), observation);

        private async ValueTask Logged(ValueTask durable, Observation observation)
        {
            await durable;
            if (observation is NodeTelemetryObservation telemetry)
            {
                _items.Enqueue((telemetry.NodeId, telemetry.Sequence));
            }
        }
    }

    /// <summary>Telemetry the sink completed (committed), in completion order.</summary>
    private sealed class Applied
    {
        private readonly ConcurrentQueue<(string Node, long Sequence)> _items = new();

        public void Add((string Node, long Sequence) item) => _items.Enqueue(item);

        public int Count => _items.Count;

        public IReadOnlyList<(string Node, long Sequence)> Items => [.. _items];

        public Func<Observation, CancellationToken, ValueTask> Through(IObservationSink sink) => async (observation, cancellationToken) =>
        {
            await sink.PublishAsync(observation, cancellationToken);
            if (observation is NodeTelemetryObservation telemetry)
            {
                _items.Enqueue((telemetry.NodeId, telemetry.Sequence));
            }
        };

        /// <summary>Each node's sequence numbers strictly increasing; with <paramref name="perNode"/>, exactly 1..perNode.</summary>
        public void AssertEachNodeInOrder(int nodes, int? perNode)
        {
            var byNode = Items.GroupBy(i => i.Node).ToDictionary(g => g.Key, g => g.Select(i => i.Sequence).ToList());
            Assert.True(byNode.Count <= nodes);
            foreach (var (node, sequences) in byNode)
            {
                Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), $"{node} applied in order");
                if (perNode is { } count)
                {
                    Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences);
                }
            }
        }
    }
}
