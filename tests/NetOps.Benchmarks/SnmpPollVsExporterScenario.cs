using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Reflection;
using System.Text;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// CPU per 1,000 interface polls (device polls times its interfaces, as the issue counts them): our client beside Debian's prometheus-snmp-exporter, both polling one agent (ours,
/// in a process of its own, serving snmpsim's recording of a 59-port Cisco 3750) as the exporter's if_mib module does:
/// GET sysUpTime, bulk-walk 1.3.6.1.2.1.2 and 1.3.6.1.2.1.31.1.1 at 25 repetitions. The exporter's CPU is read from
/// /proc/PID/stat while it is scraped over HTTP on loopback; ours from /proc/self/stat, the same way. The pair is
/// repeated, alternating which goes first; the report is the median and spread of the ratio. Target ([snmp-perf]): at most 0.10.
/// prometheus-snmp-generator is not packaged by Debian, so the module is written here as the generator writes if_mib.
/// </summary>
public sealed class SnmpPollVsExporterScenario : IBenchScenario
{
    private const string Recording = "/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz";
    private const string ServeAgent = "--serve-agent";
    private static readonly Oid SysUpTime = Oid.Parse("1.3.6.1.2.1.1.3.0");
    private static readonly Oid Interfaces = Oid.Parse("1.3.6.1.2.1.2");
    private static readonly Oid IfXEntry = Oid.Parse("1.3.6.1.2.1.31.1.1");

    public string Name => "snmp-poll-vs-exporter";

