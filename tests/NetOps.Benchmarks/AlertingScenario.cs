using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Alerting;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Database;
using NetOps.Inventory;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// State changes per second through the alert rules: a fleet of about 5,000 entities, a feed of 10,000 changes a second
/// (port utilisation flapping, cameras coming and going, now and then a link down or up), into a live view alone (the
/// reference: what any reader of the feed costs) and into a live view with the alert book, its dispatcher and the
/// operational database (SQLite). Interleaved runs; CPU per run, allocations, heap after the run, and the delay from a
/// link's down state published to its notification handed to the receiver.
/// </summary>
public sealed class AlertingScenario : IBenchScenario
{
    public string Name => "alerting";

    public string Description => "10k state changes/s over ~5k entities: live view alone vs view + alert rules + dispatcher + SQLite; change → notification delay";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var rate = Args.Int(args, "--rate", 10_000);
        var seconds = Args.Int(args, "--seconds", 10);
        var runs = Args.Int(args, "--runs", 3);
        var fleet = Fleet();
        var entities = AllUp(fleet, DateTimeOffset.UtcNow).Count();
        Console.WriteLine($"alerting: {entities} entities, {rate} changes/s for {seconds} s per run, {runs} runs of each, interleaved");

        var viewCpu = new List<double>();
        var bookCpu = new List<double>();
        var viewAlloc = new List<double>();
        var bookAlloc = new List<double>();
        var bookHeap = new List<double>();
        var p50 = new List<double>();
        var p99 = new List<double>();
        var notified = new List<double>();
        for (var run = -1; run < runs; run++)
        {
            // Run -1 warms up (JIT, SQLite) and is not counted.
            var view = await RunAsync(fleet, rate, seconds, withBook: false, cancellationToken);
            var book = await RunAsync(fleet, rate, seconds, withBook: true, cancellationToken);
            if (run < 0)
            {
                continue;
            }

            viewCpu.Add(view.CpuPercent);
            bookCpu.Add(book.CpuPercent);
            viewAlloc.Add(view.AllocatedMbPerSecond);
            bookAlloc.Add(book.AllocatedMbPerSecond);
            bookHeap.Add(book.HeapMb);
            p50.Add(book.Delays.Count > 0 ? Percentile(book.Delays, 0.50) : double.NaN);
            p99.Add(book.Delays.Count > 0 ? Percentile(book.Delays, 0.99) : double.NaN);
            notified.Add(book.Delays.Count);
        }

