using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Snmp;
using NetOps.Testing;
using NetOps.Collector;

namespace NetOps.Benchmarks;

/// <summary>
/// Traps per second decoded and turned into events on one core (the decoder, then <see cref="TrapIngest"/> resolving the
/// sender and the port and publishing a <see cref="DeviceNotificationObservation"/>), beside the decoder alone; and the
/// delay from a linkDown trap to the port's state change in the live model of an all-in-one host run as a process
/// (sent by our own encoder from the core switch's address, read back through /api/state).
/// </summary>
public sealed class TrapScenario : IBenchScenario
{
    private const string LinkId = "core-acc-nord";

    public string Name => "traps";

    public string Description =>
        "traps/s decoded into events on one core (vs decoding alone); linkDown trap to state change, and to the alert at a webhook, in the all-in-one host";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var traps = (int)Args.Long(args, "--traps", 200_000);
        var runs = (int)Args.Long(args, "--runs", 7);
        var delays = (int)Args.Long(args, "--delays", 15);
        if (!args.Contains("--no-throughput"))
        {
            await ThroughputAsync(traps, runs, cancellationToken);
        }

        if (!args.Contains("--no-delay"))
        {
            await DelayAsync(delays, cancellationToken);
        }

        return 0;
    }

    private static async Task ThroughputAsync(int traps, int runs, CancellationToken cancellationToken)
    {
        const int devices = 100;
        var fleet = new FleetInventory([new Site("s", "S")],
            Enumerable.Range(0, devices).Select(i => new Device($"sw-{i}", $"Switch {i}", DeviceClass.Site, "s", null,
                new Core.Inventory.SnmpTarget($"10.0.{i / 250}.{i % 250 + 1}", 161, SnmpVersionSetting.V2c, "ro"),
                Enumerable.Range(1, 24).Select(p => new PortPlan($"Gi0/{p}")).ToList())).ToList(),
            [], [], [], []);
        var options = Options.Create(new CollectorOptions());
        await using var client = new SnmpClient();
        var poller = new SnmpDevicePoller(client, new NoCredentials(), options, TimeProvider.System);
        foreach (var device in fleet.Devices.Values)
        {
            poller.RememberPorts(device.Id, device.Ports.Select((p, i) => new PortSample(p.Name, i + 1, true, true, null, null, null)));
        }

        var sink = new CountingSink();
        var ingest = new TrapIngest(Options.Create(new TrapIngestOptions()), new FixedInventoryProvider(fleet), new NoCredentials(), new PollQueue(new TestMeterFactory()), poller,
            sink, TimeProvider.System, NullLogger<TrapIngest>.Instance, new TrapMetrics(new TestMeterFactory()));

        // A mix as a network sends it: mostly link changes, some restarts, some vendor traps.
        var random = new Random(6);
        var packets = Enumerable.Range(0, 1000).Select(_ =>
        {
            var device = random.Next(devices);
            var ifIndex = (uint)random.Next(1, 25);
            var trap = random.Next(10) switch
            {
                < 5 => SnmpNotification.LinkDown,
                < 8 => SnmpNotification.LinkUp,
                8 => SnmpNotification.ColdStart,
                _ => Oid.Parse("1.3.6.1.4.1.9.9.41.2.0.1"),
            };
            var bytes = SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.TrapV2, random.Next(), [
                new VarBind(SnmpNotification.SysUpTimeInstance, SnmpValue.TimeTicks((uint)random.Next())),
                new VarBind(SnmpNotification.SnmpTrapOidInstance, SnmpValue.ObjectIdentifier(trap)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.1").Append(ifIndex), SnmpValue.Integer(ifIndex)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.7").Append(ifIndex), SnmpValue.Integer(1)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.8").Append(ifIndex), SnmpValue.Integer(2)),
            ])));
            return (Bytes: (ReadOnlyMemory<byte>)bytes, Source: new IPEndPoint(IPAddress.Parse(fleet.Devices[$"sw-{device}"].Snmp.Host), 50_000));
        }).ToArray();

        // One core: the measuring thread is the only one the process may run on.
        var process = Process.GetCurrentProcess();
        var affinity = process.ProcessorAffinity;
        process.ProcessorAffinity = 1;
        try
        {
            var decodeOnly = new List<double>();
            var toEvents = new List<double>();
            for (var run = -1; run < runs; run++)
            {
                // Interleaved, so both see the same machine; run -1 warms up.
                var decoded = Time(traps, i => _ = SnmpNotificationDecoder.Decode(packets[i % packets.Length].Bytes, packets[i % packets.Length].Source));
                var before = sink.Count;
                var events = await TimeAsync(traps, i => ingest.HandleAsync(
                    SnmpNotificationDecoder.Decode(packets[i % packets.Length].Bytes, packets[i % packets.Length].Source), cancellationToken));
                if (sink.Count - before != traps)
                {
                    throw new InvalidOperationException($"{sink.Count - before} events from {traps} traps");
                }

                if (run >= 0)
                {
                    decodeOnly.Add(decoded);
                    toEvents.Add(events);
                }
            }

            Console.WriteLine($"traps: {traps} v2c traps per run from {devices} devices, one core, {runs} runs");
            Console.WriteLine($"  decode only                     {Stats.Describe(decodeOnly, "0")} traps/s");
            Console.WriteLine($"  decode + resolve + event        {Stats.Describe(toEvents, "0")} traps/s");
        }
        finally
        {
            process.ProcessorAffinity = affinity;
        }
    }

    private static double Time(int count, Action<int> action)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            action(i);
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> TimeAsync(int count, Func<int, ValueTask> action)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await action(i);
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Cut the core end of a fibre in the simulator, send linkDown from the core's address, time until /api/state shows the
    /// port down; restore, send linkUp (its re-poll brings the port back up), repeat. Polls are an hour apart, so every
    /// change comes from a trap or the re-poll it triggered.
    /// </summary>
    private static bool IsLinkDown(RecordedRequest request, string status) =>
        request.Json.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("status").GetString() == status &&
            a.GetProperty("labels").GetProperty("alertname").GetString() == "LinkDown" &&
            a.GetProperty("labels").GetProperty("subject").GetString() == $"link:{LinkId}");

    private static async Task DelayAsync(int repetitions, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("netops-bench-traps-");
        // The alerts of the run go to a webhook; the link is cut again and again, so flap damping must not hold them back.
        await using var webhook = await HttpRecorder.StartAsync();
        var trapPort = FreePort.Udp();
        var snmpPort = FreePort.Udp();
        var httpPort = FreePort.Tcp();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "config", "inventory")))
        {
            var text = Regex.Replace(File.ReadAllText(file), @"(?m)^(\s*port:\s*)16161\b", "${1}" + snmpPort)
                .Replace("flapping: { changes: 4,", "flapping: { changes: 1000,", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(directory.FullName, Path.GetFileName(file)), text);
        }

        DemoPlans.CopyTo(directory.FullName);

        var secrets = Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml");
        var output = RepoPaths.Output("NetOps.Host");
        var baseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        await using var host = ExternalProcess.Start("dotnet", [
            Path.Combine(output, "NetOps.Host.dll"),
            "--urls", baseAddress.ToString().TrimEnd('/'),
            "--Inventory:Directory", directory.FullName,
            "--Inventory:SecretsFile", secrets,
            "--Mqtt:Port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            "--Storage:DataDirectory", Path.Combine(directory.FullName, "data"),
            "--Serilog:WriteTo:1:Args:path", Path.Combine(directory.FullName, "logs", "netops-.log"),
            "--Collector:PollInterval", "01:00:00",
            "--Collector:Timeout", "00:00:00.500",
            "--Traps:Enabled", "true",
            "--Traps:Endpoint", $"127.0.0.1:{trapPort.ToString(CultureInfo.InvariantCulture)}",
            "--Traps:Credentials:0", "rainbow-ro",
            "--Alerting:Webhooks:0:Url", webhook.Url.ToString(),
        ], workingDirectory: output);
        // Every route needs a login: the benchmark logs in as the first admin, as a person would.
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                host.ThrowIfExited();
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(90), "the all-in-one host to be ready\n" + host.Output);
            await HostLogin.LogInAsync(baseAddress, cookies, Path.Combine(directory.FullName, "data"), "admin", "Bench-admin-password-1");

            // The community is read where the host reads it and never printed.
            var community = new CredentialStore(secrets).TryResolve("rainbow-ro", out var secret)
                ? secret.Reveal()
                : throw new InvalidOperationException("rainbow-ro is not defined");
            using var inventory = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/inventory", UriKind.Relative), cancellationToken));
            var link = inventory.RootElement.GetProperty("links").EnumerateArray().First(l => l.GetProperty("id").GetString() == LinkId);
            (string Device, string Port, IPAddress Address, uint IfIndex) EndOf(string side)
            {
                var end = link.GetProperty(side);
                var id = end.GetProperty("deviceId").GetString()!;
                var name = end.GetProperty("port").GetString()!;
                var device = inventory.RootElement.GetProperty("devices").EnumerateArray().First(d => d.GetProperty("id").GetString() == id);
                return (id, name, IPAddress.Parse(device.GetProperty("snmp").GetProperty("host").GetString()!),
                    (uint)device.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList().IndexOf(name) + 1);
            }

            var near = EndOf("a");
            var far = EndOf("b");
            var portEntity = $"port:{near.Device}/{near.Port}";

            using var sender = new UdpClient(new IPEndPoint(near.Address, 0));
            // The far end only tells its linkUp, so that with polls an hour apart its port (and the link) is known up again.
            using var farSender = new UdpClient(new IPEndPoint(far.Address, 0));
            var receiver = new IPEndPoint(IPAddress.Loopback, trapPort);
            var requestId = 0;
            async Task SendAsync(Oid trap, UdpClient? from = null)
            {
                var ifIndex = from is null ? near.IfIndex : far.IfIndex;
                var bytes = SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, community, new SnmpPdu(SnmpPduType.TrapV2, ++requestId, [
                    new VarBind(SnmpNotification.SysUpTimeInstance, SnmpValue.TimeTicks(100)),
                    new VarBind(SnmpNotification.SnmpTrapOidInstance, SnmpValue.ObjectIdentifier(trap)),
                    new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.1").Append(ifIndex), SnmpValue.Integer(ifIndex)),
                ])));
                await (from ?? sender).SendAsync(bytes, receiver, cancellationToken);
            }

            // linkUp gets the core polled (its ifIndexes mapped) and the port up.
            await SendAsync(SnmpNotification.LinkUp);
            await Eventually.TrueAsync(async () => await StateOfAsync(http, portEntity, cancellationToken) == "up", TimeSpan.FromSeconds(30),
                $"{portEntity} up\n{host.Output}");

            var toState = new List<double>();
            var toWebhook = new List<double>();
            var byTrap = 0;
            for (var i = 0; i < repetitions; i++)
            {
                await PostAsync(http, $"api/simulator/links/{LinkId}/cut", cancellationToken);
                var sent = Stopwatch.GetTimestamp();
                await SendAsync(SnmpNotification.LinkDown);
                (string? Value, string? Reason) seen;
                while ((seen = await StateAsync(http, portEntity, cancellationToken)).Value != "down")
                {
                    if (Stopwatch.GetElapsedTime(sent) > TimeSpan.FromSeconds(10))
                    {
                        throw new TimeoutException($"{portEntity} not down 10 s after its linkDown\n{host.Output}");
                    }
                }

                toState.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                byTrap += seen.Reason == "port.trap-link-down" ? 1 : 0;
                var firings = i + 1;
                var told = await Eventually.ValueAsync(() => Task.FromResult(webhook.Requests.Where(r => IsLinkDown(r, "firing")).Skip(firings - 1).FirstOrDefault()),
                    TimeSpan.FromSeconds(10), $"firing notification {firings} of {LinkId} at the webhook");
                toWebhook.Add(Stopwatch.GetElapsedTime(sent, told.ReceivedAt).TotalMilliseconds);
                await PostAsync(http, $"api/simulator/links/{LinkId}/restore", cancellationToken);
                await SendAsync(SnmpNotification.LinkUp);
                await SendAsync(SnmpNotification.LinkUp, farSender);
                await Eventually.TrueAsync(async () => await StateOfAsync(http, portEntity, cancellationToken) == "up", TimeSpan.FromSeconds(10),
                    $"{portEntity} up again\n{host.Output}");
                await Eventually.TrueAsync(() => webhook.Requests.Count(r => IsLinkDown(r, "resolved")) == firings, TimeSpan.FromSeconds(10),
                    $"resolved notification {firings} of {LinkId} at the webhook; link {await StateAsync(http, $"link:{LinkId}", cancellationToken)}");
            }

            Console.WriteLine($"traps: linkDown sent → {portEntity} down in /api/state of the all-in-one host, {repetitions} repetitions");
            Console.WriteLine($"  delay (includes one /api/state read) {Stats.Describe(toState, "0.0")} ms");
            Console.WriteLine($"  first seen down with the trap's reason {byTrap} of {repetitions} times (else already confirmed by the re-poll)");
            Console.WriteLine($"  linkDown sent → LinkDown {LinkId} firing at the webhook (default rules, group_wait 500 ms) {Stats.Describe(toWebhook, "0.0")} ms");
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string?> StateOfAsync(HttpClient http, string entity, CancellationToken cancellationToken) =>
        (await StateAsync(http, entity, cancellationToken)).Value;

    private static async Task<(string? Value, string? Reason)> StateAsync(HttpClient http, string entity, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(await http.GetStreamAsync(new Uri("api/state", UriKind.Relative), cancellationToken),
            cancellationToken: cancellationToken);
        return document.RootElement.GetProperty("states").EnumerateArray()
            .FirstOrDefault(s => s.GetProperty("entity").GetString() == entity) is { ValueKind: JsonValueKind.Object } state
            ? (state.GetProperty("value").GetString(), state.GetProperty("reason").GetProperty("code").GetString())
            : (null, null);
    }

    private static async Task PostAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private sealed class CountingSink : IObservationSink
    {
        public long Count { get; private set; }

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NoCredentials : ICredentialStore
    {
        public IReadOnlyList<InventoryError> Refresh() => [];

        public bool TryResolve(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Secret? secret)
        {
            secret = null;
            return false;
        }
    }
}
