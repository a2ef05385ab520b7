using System.Globalization;
using System.Text;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>The durable buffer and sender against a real influxd 1.6.7.</summary>
public sealed class InfluxWriteTests : IAsyncLifetime
{
    private readonly string _bufferDirectory = Path.Combine(Path.GetTempPath(), "netops-buffer-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Influxd _influxd = null!;

    public async Task InitializeAsync() => _influxd = await Influxd.StartAsync();

    public async Task DisposeAsync()
    {
        await _influxd.DisposeAsync();
        _http.Dispose();
        if (Directory.Exists(_bufferDirectory))
        {
            Directory.Delete(_bufferDirectory, recursive: true);
        }
    }

    private sealed class Pipeline : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Pipeline(string directory, InfluxV1Client client, int batchLines = 5000)
        {
            Metrics = new StorageMetrics(new TestMeterFactory());
            Buffer = new DiskBuffer(new DiskBufferOptions(directory) { SegmentBytes = 256 * 1024 }, Metrics);
            DeadLetters = new DeadLetterFile(Path.Combine(directory, "dead.jsonl"));
            Sender = new InfluxSender(Buffer, client, DeadLetters, new SenderOptions
            {
                BatchLines = batchLines,
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(500),
            });
            Store = new InfluxTelemetryStore(Buffer, DeadLetters, client);
            _running = Task.Run(() => Sender.RunAsync(_stop.Token));
        }

        public StorageMetrics Metrics { get; }
        public DiskBuffer Buffer { get; }
        public DeadLetterFile DeadLetters { get; }
        public InfluxSender Sender { get; }
        public InfluxTelemetryStore Store { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            Buffer.Dispose();
            Metrics.Dispose();
            _stop.Dispose();
        }
    }

    private InfluxV1Client Client(bool gzip = true) => new(_http, _influxd.Url, "netops", null, InfluxCredentials.None, gzip);

    [Fact]
    public async Task RoundTrip_KeepsSpacesCommasEqualsQuotesBackslashesAndNonAscii()
    {
        await using var pipeline = new Pipeline(_bufferDirectory, Client());
        var nasty = "a b,c=d\"e\\f ü€🙂";
        var at = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var point = new Point("esc " + "m,x=y\"ü", [new Tag("k ,=\"ü", nasty), new Tag("plain", "x")],
            [Field.String("s ,=\"ü", nasty + " \\\"end\\"), Field.Float("f", 0.1), Field.Integer("i", long.MinValue), Field.Boolean("b", false)],
            Point.ToNanoseconds(at) + 123);
        Assert.Equal(1, await pipeline.Store.WriteAsync([point], CancellationToken.None));
        await Eventually.TrueAsync(() => pipeline.Buffer.PendingPoints == 0, TimeSpan.FromSeconds(20), "the point is confirmed");

        var result = await _influxd.QueryAsync($"SELECT * FROM {InfluxQl.Identifier(point.Measurement)}");
        var series = result.GetProperty("series")[0];
        Assert.Equal(point.Measurement, series.GetProperty("name").GetString());
        var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        var row = series.GetProperty("values")[0];
        string Column(string name) => row[columns.IndexOf(name)].ToString();
        Assert.Equal(nasty, Column("k ,=\"ü"));
        Assert.Equal(nasty + " \\\"end\\", Column("s ,=\"ü"));
        Assert.Equal("0.1", Column("f"));
        Assert.Equal(long.MinValue.ToString(CultureInfo.InvariantCulture), Column("i"));
        Assert.Equal("False", Column("b"), ignoreCase: true);

        // Nanoseconds survive: precision=ns keeps two points 100 ns apart distinct.
        var ns = await _influxd.QueryAsync($"SELECT count(\"f\") FROM {InfluxQl.Identifier(point.Measurement)} WHERE time = {point.TimestampNs}");
        Assert.Equal(1, ns.GetProperty("series")[0].GetProperty("values")[0][1].GetInt32());
    }

    [Fact]
    public async Task Outage30s_MidStream_EveryPointPresentExactlyOnce()
    {
        await using var pipeline = new Pipeline(_bufferDirectory, Client(), batchLines: 200);
        const int total = 6000;
        var written = 0;

        async Task WriteUpTo(int until)
        {
            for (; written < until; written += 100)
            {
                var batch = Enumerable.Range(written, 100).Select(WriterProcess.PointAt).ToList();
                Assert.Equal(100, await pipeline.Store.WriteAsync(batch, CancellationToken.None));
            }
        }

        await WriteUpTo(2000);
        await Eventually.TrueAsync(async () => await _influxd.ScalarAsync("SELECT count(v) FROM crash") > 0, TimeSpan.FromSeconds(20), "the first points arrive");
        await _influxd.StopAsync();

        // Writers never wait for InfluxDB: accepted while it is down.
        await WriteUpTo(4000);
        await Eventually.TrueAsync(() => pipeline.Sender.IsFailing, TimeSpan.FromSeconds(10), "the sender notices the outage");
        // The outage: 30 s, long enough for the backoff to reach its cap many times over.
        var outage = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.TrueAsync(() => outage.Elapsed > TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(45), "an outage of 30 s",
            TimeSpan.FromMilliseconds(250));
        Assert.True(pipeline.Buffer.PendingPoints > 0);

        await _influxd.StartAgainAsync();
        await WriteUpTo(total);
        await Eventually.TrueAsync(() => pipeline.Buffer.PendingPoints == 0, TimeSpan.FromSeconds(40), "the buffer drains after the outage");

        Assert.Equal(total, await _influxd.ScalarAsync("SELECT count(v) FROM crash"));
        Assert.Equal((double)total * (total - 1) / 2, await _influxd.ScalarAsync("SELECT sum(v) FROM crash"));
        Assert.Empty(pipeline.DeadLetters.ReadAll());
    }

