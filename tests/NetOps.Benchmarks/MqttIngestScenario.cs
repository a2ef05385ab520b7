using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Engine;
using NetOps.Mqtt;
using NetOps.Storage;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// Messages per second from mosquitto into the live model (TelemetryIngest applying to a StateEngine that holds the
/// nodes), beside <c>mosquitto_sub -q 1</c> draining the same stream in the same run. Each run queues the stream in
/// both consumers' persistent sessions while they are away, then starts both at once and times each until it has
/// the whole stream: what is measured is consumption, not the publisher. Runs alternate which consumer starts first.
/// With <c>--store</c> the sink is the all-in-one host's tee: the state engine, then an <see cref="ObservationRecorder"/>
/// over the embedded <see cref="SqliteTelemetryStore"/> (a fresh database per run in the temporary directory), and a
/// message counts once the store has committed it.
/// </summary>
public sealed class MqttIngestScenario : IBenchScenario
{
    private const string Username = "bench";
    private const string Password = "bench-secret";

    public string Name => "mqtt-ingest";

    public string Description =>
        "MQTT telemetry from mosquitto into the state engine (--store: and the SQLite store) vs mosquitto_sub -q 1 (target >= 80%); --allocations: the types allocated most";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var messages = Args.Int(args, "--messages", 50_000);
        var runs = Args.Int(args, "--runs", 7);
        var nodes = Args.Int(args, "--nodes", 50);
        var warmup = Args.Int(args, "--warmup", 1);
        var withStore = args.Contains("--store");
        using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;

