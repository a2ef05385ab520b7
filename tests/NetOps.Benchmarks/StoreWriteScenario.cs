using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using NetOps.Storage;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Benchmarks;

/// <summary>
/// Points per second into a real influxd 1.6.7: NetOps (encode, fsync'd durable buffer, sender, confirmed by
/// InfluxDB) beside a plain HttpClient posting the same line protocol pre-encoded in 5,000-line batches (the limit),
/// interleaved, each run into a fresh database. NetOps runs twice per repeat, so before and after are measured in the
/// same run: "before" as the sender was (gzip always, one write in flight) and "now" with the shipped defaults (gzip by
/// the loopback rule, which turns it off here; --in-flight N writes in flight, default 2). Options: --points N
/// (default 200000), --repeats N (default 5), --in-flight N, --gzip / --no-gzip (force gzip for "now").
/// </summary>
public sealed class StoreWriteScenario : IBenchScenario
{
    public string Name => "store-write";

    public string Description => "points/s into influxd 1.6.7: NetOps durable buffer + sender vs plain HttpClient posting the same line protocol";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var total = Option(args, "--points", 200_000);
        var repeats = Option(args, "--repeats", 5);
        bool? forced = args.Contains("--gzip") ? true : args.Contains("--no-gzip") ? false : null;
        var inFlight = Option(args, "--in-flight", 2);
        const int batchLines = 5000;

        var directory = Path.Combine(Path.GetTempPath(), "netops-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var port = FreePort.Tcp();
        var config = Path.Combine(directory, "influxd.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{FreePort.Tcp()}"
            [meta]
              dir = "{directory}/meta"
            [data]
              dir = "{directory}/data"
              wal-dir = "{directory}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{port}"
              log-enabled = false
            """, cancellationToken);
        await using var influxd = ExternalProcess.Start("/usr/bin/influxd", ["-config", config]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            await Eventually.TrueAsync(async () => (await http.GetAsync(new Uri("ping", UriKind.Relative), cancellationToken)).IsSuccessStatusCode,
                TimeSpan.FromSeconds(30), "influxd answers");

            var gzip = new InfluxOptions { Url = http.BaseAddress!, Gzip = forced }.CompressWrites;
            var points = Enumerable.Range(0, total).Select(PointAt).ToList();
            var batches = points.Chunk(batchLines).Select(chunk =>
            {
                var text = new StringBuilder();
                foreach (var p in chunk)
                {
                    text.Append(LineProtocol.ToLine(p)).Append('\n');
                }

                return Encoding.UTF8.GetBytes(text.ToString());
            }).ToList();

            var reference = new List<double>();
            var sequential = new List<double>();
            var pipelined = new List<double>();
            string[] variants = ["ref", "seq", "pipe"];
            // One unmeasured warm-up of each, then interleaved repeats, rotating which goes first.
            for (var run = -1; run < repeats; run++)
            {
                var shift = (run + 3) % 3;
                foreach (var which in variants[shift..].Concat(variants[..shift]))
                {
                    var db = $"{which}_{run + 1}";
                    await Query(http, $"CREATE DATABASE \"{db}\"", cancellationToken);
                    var rate = which switch
                    {
                        "ref" => await ReferenceAsync(http, db, batches, total, cancellationToken),
                        "seq" => await NetOpsAsync(http, db, points, batchLines, true, 1, Path.Combine(directory, "buffer-" + db), cancellationToken),
                        _ => await NetOpsAsync(http, db, points, batchLines, gzip, inFlight, Path.Combine(directory, "buffer-" + db), cancellationToken),
                    };
                    await Query(http, $"DROP DATABASE \"{db}\"", cancellationToken);
                    if (run >= 0)
                    {
                        (which switch { "ref" => reference, "seq" => sequential, _ => pipelined }).Add(rate);
                    }
                }
            }

            var now = $"gzip={gzip}{(forced is null ? " (loopback rule)" : "")}, {inFlight} in flight";
            Console.WriteLine($"store-write: {total} points in {batchLines}-line batches, {repeats} interleaved repeats");
            Console.WriteLine($"  plain HttpClient (limit)                 {Stats.Describe(reference, "0")} points/s");
            Console.WriteLine($"  NetOps before (gzip=True, 1 in flight)   {Stats.Describe(sequential, "0")} points/s");
            Console.WriteLine($"  NetOps now ({now})  {Stats.Describe(pipelined, "0")} points/s");
            Console.WriteLine($"  before / limit                           {Stats.Describe(reference.Zip(sequential, (r, n) => n / r).ToList(), "0.00")}");
            Console.WriteLine($"  now / limit                              {Stats.Describe(reference.Zip(pipelined, (r, n) => n / r).ToList(), "0.00")}");
            return 0;
        }
        finally
        {
            await influxd.KillAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Point PointAt(int i) =>
        new("bench", [new Tag("device", "acc-" + (i % 50).ToString(CultureInfo.InvariantCulture)), new Tag("port", "ge-0/0/" + (i % 24).ToString(CultureInfo.InvariantCulture))],
            [Field.Integer("in_octets", i * 1500L), Field.Integer("out_octets", i * 700L), Field.Integer("oper_up", 1), Field.Float("speed_bps", 1e9)],
            1_750_000_000_000_000_000 + i * 1_000_000L);

    private static async Task<double> ReferenceAsync(HttpClient http, string db, List<byte[]> batches, int total, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            using var content = new ByteArrayContent(batch);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await http.PostAsync(new Uri($"write?db={db}&precision=ns", UriKind.Relative), content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        return total / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> NetOpsAsync(HttpClient http, string db, List<Point> points, int batchLines, bool gzip, int inFlight, string bufferDirectory,
        CancellationToken cancellationToken)
    {
        using var meters = new TestMeterFactory();
        using var metrics = new StorageMetrics(meters);
        using var buffer = new DiskBuffer(new DiskBufferOptions(bufferDirectory), metrics);
        var client = new InfluxV1Client(http, http.BaseAddress!, db, null, InfluxCredentials.None, gzip);
        var deadLetters = new DeadLetterFile(Path.Combine(bufferDirectory, "dead.jsonl"));
        var store = new InfluxTelemetryStore(buffer, deadLetters, client);
        var sender = new InfluxSender(buffer, client, deadLetters, new SenderOptions { BatchLines = batchLines, MaxInFlight = inFlight });
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sending = Task.Run(() => sender.RunAsync(stop.Token), cancellationToken);
        foreach (var chunk in points.Chunk(batchLines))
        {
            await store.WriteAsync(chunk, cancellationToken);
        }

        await Eventually.TrueAsync(() => buffer.PendingPoints == 0, TimeSpan.FromMinutes(5), "the buffer drains", TimeSpan.FromMilliseconds(2));
        var rate = points.Count / clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await sending;
        if (deadLetters.ReadAll().Count > 0)
        {
            throw new InvalidOperationException("dead letters in a benchmark run");
        }

        return rate;
    }

    private static async Task Query(HttpClient http, string q, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri("query?q=" + Uri.EscapeDataString(q), UriKind.Relative), null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
