using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NetOps.Storage.Buffer;
using NetOps.Storage.Embedded;
using NetOps.Storage.Influx;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>An influxd set up by NetOps (database, retention policies, continuous queries) holding an hour of sample data written through the store.</summary>
public sealed class LoadedInflux : IAsyncLifetime
{
    private readonly string _buffer = Path.Combine(Path.GetTempPath(), "netops-buffer-" + Guid.NewGuid().ToString("N")[..8]);

    public Influxd Influxd { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };
    public InfluxV1Client Client { get; private set; } = null!;
    public InfluxTelemetryStore Store { get; private set; } = null!;
    public InfluxOptions Options { get; } = new();
    private DiskBuffer? _diskBuffer;
    private StorageMetrics? _metrics;

    public async Task InitializeAsync()
    {
        Influxd = await Influxd.StartAsync(database: null);
        Client = new InfluxV1Client(Http, Influxd.Url, "netops", "raw", InfluxCredentials.None);
        // Raw retention long enough for the fixed sample dates: setup is what production runs.
        Options.RawRetention = TimeSpan.FromDays(365 * 20);
        Options.RollupRetention = TimeSpan.FromDays(365 * 20);
        await new InfluxV1Setup(Client, Options).RunAsync(CancellationToken.None);
        _metrics = new StorageMetrics(new TestMeterFactory());
        _diskBuffer = new DiskBuffer(new DiskBufferOptions(_buffer), _metrics);
        var dead = new DeadLetterFile(Path.Combine(_buffer, "dead.jsonl"));
        Store = new InfluxTelemetryStore(_diskBuffer, dead, Client);
        await Store.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
        await new InfluxSender(_diskBuffer, Client, dead, new SenderOptions()).DrainAsync(CancellationToken.None);
        Assert.Empty(dead.ReadAll());
    }

    public async Task DisposeAsync()
    {
        _diskBuffer?.Dispose();
        _metrics?.Dispose();
        await Influxd.DisposeAsync();
        Http.Dispose();
        Directory.Delete(_buffer, recursive: true);
    }
}

public sealed class InfluxQueryTests(LoadedInflux influx) : IClassFixture<LoadedInflux>
{
    private static readonly string TimeFilter =
        $"time >= {SampleData.Start.ToUnixTimeMilliseconds()}ms and time <= {SampleData.Start.AddHours(1).ToUnixTimeMilliseconds()}ms";

