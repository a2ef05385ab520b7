using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Engine;

namespace NetOps.Benchmarks;

/// <summary>
/// What the state engine costs per observation as the fleet grows: interface polls of every switch in turn (all ports
/// up, counters rising) and node telemetry, applied to an engine holding a generated star fleet, at two fleet sizes side
/// by side. A cost that grows with the fleet, not with the poll, is work the engine repeats for everything on every poll.
/// The engine runs on one loop in the host, so its time per poll times the polls per second is the share of a core it takes.
/// </summary>
public sealed class EngineApplyScenario : IBenchScenario
{
    public string Name => "engine-apply";

    public string Description => "state engine: µs per interface poll and per telemetry report, small fleet vs large (--devices 2000 --ports 48)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var devices = Args.Int(args, "--devices", 2000);
        var ports = Args.Int(args, "--ports", 48);
        var runs = Args.Int(args, "--runs", 5);
        var interval = TimeSpan.FromSeconds(Args.Int(args, "--interval", 30));
        Console.WriteLine($"engine-apply: star fleets of {devices / 10} and {devices} switches x {ports} ports, 5 % of them MOGLI nodes with 3 cameras; {runs} runs each, interleaved");
        var results = new Dictionary<int, (List<double> Poll, List<double> Telemetry)>();
        foreach (var size in new[] { devices / 10, devices })
        {
            results[size] = ([], []);
        }

        for (var run = 0; run < runs + 1; run++)
        {
            foreach (var size in results.Keys)
            {
                var (poll, telemetry) = Measure(size, ports);
                if (run > 0)
                {
                    // The first round warms up the JIT.
                    results[size].Poll.Add(poll);
                    results[size].Telemetry.Add(telemetry);
                }
            }
        }

        foreach (var (size, (poll, telemetry)) in results)
        {
            var share = Stats.Median(poll) * 1e-6 * size / interval.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,5} switches: interface poll {Stats.Describe(poll, "0")} µs, telemetry {Stats.Describe(telemetry, "0.0")} µs; " +
                $"polling every switch every {interval.TotalSeconds:0} s takes {share:0.00} of a core"));
        }

        return Task.FromResult(0);
    }

    private static (double PollMicros, double TelemetryMicros) Measure(int devices, int ports)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var inventory = Fleet(devices, ports, clock.GetUtcNow());
        var engine = new StateEngine(clock);
        engine.SetInventory(inventory);
        var switches = inventory.Devices.Values.ToList();
        var nodes = inventory.Nodes.Values.ToList();
        long sequence = 0;
        var polls = Math.Max(2 * devices, 2000);

        // One round first so that every port has counters to compute rates from.
        for (var i = 0; i < devices; i++)
        {
            engine.Apply(PollOf(switches[i], ++sequence, clock.GetUtcNow()));
        }

        var timer = Stopwatch.StartNew();
        for (var i = 0; i < polls; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(15));
            engine.Apply(PollOf(switches[i % devices], ++sequence, clock.GetUtcNow()));
        }

        var pollMicros = timer.Elapsed.TotalMicroseconds / polls;
        var telemetry = new NodeTelemetry(80, PowerSource.Mains, TimeSpan.FromHours(6), 30, UplinkKind.Fibre, null, new GeoPosition(49.44, 7.77));
        timer.Restart();
        for (var i = 0; i < polls; i++)
        {
            var node = nodes[i % nodes.Count];
            engine.Apply(new NodeTelemetryObservation($"mqtt:telemetry:{node.Id}", i + 1, clock.GetUtcNow(), node.Id,
                telemetry with { BatteryPercent = 50 + i % 50 }, TimeSpan.FromSeconds(30)));
        }

        return (pollMicros, timer.Elapsed.TotalMicroseconds / polls);
    }

    private static DevicePollObservation PollOf(Device device, long sequence, DateTimeOffset at)
    {
        var octets = (ulong)(sequence * 1_000_000);
        var samples = device.Ports.Select((p, i) => new PortSample(p.Name, i + 1, true, true, octets + (ulong)i, octets / 2, 10_000)).ToList();
        return new DevicePollObservation("collector#1", sequence, at, device.Id, true, TimeSpan.FromSeconds(sequence), null, samples,
            TimeSpan.FromSeconds(90));
    }

    /// <summary>A core, 20 access switches, site switches behind them and 5 % MOGLI nodes (switch and 3 cameras) behind sites.</summary>
    private static FleetInventory Fleet(int devices, int ports, DateTimeOffset now)
    {
        const int rays = 20;
        var mobile = Math.Max(1, devices / 20);
        var sites = devices - 1 - rays - mobile;
        List<PortPlan> Ports() => [.. Enumerable.Range(1, ports).Select(p => new PortPlan($"p{p}"))];
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "bench");
        var list = new List<Device> { new("core", "Core", DeviceClass.Core, "rathaus", null, snmp, Ports()) };
        var links = new List<Link>();
        for (var r = 0; r < rays; r++)
        {
            list.Add(new Device($"acc{r}", $"Access {r}", DeviceClass.Access, "rathaus", null, snmp, Ports()));
            links.Add(new Link($"core-acc{r}", $"Core-Access {r}", new LinkEnd("core", $"p{r + 1}"), new LinkEnd($"acc{r}", "p1")));
        }

        for (var s = 0; s < sites; s++)
        {
            list.Add(new Device($"sw{s}", $"Site {s}", DeviceClass.Site, "rathaus", null, snmp, Ports()));
            links.Add(new Link($"acc-sw{s}", $"Access-Site {s}", new LinkEnd($"acc{s % rays}", $"p{2 + s / rays % (ports - 1)}"), new LinkEnd($"sw{s}", "p1")));
        }

        var nodes = new List<MobileNode>();
        var endpoints = new List<Endpoint>();
        for (var m = 0; m < mobile; m++)
        {
            list.Add(new Device($"m{m}-sw", $"Mobile {m}", DeviceClass.MobileSwitch, null, $"m{m}", snmp, Ports()));
            links.Add(new Link($"m{m}-up", $"Mobile uplink {m}", new LinkEnd($"m{m}-sw", "p1"), new LinkEnd($"sw{m % sites}", $"p{ports}")));
            nodes.Add(new MobileNode($"m{m}", $"MOGLI {m}", $"m{m}-sw", TimeSpan.FromSeconds(10),
                [new Assignment("ev", "z", now.AddDays(-1), now.AddDays(2))]));
            for (var c = 0; c < 3; c++)
            {
                endpoints.Add(new Endpoint($"m{m}-cam{c}", $"Camera {m}/{c}", EndpointKind.Camera, $"02:00:00:{m / 256:x2}:{m % 256:x2}:{c:x2}",
                    $"m{m}", $"p{2 + c}", []));
            }
        }

        return new FleetInventory([new Site("rathaus", "Rathaus")], list, links, nodes, endpoints, []);
    }
}