    public string Description => "CPU per 1,000 interface polls (if_mib): our client vs prometheus-snmp-exporter, one agent (target <= 0.10)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length >= 3 && args[0] == ServeAgent)
        {
            return await ServeAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), cancellationToken);
        }

        var polls = Args.Int(args, "--polls", 1000);
        var runs = Args.Int(args, "--runs", 5);
        var directory = Directory.CreateTempSubdirectory("netops-bench-snmp-");
        try
        {
            var recording = Path.Combine(directory.FullName, "cisco_16_switch.snmprec");
            await using (var source = new GZipStream(File.OpenRead(Recording), CompressionMode.Decompress))
            await using (var target = File.Create(recording))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            var agentPort = FreePort.Udp();
            await using var agent = StartSelf([ServeAgent, recording, agentPort.ToString(CultureInfo.InvariantCulture)]);
            await using var client = new SnmpClient();
            var device = new SnmpTarget(new IPEndPoint(IPAddress.Loopback, agentPort))
            {
                Timeout = TimeSpan.FromSeconds(5), Retries = 3, MaxRepetitions = 25,
            };
            await Eventually.TrueAsync(async () =>
            {
                agent.ThrowIfExited();
                var probe = await client.GetAsync(device with { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 }, SysUpTime, cancellationToken);
                return probe.Value.Type == SnmpType.TimeTicks;
            }, TimeSpan.FromSeconds(60), "our agent serving the Cisco recording");

            if (Args.Int(args, "--ours-only", 0) is > 0 and var alone)
            {
                // For a profiler attached to this process: our polls only, no exporter beside them.
                Console.WriteLine($"ours only: {alone} polls, pid {Environment.ProcessId}");
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = await MeasureOursAsync(client, device, alone, cancellationToken);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ours: {cpu / alone:0.000} CPU ms and {allocated / 1024.0 / alone:0.0} KiB allocated per device poll"));
                return 0;
            }

            var exporterPort = FreePort.Tcp();
            var config = Path.Combine(directory.FullName, "snmp.yml");
            await File.WriteAllTextAsync(config, IfMibModule(), cancellationToken);
            await using var exporter = ExternalProcess.Start("prometheus-snmp-exporter",
                [$"--config.file={config}", $"--web.listen-address=127.0.0.1:{exporterPort}", "--log.level=warn"]);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var scrapeUrl = new Uri($"http://127.0.0.1:{exporterPort}/snmp?module=if_mib&target=127.0.0.1:{agentPort}");
            string? firstScrape = null;
            await Eventually.TrueAsync(async () =>
            {
                exporter.ThrowIfExited();
                firstScrape = await http.GetStringAsync(scrapeUrl, cancellationToken);
                return firstScrape.Contains("ifHCInOctets", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(30), "prometheus-snmp-exporter scraping our agent");

            var ourBindings = await PollAsync(client, device, cancellationToken);
            var interfaces = (await client.GetAsync(device, Oid.Parse("1.3.6.1.2.1.2.1.0"), cancellationToken)).Value.AsInt64();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"snmp-poll-vs-exporter: {polls} device polls of {interfaces} interfaces per measurement, {runs} interleaved pairs; one poll is {ourBindings} bindings for us, {ScrapeValue(firstScrape!, "snmp_scrape_pdus_returned")} for the exporter"));

            // Warm-up: JIT and tiering, caches and the exporter's connection pools, not measured.
            await MeasureOursAsync(client, device, Math.Max(50, polls / 4), cancellationToken);
            await MeasureExporterAsync(http, scrapeUrl, exporter.Id, Math.Max(50, polls / 4), cancellationToken);

            var ours = new List<double>();
            var theirs = new List<double>();
            var ratios = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                double ourMs, theirMs;
                if (run % 2 == 0)
                {
                    ourMs = await MeasureOursAsync(client, device, polls, cancellationToken);
                    theirMs = await MeasureExporterAsync(http, scrapeUrl, exporter.Id, polls, cancellationToken);
                }
                else
                {
                    theirMs = await MeasureExporterAsync(http, scrapeUrl, exporter.Id, polls, cancellationToken);
                    ourMs = await MeasureOursAsync(client, device, polls, cancellationToken);
                }

                // The issue counts interface polls: one device poll reads every interface of the switch.
                var perThousand = 1000.0 / (polls * interfaces);
                ours.Add(ourMs * perThousand);
                theirs.Add(theirMs * perThousand);
                ratios.Add(ourMs / theirMs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run + 1}: ours {ourMs * perThousand:0.0} CPU ms, exporter {theirMs * perThousand:0.0} CPU ms per 1,000 interface polls, ratio {ourMs / theirMs:0.000}"));
            }

            // Not the exporter's way, so not in the ratio: what the collector does, reading the same columns side by side.
            var tablePolls = Math.Max(50, polls / 2);
            var tableMs = await MeasureAsync(() => TablePollAsync(client, device, cancellationToken), tablePolls);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ours, the same columns read side by side (GetTableAsync): {tableMs * 1000.0 / (tablePolls * interfaces):0.0} CPU ms per 1,000 interface polls"));
            Console.WriteLine($"ours      CPU ms per 1,000 interface polls: {Stats.Describe(ours, "0.0")}");
            Console.WriteLine($"exporter  CPU ms per 1,000 interface polls: {Stats.Describe(theirs, "0.0")}");
            Console.WriteLine($"ratio ours/exporter: {Stats.Describe(ratios, "0.000")} (target <= 0.100)");
            return Stats.Median(ratios) <= 0.10 ? 0 : 1;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>One if_mib poll as the exporter makes it; returns the number of bindings read.</summary>
    private static async Task<int> PollAsync(SnmpClient client, SnmpTarget device, CancellationToken cancellationToken)
    {
        var uptime = await client.GetAsync(device, SysUpTime, cancellationToken);
        var count = 1;
        ulong checksum = uptime.Value.AsUInt64();
        foreach (var root in new[] { Interfaces, IfXEntry })
        {
            await foreach (var binding in client.WalkAsync(device, root, cancellationToken))
            {
                count++;
                checksum += binding.Value.IsNumeric ? binding.Value.AsUInt64() : (ulong)binding.Value.Type;
            }
        }

        GC.KeepAlive(checksum);
        return count;
    }

    /// <summary>sysUpTime and every ifTable and ifXTable column the module reads, as tables.</summary>
    private static async Task TablePollAsync(SnmpClient client, SnmpTarget device, CancellationToken cancellationToken)
    {
        await client.GetAsync(device, SysUpTime, cancellationToken);
        await client.GetTableAsync(device, Oid.Parse("1.3.6.1.2.1.2.2.1"), [.. Enumerable.Range(1, 22).Select(c => (uint)c)], cancellationToken);
        await client.GetTableAsync(device, Oid.Parse("1.3.6.1.2.1.31.1.1.1"), [.. Enumerable.Range(1, 19).Select(c => (uint)c)], cancellationToken);
    }

    private static async Task<double> MeasureAsync(Func<Task> poll, int polls)
    {
        for (var i = 0; i < 20; i++)
        {
            await poll(); // warm-up: JIT and tiering
        }

        var before = CpuMilliseconds(Environment.ProcessId);
        for (var i = 0; i < polls; i++)
        {
            await poll();
        }

        return CpuMilliseconds(Environment.ProcessId) - before;
    }

    private static async Task<double> MeasureOursAsync(SnmpClient client, SnmpTarget device, int polls, CancellationToken cancellationToken)
    {
        var before = CpuMilliseconds(Environment.ProcessId);
        for (var i = 0; i < polls; i++)
        {
            await PollAsync(client, device, cancellationToken);
        }

        return CpuMilliseconds(Environment.ProcessId) - before;
    }

    private static async Task<double> MeasureExporterAsync(HttpClient http, Uri scrapeUrl, int exporterPid, int polls, CancellationToken cancellationToken)
    {
        var before = CpuMilliseconds(exporterPid);
        for (var i = 0; i < polls; i++)
        {
            var body = await http.GetStringAsync(scrapeUrl, cancellationToken);
            if (!body.Contains("ifHCInOctets", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the exporter's scrape has no interface counters:\n" + body[..Math.Min(2000, body.Length)]);
            }
        }

        return CpuMilliseconds(exporterPid) - before;
    }

    /// <summary>utime + stime of a process (all its threads, also those that ended), from /proc/PID/stat.</summary>
    private static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of proc(5), counted from the state field (3) after the command name.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / ClockTicksPerSecond;
    }

    // sysconf(_SC_CLK_TCK) is 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    private static string ScrapeValue(string scrape, string metric) =>
        scrape.Split('\n').FirstOrDefault(l => l.StartsWith(metric + " ", StringComparison.Ordinal))?[(metric.Length + 1)..] ?? "?";

    /// <summary>Serves the recording with our agent until killed: the agent's CPU stays out of our measurement.</summary>
    private static async Task<int> ServeAsync(string recording, int port, CancellationToken cancellationToken)
    {
        var view = MibView.FromSnmprec(recording);
        await using var agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, port), view);
        Console.WriteLine($"serving {view.Count} objects on {agent.LocalEndPoint}");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    private static ExternalProcess StartSelf(string[] arguments)
    {
        var host = Environment.ProcessPath!;
        var entry = Assembly.GetEntryAssembly()!.Location;
        string[] prefix = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [entry] : [];
        return ExternalProcess.Start(host, [.. prefix, "snmp-poll-vs-exporter", .. arguments]);
    }

    /// <summary>The if_mib module as prometheus-snmp-generator writes it from its default generator.yml (0.21 format).</summary>
    private static string IfMibModule()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("if_mib:");
        yaml.AppendLine("  walk:");
        yaml.AppendLine("  - 1.3.6.1.2.1.2");
        yaml.AppendLine("  - 1.3.6.1.2.1.31.1.1");
        yaml.AppendLine("  get:");
        yaml.AppendLine("  - 1.3.6.1.2.1.1.3.0");
        yaml.AppendLine("  metrics:");
        yaml.AppendLine("  - name: sysUpTime\n    oid: 1.3.6.1.2.1.1.3\n    type: gauge\n    help: The time since the network management portion of the system was last re-initialized.");
        yaml.AppendLine("  - name: ifNumber\n    oid: 1.3.6.1.2.1.2.1\n    type: gauge\n    help: The number of network interfaces present on this system.");
        string[] ifEntry =
        [
            "1 ifIndex gauge", "3 ifType EnumAsInfo", "4 ifMtu gauge", "5 ifSpeed gauge", "6 ifPhysAddress PhysAddress48",
            "7 ifAdminStatus gauge", "8 ifOperStatus gauge", "9 ifLastChange gauge", "10 ifInOctets counter",
            "11 ifInUcastPkts counter", "12 ifInNUcastPkts counter", "13 ifInDiscards counter", "14 ifInErrors counter",
            "15 ifInUnknownProtos counter", "16 ifOutOctets counter", "17 ifOutUcastPkts counter", "18 ifOutNUcastPkts counter",
            "19 ifOutDiscards counter", "20 ifOutErrors counter", "21 ifOutQLen gauge",
        ];
        string[] ifXEntry =
        [
            "2 ifInMulticastPkts counter", "3 ifInBroadcastPkts counter", "4 ifOutMulticastPkts counter",
            "5 ifOutBroadcastPkts counter", "6 ifHCInOctets counter", "7 ifHCInUcastPkts counter", "8 ifHCInMulticastPkts counter",
            "9 ifHCInBroadcastPkts counter", "10 ifHCOutOctets counter", "11 ifHCOutUcastPkts counter",
            "12 ifHCOutMulticastPkts counter", "13 ifHCOutBroadcastPkts counter", "14 ifLinkUpDownTrapEnable gauge",
            "15 ifHighSpeed gauge", "16 ifPromiscuousMode gauge", "17 ifConnectorPresent gauge", "19 ifCounterDiscontinuityTime gauge",
        ];
        foreach (var (entry, columns) in new[] { ("1.3.6.1.2.1.2.2.1", ifEntry), ("1.3.6.1.2.1.31.1.1.1", ifXEntry) })
        {
            foreach (var column in columns.Select(c => c.Split(' ')))
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"  - name: {column[1]}\n    oid: {entry}.{column[0]}\n    type: {column[2]}\n    help: {column[1]}");
                yaml.AppendLine("    indexes:\n    - labelname: ifIndex\n      type: gauge\n    lookups:");
                foreach (var (label, oid) in new[] { ("ifAlias", "1.3.6.1.2.1.31.1.1.1.18"), ("ifDescr", "1.3.6.1.2.1.2.2.1.2"), ("ifName", "1.3.6.1.2.1.31.1.1.1.1") })
                {
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"    - labels:\n      - ifIndex\n      labelname: {label}\n      oid: {oid}\n      type: DisplayString");
                }

                if (column[2] == "EnumAsInfo")
                {
                    yaml.AppendLine("    enum_values:\n      1: other\n      6: ethernetCsmacd\n      24: softwareLoopback\n      53: propVirtual\n      135: l2vlan");
                }
            }
        }

        yaml.AppendLine("  version: 2\n  max_repetitions: 25\n  retries: 3\n  timeout: 5s\n  auth:\n    community: public");
        return yaml.ToString();
    }
}