    public static TheoryData<string, string> Panels()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "dashboards"), "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in json.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    data.Add($"{Path.GetFileName(file)}: {panel.GetProperty("title").GetString()}", target.GetProperty("query").GetString()!);
                }
            }

            foreach (var variable in json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                data.Add($"{Path.GetFileName(file)}: variable {variable.GetProperty("name").GetString()}", variable.GetProperty("query").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public async Task DashboardQuery_ReturnsRows(string panel, string query)
    {
        var influxQl = query.Replace("$timeFilter", TimeFilter, StringComparison.Ordinal)
            .Replace("$__interval", "5m", StringComparison.Ordinal)
            .Replace("/^$device$/", "/^.*$/", StringComparison.Ordinal)
            .Replace("/^$node$/", "/^.*$/", StringComparison.Ordinal)
            .Replace("/^$event$/", "/^kerwe-2025$/", StringComparison.Ordinal);
        Assert.DoesNotContain("$", influxQl.Replace("$/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var result = await influx.Influxd.QueryAsync(influxQl);
        Assert.True(result.TryGetProperty("series", out var series), $"{panel}: no series for {influxQl}");
        Assert.True(series.EnumerateArray().Sum(s => s.GetProperty("values").GetArrayLength()) > 0, $"{panel}: no rows");
        var numbers = series.EnumerateArray().SelectMany(s => s.GetProperty("values").EnumerateArray()).SelectMany(r => r.EnumerateArray().Skip(1))
            .Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()).ToList();
        Assert.All(numbers, n => Assert.True(double.IsFinite(n), $"{panel}: {n}"));
    }

    [Fact]
    public async Task SeriesQuery_AggregatesPerWindow_LikeTheEmbeddedStore()
    {
        var query = new SeriesQuery("node", "battery_pct", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromMinutes(10)) { GroupBy = ["node"] };
        var fromInflux = await influx.Store.QueryAsync(query, CancellationToken.None);

        var directory = Path.Combine(Path.GetTempPath(), "netops-sqlite-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var embedded = new SqliteTelemetryStore(Path.Combine(directory, "h.db"), TimeSpan.FromDays(36500), new FakeTimeProvider(SampleData.Start));
            await embedded.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
            var fromSqlite = await embedded.QueryAsync(query, CancellationToken.None);

            Assert.Equal(2, fromInflux.Count);
            foreach (var series in fromInflux)
            {
                var twin = fromSqlite.Single(s => s.Tags["node"] == series.Tags["node"]);
                Assert.Equal(twin.Points.Select(p => p.Time), series.Points.Select(p => p.Time));
                Assert.Equal(twin.Points.Select(p => Math.Round(p.Value, 6)), series.Points.Select(p => Math.Round(p.Value, 6)));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SeriesQuery_CarriesLimits_AndInfluxdAnswersAtMostThem()
    {
        var text = new StringBuilder();
        foreach (var point in SampleData.EverySecond("bounded", SeriesQuery.PointLimit + 50))
        {
            text.Append(point).Append('\n');
        }

        Assert.Equal(WriteStatus.Written, (await influx.Client.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), CancellationToken.None)).Status);
        var tooFine = new SeriesQuery("bounded", "v", SampleData.Start, SampleData.Start.AddHours(3), TimeSpan.FromMilliseconds(1));
        Assert.Contains($"LIMIT {SeriesQuery.PointLimit} SLIMIT {SeriesQuery.MostSeries + 1}", InfluxQl.Series(tooFine), StringComparison.Ordinal);

        var points = Assert.Single(await influx.Store.QueryAsync(tooFine, CancellationToken.None)).Points;
        Assert.Equal(SeriesQuery.PointLimit, points.Count);
        Assert.Equal(SampleData.Start, points[0].Time);

        var ports = new SeriesQuery("port", "in_octets", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromMinutes(10))
        {
            GroupBy = ["device", "port"],
        };
        Assert.Equal(4, (await influx.Store.QueryAsync(ports, CancellationToken.None)).Count);
        Assert.Equal(2, (await influx.Store.QueryAsync(ports with { MaxSeries = 1 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Latest_GivesOneValuePerSeries_NumbersAndText()
    {
        var reachable = await influx.Store.LatestAsync(new LatestQuery("device", "reachable") { GroupBy = ["device"] }, CancellationToken.None);
        Assert.Equal(["acc-nord", "core-rathaus"], reachable.Select(r => r.Tags["device"]).Order(StringComparer.Ordinal));
        Assert.All(reachable, r => Assert.Equal(1, r.Value));

        var uplink = await influx.Store.LatestAsync(new LatestQuery("node", "uplink") { Where = new Dictionary<string, string> { ["node"] = "mogli-1" } },
            CancellationToken.None);
        Assert.Equal("lte", Assert.Single(uplink).Text);
        Assert.Equal("kerwe-2025", uplink[0].Tags["event"]);
    }

    [Fact]
    public async Task Setup_IsIdempotent_WithRetentionPoliciesAndContinuousQueries()
    {
        await new InfluxV1Setup(influx.Client, influx.Options).RunAsync(CancellationToken.None);

        var policies = await influx.Influxd.QueryAsync("SHOW RETENTION POLICIES ON netops");
        var rows = policies.GetProperty("series")[0].GetProperty("values").EnumerateArray().ToList();
        Assert.Contains(rows, r => r[0].GetString() == "raw" && r[4].GetBoolean());
        Assert.Contains(rows, r => r[0].GetString() == "rollup" && !r[4].GetBoolean());

        var cqs = await influx.Influxd.QueryAsync("SHOW CONTINUOUS QUERIES");
        var names = cqs.GetProperty("series").EnumerateArray().Where(s => s.GetProperty("name").GetString() == "netops")
            .SelectMany(s => s.GetProperty("values").EnumerateArray()).Select(r => r[0].GetString()).ToList();
        Assert.Equal(4, names.Count);

        // What a continuous query runs, run by hand over the sample hour: the rollup fills.
        var select = new InfluxV1Setup(influx.Client, influx.Options).ContinuousQueries().Single(c => c.Name == "cq_port_5m").Select;
        await influx.Influxd.QueryAsync(select.Replace("GROUP BY", $"WHERE {TimeFilter} GROUP BY", StringComparison.Ordinal), post: true);
        // 2 devices × 2 ports × 12 windows, less acc-nord's 2 ports in the window it did not answer.
        Assert.Equal(46, await influx.Influxd.ScalarAsync("SELECT count(\"in_octets\") FROM \"netops\".\"rollup\".\"port\""));
    }
}