    [Fact]
    public async Task WriterKilledDuringOutage_ReplaysEveryPointExactlyOnce()
    {
        // Enough points (50 every >= 5 ms: seconds of writing) that the writer cannot finish and drain before influxd stops.
        const int total = 20000;
        var program = typeof(WriterProcess).Assembly.Location;
        await using (var writer = ExternalProcess.Start("dotnet", [program, "writer", _bufferDirectory, _influxd.Url.ToString(), "0", total.ToString(CultureInfo.InvariantCulture)]))
        {
            await Eventually.TrueAsync(() => Accepted(writer) >= 500 || writer.ThrowIfExited(), TimeSpan.FromSeconds(60), "the writer accepts points");
            await Eventually.TrueAsync(async () => await _influxd.ScalarAsync("SELECT count(v) FROM crash") > 0, TimeSpan.FromSeconds(20), "points arrive");
            await _influxd.StopAsync();
            var atStop = Accepted(writer);
            await Eventually.TrueAsync(() => Accepted(writer) >= atStop + 1000 || writer.ThrowIfExited(), TimeSpan.FromSeconds(60),
                "the writer accepts points during the outage");
            await writer.KillAsync();
        }

        Assert.NotEmpty(Directory.GetFiles(_bufferDirectory, "*.seg"));
        await _influxd.StartAgainAsync();
        // The killed writer printed "accepted N" after N points were fsync'd; it may have accepted a few more. Start
        // again from the last N it printed: what it accepted beyond is written again, the same points (overwrite).
        var resumeAt = _lastAccepted;
        await using (var again = ExternalProcess.Start("dotnet", [program, "writer", _bufferDirectory, _influxd.Url.ToString(),
            resumeAt.ToString(CultureInfo.InvariantCulture), total.ToString(CultureInfo.InvariantCulture)]))
        {
            Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("drained", again.Output, StringComparison.Ordinal);
            var replaying = again.Output.Split('\n').First(l => l.StartsWith("replaying", StringComparison.Ordinal));
            Assert.True(int.Parse(replaying["replaying ".Length..], CultureInfo.InvariantCulture) > 0, "the restarted writer found unconfirmed points");
        }

        Assert.Equal(total, await _influxd.ScalarAsync("SELECT count(v) FROM crash"));
        Assert.Equal((double)total * (total - 1) / 2, await _influxd.ScalarAsync("SELECT sum(v) FROM crash"));
    }

    private int _lastAccepted;

    private int Accepted(ExternalProcess writer)
    {
        var last = writer.Output.Split('\n').LastOrDefault(l => l.StartsWith("accepted ", StringComparison.Ordinal));
        if (last is not null)
        {
            _lastAccepted = int.Parse(last["accepted ".Length..], CultureInfo.InvariantCulture);
        }

        return _lastAccepted;
    }

    [Fact]
    public async Task PoisonedPoints_GoToDeadLetters_AndDoNotBlockThePointsBehindThem()
    {
        await using var pipeline = new Pipeline(_bufferDirectory, Client());
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            text.Append(LineProtocol.ToLine(WriterProcess.PointAt(i))).Append('\n');
            if (i == 300)
            {
                // A type conflict (v is an integer) and a line InfluxDB cannot parse, in the middle of good points.
                text.Append("crash,device=d0 v=1.5 ").Append(Point.ToNanoseconds(WriterProcess.Start.AddDays(-1))).Append('\n');
                text.Append("crash,device=d0 no_value ").Append(Point.ToNanoseconds(WriterProcess.Start)).Append('\n');
            }
        }

        Assert.True(await pipeline.Buffer.AppendAsync(Encoding.UTF8.GetBytes(text.ToString()), 1002));
        // And one the encoder refuses before it reaches the buffer.
        Assert.Equal(1, await pipeline.Store.WriteAsync([WriterProcess.PointAt(1000),
            new Point("crash", [new Tag("device", "bad\\")], [Field.Integer("v", 1)], 1)], CancellationToken.None));

        await Eventually.TrueAsync(() => pipeline.Buffer.PendingPoints == 0, TimeSpan.FromSeconds(30), "the buffer drains past the poison");
        Assert.Equal(1001, await _influxd.ScalarAsync("SELECT count(v) FROM crash"));
        var dead = pipeline.DeadLetters.ReadAll();
        Assert.Equal(3, dead.Count);
        Assert.Contains(dead, d => d.Line.Contains("v=1.5", StringComparison.Ordinal) && d.Reason.Contains("type conflict", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.Line.Contains("no_value", StringComparison.Ordinal) && d.Reason.Contains("unable to parse", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.Reason.StartsWith("not encodable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PastTheBound_NewPointsAreDropped_AcceptedOnesKept()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new StorageMetrics(meters);
        using var buffer = new DiskBuffer(new DiskBufferOptions(_bufferDirectory) { MaxBytes = 4096, SegmentBytes = 1024 }, metrics);
        var line = Encoding.UTF8.GetBytes(new string('x', 1000) + "\n");
        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            accepted += await buffer.AppendAsync(line, 1) ? 1 : 0;
        }

        Assert.InRange(accepted, 3, 4);
        Assert.Equal(accepted, buffer.PendingPoints);
    }
}
