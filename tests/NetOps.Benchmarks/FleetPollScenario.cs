using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Snmp;
using NetOps.Testing;
using NetOps.Collector;
using Quartz;

namespace NetOps.Benchmarks;

/// <summary>
/// The collector at fleet scale: a simulated fleet of switches served by our agent in its own process (one agent per
/// switch on its own loopback address), polled by the real scheduler → queue → poller path every interval for several
/// cycles. Reports the collector's CPU as a share of one core, its memory, and the lateness of polls against their
/// schedule (p50/p99/max), beside the agent process's CPU. Target ([health]): under half a core, p99 under 2 s.
/// </summary>
public sealed class FleetPollScenario : IBenchScenario
{
    private const string Community = "bench-ro";

    public string Name => "poll-fleet";

    public string Description => "collector CPU, memory and poll lateness polling 2,000 simulated switches x 48 ports every 30 s (agents in their own process)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var devices = (int)Args.Long(args, "--devices", 2000);
        var ports = (int)Args.Long(args, "--ports", 48);
        var interval = TimeSpan.FromSeconds(Args.Long(args, "--interval", 30));
        var cycles = (int)Args.Long(args, "--cycles", 4);
        var fleet = Fleet(devices, ports, FreePort.Udp(), interval);

        // The agents run in a child process so their CPU is not the collector's.
        var self = typeof(FleetPollScenario).Assembly.Location;
        await using var agents = ExternalProcess.Start("dotnet",
            [self, FleetAgentsScenario.ScenarioName, "--devices", devices.ToString(CultureInfo.InvariantCulture),
             "--ports", ports.ToString(CultureInfo.InvariantCulture), "--port", fleet.Devices.Values.First().Snmp.Port.ToString(CultureInfo.InvariantCulture)]);
        await agents.WaitForOutputAsync(FleetAgentsScenario.ReadyLine, TimeSpan.FromMinutes(3));
        var agentProcess = Process.GetProcessById(agents.Id);