        var directory = Directory.CreateTempSubdirectory("netops-bench-mqtt-");
        File.SetUnixFileMode(directory.FullName, (UnixFileMode)0x1ED);
        try
        {
            var passwordFile = Path.Combine(directory.FullName, "passwd");
            await using (var passwd = ExternalProcess.Start("mosquitto_passwd", ["-b", "-c", passwordFile, Username, Password]))
            {
                await passwd.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            var port = FreePort.Tcp();
            var config = Path.Combine(directory.FullName, "mosquitto.conf");
            await File.WriteAllLinesAsync(config,
            [
                $"listener {port} 127.0.0.1",
                "allow_anonymous false",
                $"password_file {passwordFile}",
                "set_tcp_nodelay true",
                "persistence false",
                "max_queued_messages 0",
                "max_queued_bytes 0",
                "log_dest stdout",
                "log_type error",
                "log_type warning",
                "log_type subscribe",
            ], cancellationToken);
            await using var broker = ExternalProcess.Start("mosquitto", ["-c", config]);
            await Eventually.TrueAsync(async () =>
            {
                broker.ThrowIfExited();
                try
                {
                    using var probe = new System.Net.Sockets.TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                    return true;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(10), "mosquitto listening");

            var target = withStore ? "state engine + SQLite store" : "state engine";
            Console.WriteLine($"mqtt-ingest: {messages} telemetry messages from {nodes} nodes per run into the {target}, {runs} runs after {warmup} warm-up, mosquitto on port {port}");
            var ours = new List<double>();
            var reference = new List<double>();
            var ratios = new List<double>();
            for (var run = 0; run < warmup; run++)
            {
                // JIT and connection set-up once, not in the numbers.
                await RunOnceAsync(port, broker, directory.FullName, StoreFor(withStore, directory, -1 - run), -1 - run, Math.Min(messages, 20_000), nodes,
                    oursFirst: true, cancellationToken);
            }

            for (var run = 0; run < runs; run++)
            {
                var (ingestRate, subRate) = await RunOnceAsync(port, broker, directory.FullName, StoreFor(withStore, directory, run), run, messages, nodes,
                    oursFirst: run % 2 == 0, cancellationToken, sampler);
                ours.Add(ingestRate);
                reference.Add(subRate);
                ratios.Add(ingestRate / subRate * 100);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run + 1}: ingest {ingestRate:0} msg/s, mosquitto_sub {subRate:0} msg/s, {ingestRate / subRate * 100:0.0}%"));
            }

            if (sampler is not null)
            {
                // Sampled while the ingest drained, over all runs.
                Console.WriteLine("allocated types (share of sampled bytes):");
                foreach (var (type, share) in sampler.Top(25))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {share * 100,5:0.0}%  {type}"));
                }
            }

            Console.WriteLine($"ingest -> {(withStore ? "engine + store" : "state engine  ")} msg/s: {Stats.Describe(ours, "0")}");
            Console.WriteLine($"mosquitto_sub -q 1      msg/s: {Stats.Describe(reference, "0")}");
            Console.WriteLine($"ratio                       %: {Stats.Describe(ratios, "0.0")}  (target >= 80)");
            if (withStore)
            {
                // Where the store path's time goes, without MQTT: the same observations awaited one at a time (one per
                // transaction), in batches of 256, and one per call with 256 calls in flight (group commit).
                var sample = Math.Min(messages, 5_000);
                var single = await StoreAloneAsync(Path.Combine(directory.FullName, "alone-1", "history.db"), nodes, sample, 1, 1, cancellationToken);
                var batched = await StoreAloneAsync(Path.Combine(directory.FullName, "alone-256", "history.db"), nodes, sample, 256, 1, cancellationToken);
                var grouped = await StoreAloneAsync(Path.Combine(directory.FullName, "alone-group", "history.db"), nodes, sample, 1, 256, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"store alone, {sample} observations: one per transaction {single:0} obs/s, 256 per transaction {batched:0} obs/s, " +
                    $"one per call with 256 calls in flight {grouped:0} obs/s"));
            }

            return Stats.Median(ratios) >= 80 ? 0 : 1;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string? StoreFor(bool withStore, DirectoryInfo directory, int run) =>
        withStore ? Path.Combine(directory.FullName, $"store-{run}", "history.db") : null;

    private static async Task<(double Ingest, double Sub)> RunOnceAsync(int port, ExternalProcess broker, string workDirectory, string? storePath, int run, int messages,
        int nodeCount, bool oursFirst, CancellationToken cancellationToken, AllocationSampler? sampler = null)
    {
        var now = DateTimeOffset.UtcNow;
        var nodeIds = Enumerable.Range(1, nodeCount).Select(i => $"mogli-{i:000}").ToArray();
        var inventory = new FleetInventory([], [], [],
            nodeIds.Select(id => new MobileNode(id, id, null, TimeSpan.FromSeconds(10), [new Assignment("bench", "zone", now.AddDays(-1), now.AddDays(1))])),
            [], []);
        var engine = new StateEngine(TimeProvider.System);
        engine.SetInventory(inventory);
        var catalog = new StaticNodeCatalog(nodeIds.ToHashSet(), nodeIds.ToDictionary(id => id, _ => TimeSpan.FromSeconds(10)));

        // As the all-in-one host wires it: the live model first, then history (AllInOneExtensions.cs).
        await using var store = storePath is null ? null : new SqliteTelemetryStore(storePath, TimeSpan.FromDays(7));
        IObservationSink target = store is null
            ? new EngineSink(engine)
            : new ObservationTee(new EngineSink(engine), new ObservationRecorder(store, new ObservationPoints(() => inventory)));
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CountingSink(target, messages, done);

        var topicFilter = MqttTopics.NodeTelemetryFilter;
        var subId = $"bench-sub-{run}";
        await using var ingest = new TelemetryIngest(new MqttOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Username = Username,
            Password = Password,
            ClientId = $"bench-ingest-{run}",
        }, sink, catalog);

        // 1. Both consumers create their persistent sessions and go away.
        await ingest.StartAsync(cancellationToken);
        await ingest.WaitUntilSubscribedAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        await ingest.StopAsync(cancellationToken);
        await using (var create = ExternalProcess.Start("mosquitto_sub",
                         ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-u", Username, "-P", Password,
                          "-q", "1", "-c", "-i", subId, "-t", topicFilter, "-E"]))
        {
            await create.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // 2. The stream is queued in both sessions.
        await PublishAsync(port, nodeIds, messages, workDirectory, cancellationToken);

        // 3. Both drain it at once; each is timed from its own start to its last message.
        var subCommand = string.Join(' ', "mosquitto_sub", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
            "-u", Username, "-P", Password, "-q", "1", "-c", "-i", subId, "-t", $"'{topicFilter}'",
            "-C", messages.ToString(CultureInfo.InvariantCulture), ">/dev/null");
        var (allocatedBefore, collectionsBefore, pausedBefore) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.GetTotalPauseDuration());
        var writtenBefore = WrittenBytes();
        sampler?.Start();
        Task<TimeSpan> TimeIngest() => Timed(async () =>
        {
            await ingest.StartAsync(cancellationToken);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        });
        Task<TimeSpan> TimeSub() => Timed(async () =>
        {
            await using var sub = ExternalProcess.Start("sh", ["-c", subCommand]);
            await sub.WaitForExitAsync(TimeSpan.FromMinutes(2));
        });