        Console.WriteLine($"  CPU, % of one core     view alone {Stats.Describe(viewCpu, "0")}   view + alerting {Stats.Describe(bookCpu, "0")}");
        Console.WriteLine($"  allocated, MB/s        view alone {Stats.Describe(viewAlloc, "0.0")}   view + alerting {Stats.Describe(bookAlloc, "0.0")}");
        Console.WriteLine($"  managed heap after run, MB (view + alerting) {Stats.Describe(bookHeap, "0.0")}");
        Console.WriteLine($"  link down published → notification handed to the receiver (group_wait {AlertTiming.Default.GroupWait.TotalMilliseconds} ms):");
        Console.WriteLine($"    p50 {Stats.Describe(p50, "0")} ms   p99 {Stats.Describe(p99, "0")} ms   notifications per run {Stats.Describe(notified, "0")}");
        return 0;
    }

    private sealed record Result(double CpuPercent, double AllocatedMbPerSecond, double HeapMb, List<double> Delays);

    private static async Task<Result> RunAsync(FleetInventory fleet, int rate, int seconds, bool withBook, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("netops-bench-alerting-");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory.FullName });
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        using var database = builder.Build();
        await database.StartAsync(cancellationToken);
        await database.Services.GetRequiredService<DatabaseMigrator>().WhenMigratedAsync(cancellationToken);

        var feed = new InProcessStateFeed();
        var now = DateTimeOffset.UtcNow;
        await feed.PublishAsync(new StateDelta(1, [.. AllUp(fleet, now)], []), cancellationToken);
        await using var view = new LiveStateView(feed, TimeProvider.System);
        view.Start();
        await view.Loaded;

        var published = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var receiver = new TimingReceiver(published);
        NotificationDispatcher? dispatcher = null;
        AlertBook? book = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (withBook)
        {
            var store = database.Services.GetRequiredService<IAlertStore>();
            dispatcher = new NotificationDispatcher(store, [receiver], Options.Create(new AlertingOptions()), TimeProvider.System,
                NullLogger<NotificationDispatcher>.Instance);
            book = new AlertBook(view, new FixedInventoryProvider(fleet), store, dispatcher, TimeProvider.System, NullLogger<AlertBook>.Instance);
            await dispatcher.StartAsync(stop.Token);
            await book.StartAsync(stop.Token);
            await book.Ready;
        }

        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var last = await PublishAsync(feed, fleet, rate, seconds, published, cancellationToken);
        // The run ends when the last change went through the view, the rules, the group wait and the dispatcher.
        await Eventually.TrueAsync(() => view.Version >= last && (book is null ||
                (book.EvaluatedVersion >= last && book.Held == 0 && dispatcher!.Health.All(h => h.Pending == 0))),
            TimeSpan.FromSeconds(30), "the last change through the view and the alert book");
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed * 100;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / elapsed / 1e6;
        var heap = GC.GetTotalMemory(forceFullCollection: true) / 1e6;

        await stop.CancelAsync();
        if (book is not null)
        {
            await book.StopAsync(CancellationToken.None);
            book.Dispose();
        }

        if (dispatcher is not null)
        {
            await dispatcher.StopAsync(CancellationToken.None);
            dispatcher.Dispose();
        }

        await database.StopAsync(CancellationToken.None);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
        return new Result(cpu, allocated, heap, [.. receiver.Delays]);
    }

    /// <summary>
    /// Deltas of 100 changes every 10 ms (at 10,000/s): 90 port utilisation flips, 9 camera flips, and one link taken
    /// down or brought up; the moment each link goes down is noted for the delay. Answers the last version published.
    /// </summary>
    private static async Task<long> PublishAsync(InProcessStateFeed feed, FleetInventory fleet, int rate, int seconds,
        ConcurrentDictionary<string, long> published, CancellationToken cancellationToken)
    {
        var ports = fleet.Devices.Values.SelectMany(d => d.Ports.Select(p => EntityRef.Port(d.Id, p.Name))).ToArray();
        var cameras = fleet.Endpoints.Keys.Select(EntityRef.Endpoint).ToArray();
        var links = fleet.Links.Values.Where(l => fleet.Devices[l.B.DeviceId].Class == DeviceClass.Site).Select(l => l.Id).ToArray();
        var random = new Random(17);
        var down = new HashSet<string>(StringComparer.Ordinal);
        var perDelta = Math.Max(1, rate / 100);
        var version = (await feed.GetSnapshotAsync(Scope.All, cancellationToken)).Version;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deltas = seconds * 100;
        for (var i = 0; i < deltas && await timer.WaitForNextTickAsync(cancellationToken); i++)
        {
            var now = DateTimeOffset.UtcNow;
            var changes = new Dictionary<EntityRef, EntityState>(perDelta);
            for (var c = 0; c < perDelta * 90 / 100; c++)
            {
                var port = ports[random.Next(ports.Length)];
                changes[port] = random.Next(2) == 0
                    ? State(port, StateValue.Degraded, Reason.Of(ReasonCodes.PortUtilisationHigh, ("value", 95)), now)
                    : State(port, StateValue.Up, Reason.Of(ReasonCodes.PortOperUp), now);
            }

            for (var c = 0; c < perDelta * 9 / 100; c++)
            {
                var camera = cameras[random.Next(cameras.Length)];
                changes[camera] = random.Next(2) == 0
                    ? State(camera, StateValue.Down, Reason.Of(ReasonCodes.EndpointPortDown), now)
                    : State(camera, StateValue.Up, Reason.Of(ReasonCodes.EndpointSeen), now);
            }

            var link = links[random.Next(links.Length)];
            if (down.Remove(link))
            {
                changes[EntityRef.Link(link)] = State(EntityRef.Link(link), StateValue.Up, Reason.Of(ReasonCodes.LinkUp), now);
            }
            else
            {
                down.Add(link);
                changes[EntityRef.Link(link)] = State(EntityRef.Link(link), StateValue.Down, Reason.Of(ReasonCodes.LinkEndDown), now);
                published[Alert.FingerprintOf("LinkDown", EntityRef.Link(link).ToString())] = Stopwatch.GetTimestamp();
            }

            await feed.PublishAsync(new StateDelta(++version, [.. changes.Values], []), cancellationToken);
        }

        return version;
    }

    /// <summary>
    /// One core, 100 access switches, 350 site switches behind them, 50 MOGLI nodes with a switch and 20 cameras each at a
    /// running event: 4,951 entities with every port.
    /// </summary>
    internal static FleetInventory Fleet()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        var devices = new List<Device> { new("core", "Core", DeviceClass.Core, null, null, snmp, [.. Ports("Te1/0/", 100)]) };
        var links = new List<Link>();
        for (var a = 0; a < 100; a++)
        {
            devices.Add(new Device($"acc-{a}", $"Access {a}", DeviceClass.Access, null, null, snmp, [.. Ports("Gi1/0/", 12)]));
            links.Add(new Link($"core-acc-{a}", $"Core – {a}", new LinkEnd("core", $"Te1/0/{a + 1}"), new LinkEnd($"acc-{a}", "Gi1/0/1")));
        }

        for (var s = 0; s < 350; s++)
        {
            var access = s % 100;
            devices.Add(new Device($"site-{s}", $"Site {s}", DeviceClass.Site, null, null, snmp, [.. Ports("Gi0/", 4)]));
            links.Add(new Link($"acc-site-{s}", $"Site {s}", new LinkEnd($"acc-{access}", $"Gi1/0/{s / 100 + 2}"), new LinkEnd($"site-{s}", "Gi0/1")));
        }

        var now = DateTimeOffset.UtcNow;
        var ev = new Event("kerwe", "Kerwe", now.AddDays(-1), now.AddDays(2), [new Zone("z", "Zone")]);
        Assignment[] at = [new Assignment("kerwe", "z", now.AddDays(-1), now.AddDays(2))];
        var nodes = new List<MobileNode>();
        var endpoints = new List<Endpoint>();
        for (var n = 0; n < 50; n++)
        {
            devices.Add(new Device($"mogli-{n}-sw", $"MOGLI {n}", DeviceClass.MobileSwitch, null, $"mogli-{n}", snmp, [.. Ports("ge-0/0/", 5)]));
            links.Add(new Link($"mogli-{n}-up", $"MOGLI {n} uplink", new LinkEnd($"acc-{n}", "Gi1/0/9"), new LinkEnd($"mogli-{n}-sw", "ge-0/0/1")));
            nodes.Add(new MobileNode($"mogli-{n}", $"MOGLI {n}", $"mogli-{n}-sw", TimeSpan.FromSeconds(10), at));
            endpoints.AddRange(Enumerable.Range(0, 20).Select(c =>
                new Endpoint($"cam-{n}-{c}", $"Camera {n}/{c}", EndpointKind.Camera, $"02:00:00:00:{n:x2}:{c:x2}", $"mogli-{n}", null, at)));
        }

        return new FleetInventory([], devices, links, nodes, endpoints, [ev]);
    }

    private static IEnumerable<PortPlan> Ports(string prefix, int count) => Enumerable.Range(1, count).Select(i => new PortPlan(prefix + i));

    internal static IEnumerable<EntityState> AllUp(FleetInventory fleet, DateTimeOffset now) =>
        fleet.Devices.Values.SelectMany(d => d.Ports.Select(p => State(EntityRef.Port(d.Id, p.Name), StateValue.Up, Reason.Of(ReasonCodes.PortOperUp), now))
                .Prepend(State(EntityRef.Device(d.Id), StateValue.Up, Reason.Of(ReasonCodes.DeviceResponding), now)))
            .Concat(fleet.Links.Keys.Select(l => State(EntityRef.Link(l), StateValue.Up, Reason.Of(ReasonCodes.LinkUp), now)))
            .Concat(fleet.Nodes.Keys.Select(n => State(EntityRef.Node(n), StateValue.Up, Reason.Of(ReasonCodes.NodeReporting), now)))
            .Concat(fleet.Endpoints.Keys.Select(e => State(EntityRef.Endpoint(e), StateValue.Up, Reason.Of(ReasonCodes.EndpointSeen), now)));

    private static EntityState State(EntityRef entity, StateValue value, Reason reason, DateTimeOffset at) =>
        new(entity, value, reason, at, at, "bench", TimeSpan.FromMinutes(5));

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Notes, for each firing LinkDown it is handed, how long after the link's down state was published.</summary>
    private sealed class TimingReceiver(ConcurrentDictionary<string, long> published) : IAlertReceiver
    {
        public ConcurrentBag<double> Delays { get; } = [];

        public string Name => "bench";

        public string Kind => "bench";

        public bool EscalationOnly => false;

        public TimeSpan? RefreshEvery => null;

        public Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
        {
            var at = Stopwatch.GetTimestamp();
            if (notification.Kind == NotificationKind.Firing)
            {
                foreach (var alert in notification.Alerts.Where(a => a.Rule == "LinkDown"))
                {
                    if (published.TryRemove(alert.Fingerprint, out var sent))
                    {
                        Delays.Add(Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds);
                    }
                }
            }

            return Task.CompletedTask;
        }
    }
}