        var lateness = new List<double>();
        var polls = 0L;
        using var listener = ListenToLateness(lateness);
        var sink = new CountingSink();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(fleet));
        builder.Services.AddSingleton<ICredentialStore>(new OneCredential(Community));
        builder.Services.AddSingleton<IObservationSink>(sink);
        builder.Services.AddSingleton<IOptions<CollectorOptions>>(Options.Create(new CollectorOptions
        {
            Name = "bench",
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 1,
        }));
        builder.Services.AddSingleton<PollQueue>();
        builder.Services.AddSingleton(sp => new SnmpClient(new SnmpClientOptions { MaxInFlightPerDevice = 4 }));
        builder.Services.AddSingleton<SnmpDevicePoller>();
        builder.Services.AddQuartz();
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        // One collector alone: the membership is this process (as in the all-in-one host).
        builder.Services.AddSingleton<NetOps.Core.Cluster.IMembershipStore, NetOps.Core.Cluster.LocalMembershipStore>();
        builder.Services.AddSingleton<CollectorMembership>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CollectorMembership>());
        builder.Services.AddHostedService<PollScheduler>();
        builder.Services.AddHostedService<PollerService>();
        using var host = builder.Build();

        var self_ = Process.GetCurrentProcess();
        await host.StartAsync(cancellationToken);
        Console.WriteLine($"poll-fleet: {devices} switches x {ports} ports, status and counters every {interval.TotalSeconds:0} s (optics every minute, " +
                          $"neighbours, forwarding table and PoE every 5 minutes), {cycles} measured cycles after one warm-up cycle");

        // Warm-up (JIT, first bulk sizes, sockets) until every switch was polled once, then the measured window.
        await Eventually.TrueAsync(() => sink.Count >= devices, interval * 3, "every switch polled once");
        lock (lateness)
        {
            lateness.Clear();
        }

        GC.Collect();
        var cpuBefore = self_.TotalProcessorTime;
        agentProcess.Refresh();
        var agentCpuBefore = agentProcess.TotalProcessorTime;
        var pollsBefore = sink.Count;
        var pollsBeforeBySections = sink.BySections();
        var unreachableBefore = sink.Unreachable;
        var started = Stopwatch.GetTimestamp();
        var peakWorkingSet = 0L;
        for (var i = 0; i < cycles; i++)
        {
            // The measurement is a span of wall time: polls, CPU and memory over whole cycles of the schedule.
            await Task.Delay(interval, cancellationToken);
            self_.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, self_.WorkingSet64);
            Console.WriteLine($"  cycle {i + 1}: {sink.Count - pollsBefore} polls so far, working set {self_.WorkingSet64 / 1048576} MiB");
        }

        var wall = Stopwatch.GetElapsedTime(started);
        self_.Refresh();
        agentProcess.Refresh();
        var cpu = self_.TotalProcessorTime - cpuBefore;
        var agentCpu = agentProcess.TotalProcessorTime - agentCpuBefore;
        polls = sink.Count - pollsBefore;
        var unreachable = sink.Unreachable - unreachableBefore;
        await host.StopAsync(cancellationToken);

        double[] late;
        lock (lateness)
        {
            late = [.. lateness.Order()];
        }

        // Every recurring task of the plan is a poll of its own: the status poll every interval, optics every minute, and
        // neighbours with forwarding table and PoE every five minutes. The first poll of each is spread over the shortest
        // interval after start (so the topology is known soon), then each keeps its own pace; a window of a few cycles
        // after the warm-up therefore holds the status and optics polls but the five-minute ones only if it reaches them.
        var tasks = fleet.Devices.Values.SelectMany(d => PollScheduler.TasksOf(fleet, d, new CollectorOptions())).ToList();
        var scheduled = tasks.Sum(t => 1 / t.Interval.TotalSeconds);
        Console.WriteLine($"  polls {polls} in {wall.TotalSeconds:0.0} s ({polls / wall.TotalSeconds:0.0}/s; the plan's tasks average {scheduled:0.0}/s, " +
                          $"of which status {devices / interval.TotalSeconds:0.0}/s), unreachable {unreachable}");
        foreach (var (sections, count) in sink.BySections().OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"    {sections}: {count - pollsBeforeBySections.GetValueOrDefault(sections)} ({(count - pollsBeforeBySections.GetValueOrDefault(sections)) / wall.TotalSeconds:0.0}/s)");
        }

        Console.WriteLine($"  collector CPU {cpu.TotalSeconds / wall.TotalSeconds:0.000} of one core ({cpu.TotalMilliseconds / Math.Max(1, polls):0.00} ms per device poll); agents' process {agentCpu.TotalSeconds / wall.TotalSeconds:0.000}");
        Console.WriteLine($"  collector memory: peak working set {peakWorkingSet / 1048576} MiB, managed heap {GC.GetTotalMemory(false) / 1048576} MiB");
        Console.WriteLine(late.Length == 0
            ? "  lateness: no measurements (netops.poll.lateness_seconds not published)"
            : $"  lateness of polls against their schedule: p50 {Percentile(late, 0.50) * 1000:0} ms, p99 {Percentile(late, 0.99) * 1000:0} ms, max {late[^1] * 1000:0} ms (n={late.Length})");
        return 0;
    }

    /// <summary>
    /// A generated fleet: a core and access switches of <paramref name="ports"/> ports each, on 127.78.x.y, polled by the
    /// default plan with status and counters every <paramref name="interval"/>.
    /// </summary>
    internal static FleetInventory Fleet(int devices, int ports, int snmpPort, TimeSpan? interval = null)
    {
        var plans = HealthPolicy.Default.Plans.Values.Select(p => p with
        {
            Tasks = [.. p.Tasks.Select(t => t.Sections == PollSections.Interfaces ? t with { Interval = interval ?? t.Interval } : t)],
        });
        var list = Enumerable.Range(0, devices).Select(i => new Device(
            $"sw-{i:0000}", $"Switch {i}", i == 0 ? DeviceClass.Core : DeviceClass.Access, "s", null,
            new Core.Inventory.SnmpTarget(AddressOf(i).ToString(), snmpPort, SnmpVersionSetting.V2c, "bench"),
            Enumerable.Range(1, ports).Select(p => new PortPlan($"Gi1/0/{p}")).ToList())).ToList();
        return new FleetInventory([new Site("s", "Site")], list, [], [], [], [], new HealthPolicy(plans, [LinkClassPolicy.Default]));
    }

    internal static IPAddress AddressOf(int device) => new([127, 78, (byte)(device / 250), (byte)(device % 250 + 1)]);

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static MeterListener ListenToLateness(List<double> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "netops.poll.lateness_seconds")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (into)
            {
                into.Add(value);
            }
        });
        listener.Start();
        return listener;
    }

    private sealed class CountingSink : IObservationSink
    {
        private long _count;
        private long _unreachable;

        public long Count => Interlocked.Read(ref _count);

        public long Unreachable => Interlocked.Read(ref _unreachable);

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bySections = new(StringComparer.Ordinal);

        /// <summary>Polls so far by what they read ("Interfaces", "Optics", "Neighbours, Forwarding, Poe").</summary>
        public Dictionary<string, long> BySections() => new(_bySections, StringComparer.Ordinal);

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            if (observation is DevicePollObservation poll)
            {
                _bySections.AddOrUpdate(poll.Sections.ToString(), 1, (_, n) => n + 1);
            }

            if (observation is DevicePollObservation { Reachable: false })
            {
                Interlocked.Increment(ref _unreachable);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class OneCredential(string community) : ICredentialStore
    {
        public IReadOnlyList<InventoryError> Refresh() => [];

        public bool TryResolve(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Secret? secret)
        {
            secret = new Secret(community);
            return true;
        }
    }
}

/// <summary>The agent side of <see cref="FleetPollScenario"/>: serves the generated fleet until stdin closes.</summary>
public sealed class FleetAgentsScenario : IBenchScenario
{
    public const string ScenarioName = "fleet-agents";
    public const string ReadyLine = "fleet agents ready";

    public string Name => ScenarioName;

    public string Description => "(used by poll-fleet) serves a generated fleet of simulated switches, one agent each, until stdin closes";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var devices = (int)Args.Long(args, "--devices", 2000);
        var ports = (int)Args.Long(args, "--ports", 48);
        var port = (int)Args.Long(args, "--port", 16161);
        var fleet = FleetPollScenario.Fleet(devices, ports, port);
        var random = new Random(7);
        var agents = new List<SnmpAgent>(devices);
        var options = new SnmpAgentOptions { ReadCommunity = "bench-ro" };
        foreach (var device in fleet.Devices.Values.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var simulated = new SimulatedSwitch(device, random, device.Ports.Take(2).Select(p => p.Name).ToHashSet(StringComparer.Ordinal), fleet);
            agents.Add(SnmpAgent.Start(new IPEndPoint(IPAddress.Parse(device.Snmp.Host), port), simulated.View, options));
        }

        Console.WriteLine($"{ReadyLine}: {agents.Count} agents");
        // The parent closes our stdin (or kills us) when it is done.
        await Console.In.ReadToEndAsync(cancellationToken);
        foreach (var agent in agents)
        {
            await agent.DisposeAsync();
        }

        return 0;
    }
}

/// <summary>Command-line values of the scenarios.</summary>
internal static class Args
{
    public static long Long(string[] args, string name, long fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? long.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static int Int(string[] args, string name, int fallback) => checked((int)Long(args, name, fallback));
}