        Task<TimeSpan> ingestTime;
        Task<TimeSpan> subTime;
        if (oursFirst)
        {
            ingestTime = TimeIngest();
            subTime = TimeSub();
        }
        else
        {
            subTime = TimeSub();
            ingestTime = TimeIngest();
        }

        await Task.WhenAll(ingestTime, subTime);
        // Everything this process allocated while both drained: the ingest's cost per message in garbage.
        var (allocated, collections, paused) = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, GC.CollectionCount(0) - collectionsBefore,
            GC.GetTotalPauseDuration() - pausedBefore);
        sampler?.Stop();
        var written = WrittenBytes() - writtenBefore;
        await ingest.StopAsync(cancellationToken);
        broker.ThrowIfExited();
        if (run >= 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    wrote {written / messages} bytes per message (write and pwrite calls), allocated {allocated / messages} bytes per message, {collections} gen0 collections (gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)} so far), paused {paused.TotalMilliseconds:0} ms; last young GC: promoted {GC.GetGCMemoryInfo(GCKind.Ephemeral).PromotedBytes / 1024} KiB, paused {GC.GetGCMemoryInfo(GCKind.Ephemeral).PauseDurations[0].TotalMilliseconds:0.0} ms, gen {GC.GetGCMemoryInfo(GCKind.Ephemeral).Generation}"));
        }

        if (store is not null && run >= 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    store: {store.CommittedWrites} writes in {store.Commits} commits ({(double)store.CommittedWrites / Math.Max(1, store.Commits):0.0} per commit), {store.Merges} merges"));
        }

        return (messages / ingestTime.Result.TotalSeconds, messages / subTime.Result.TotalSeconds);
    }

    private static async Task<double> StoreAloneAsync(string path, int nodeCount, int count, int batchSize, int inFlight,
        CancellationToken cancellationToken)
    {
        var parser = new NetOps.Mqtt.Parsing.MqttPayloadParser();
        var telemetry = new NodeTelemetry(80, PowerSource.Battery, TimeSpan.FromHours(3), 31.5, UplinkKind.Lte, -71, new GeoPosition(49.44, 7.77));
        var now = DateTimeOffset.UtcNow;
        var observations = Enumerable.Range(0, count).Select(i =>
        {
            var at = now.AddMilliseconds(i);
            var payload = NodePublisher.TelemetryPayload(telemetry, i + 1, at, "bench");
            return parser.Parse(MqttTopics.NodeTelemetry($"mogli-{i % nodeCount:000}"), new System.Buffers.ReadOnlySequence<byte>(payload), at).Observation!;
        }).ToList();
        await using var store = new SqliteTelemetryStore(path, TimeSpan.FromDays(7));
        var recorder = new ObservationRecorder(store, new ObservationPoints());
        var written = WrittenBytes();
        var clock = Stopwatch.StartNew();
        var pending = new Queue<Task>(inFlight);
        foreach (var chunk in observations.Chunk(batchSize))
        {
            pending.Enqueue(recorder.RecordAsync(chunk, cancellationToken).AsTask());
            if (pending.Count >= inFlight)
            {
                await pending.Dequeue();
            }
        }

        await Task.WhenAll(pending);
        var rate = count / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    store alone, {batchSize} per call, {inFlight} in flight: wrote {(WrittenBytes() - written) / count} bytes per observation"));
        return rate;
    }

    // Counts telemetry once it is durable. Called concurrently for different nodes (one node's observations in order):
    // the ingest is pipelined, and with the store two-phase (a node's next message is accepted before the previous commit).
    private sealed class CountingSink(IObservationSink target, int messages, TaskCompletionSource done) : ITwoPhaseObservationSink
    {
        private int _applied;

        public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
            await (await AcceptAsync(observation, cancellationToken)).ConfigureAwait(false);

        public async ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken)
        {
            if (target is ITwoPhaseObservationSink twoPhase)
            {
                return Counted(await twoPhase.AcceptAsync(observation, cancellationToken), observation);
            }

            await target.PublishAsync(observation, cancellationToken);
            return Counted(ValueTask.CompletedTask, observation);
        }

        private async ValueTask Counted(ValueTask durable, Observation observation)
        {
            await durable;
            if (observation is NodeTelemetryObservation && Interlocked.Increment(ref _applied) == messages)
            {
                done.TrySetResult();
            }
        }
    }

    // The engine is not thread-safe (the host drives it from one loop behind a channel): one Apply at a time.
    private sealed class EngineSink(StateEngine engine) : IObservationSink
    {
        private readonly Lock _gate = new();

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                engine.Apply(observation);
            }

            return ValueTask.CompletedTask;
        }
    }

    // What this process handed to write calls so far (/proc/self/io "wchar": sockets and files alike).
    private static long WrittenBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/io"))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task<TimeSpan> Timed(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    // The stream comes from mosquitto_pub, one process per node reading its messages a line each (-l), so that the
    // publisher's work is not in this process, where it would be profiled and timed with the ingest.
    private static async Task PublishAsync(int port, string[] nodeIds, int messages, string directory, CancellationToken cancellationToken)
    {
        var telemetry = new NodeTelemetry(80, PowerSource.Battery, TimeSpan.FromHours(3), 31.5, UplinkKind.Lte, -71, new GeoPosition(49.44, 7.77));
        var publishers = new List<ExternalProcess>(nodeIds.Length);
        try
        {
            // No device time: the ingest stamps each message when it arrives. A live node stamps it when it sends, which
            // is about when it arrives; a stream written ahead and sent by 50 processes at their own pace would arrive
            // in another order than its stamps, which no fleet does.
            for (var n = 0; n < nodeIds.Length; n++)
            {
                var lines = new List<string>();
                for (long seq = 1, i = n; i < messages; seq++, i += nodeIds.Length)
                {
                    lines.Add(System.Text.Encoding.UTF8.GetString(NodePublisher.TelemetryPayload(telemetry, seq, null, "bench")));
                }

                var file = Path.Combine(directory, $"stream-{n}.jsonl");
                await File.WriteAllLinesAsync(file, lines, cancellationToken);
                var command = string.Join(' ', "mosquitto_pub", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
                    "-u", Username, "-P", Password, "-q", "1", "-t", MqttTopics.NodeTelemetry(nodeIds[n]), "-l", "<", file);
                publishers.Add(ExternalProcess.Start("sh", ["-c", command]));
            }

            foreach (var publisher in publishers)
            {
                await publisher.WaitForExitAsync(TimeSpan.FromMinutes(2));
            }
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }
    }
}
