using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;

namespace NetOps.Storage.Tests;

public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-sqlite-" + Guid.NewGuid().ToString("N")[..8]);
    private string DbPath => Path.Combine(_directory, "history.db");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_KeepsHistory()
    {
        var clock = new FakeTimeProvider(SampleData.Start.AddHours(1));
        await using (var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(7), clock))
        {
            var points = SampleData.HourPoints();
            Assert.Equal(points.Count, await store.WriteAsync(points, CancellationToken.None));
        }

        await using (var reopened = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(7), clock))
        {
            var series = await reopened.QueryAsync(new SeriesQuery("node", "battery_pct", SampleData.Start, SampleData.Start.AddHours(1),
                TimeSpan.FromMinutes(10)) { GroupBy = ["node"] }, CancellationToken.None);
            Assert.Equal(2, series.Count);
            Assert.All(series, s => Assert.Equal(6, s.Points.Count));
            Assert.Equal(100 - 4.5 * 0.5, series[0].Points[0].Value, 6);

            var latest = await reopened.LatestAsync(new LatestQuery("device", "reachable"), CancellationToken.None);
            Assert.Equal(2, latest.Count);
            Assert.All(latest, l => Assert.Equal(SampleData.Start.AddMinutes(59).AddMilliseconds(137), l.Time));

            var uplink = await reopened.LatestAsync(new LatestQuery("node", "uplink") { Where = new Dictionary<string, string> { ["node"] = "mogli-1" } },
                CancellationToken.None);
            Assert.Equal("lte", Assert.Single(uplink).Text);
        }
    }

    [Fact]
    public async Task Retention_RemovesWhatIsOlder()
    {
        var clock = new FakeTimeProvider(SampleData.Start.AddHours(1));
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromHours(2), clock);
        await store.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
        await store.WriteAsync(SampleData.HourPoints(SampleData.Start.AddHours(2)), CancellationToken.None);

        clock.Advance(TimeSpan.FromHours(2.5)); // now = start + 3.5 h: the first hour is past 2 h, the third is not.
        Assert.True(await store.PruneAsync(CancellationToken.None) > 0);

        var all = await store.QueryAsync(new SeriesQuery("device", "reachable", SampleData.Start.AddDays(-1), SampleData.Start.AddDays(1),
            TimeSpan.FromHours(1), Aggregate.Count) { Where = new Dictionary<string, string> { ["device"] = "core-rathaus" } }, CancellationToken.None);
        var only = Assert.Single(Assert.Single(all).Points);
        Assert.Equal(SampleData.Start.AddHours(2), only.Time);
        Assert.Equal(60, only.Value);
    }

    [Fact]
    public async Task SeriesQuery_AnswersAtMostItsPointLimitPerSeries_WhateverTheWindow()
    {
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), new FakeTimeProvider(SampleData.Start));
        await store.WriteAsync(SampleData.EverySecond("bounded", SeriesQuery.PointLimit + 50), CancellationToken.None);

        // A window of a millisecond over three hours: a caller past the API's bounds (a bug) gets no more than the limit.
        var series = await store.QueryAsync(new SeriesQuery("bounded", "v", SampleData.Start, SampleData.Start.AddHours(3),
            TimeSpan.FromMilliseconds(1)), CancellationToken.None);

        var points = Assert.Single(series).Points;
        Assert.Equal(SeriesQuery.PointLimit, points.Count);
        Assert.Equal(SampleData.Start, points[0].Time);
    }

    [Fact]
    public async Task SeriesQuery_AnswersOneSeriesMoreThanAsked_WhenTheFilterSelectsMore()
    {
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), new FakeTimeProvider(SampleData.Start));
        await store.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
        var query = new SeriesQuery("port", "in_octets", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromMinutes(10))
        {
            GroupBy = ["device", "port"],
        };
        Assert.Equal(4, (await store.QueryAsync(query, CancellationToken.None)).Count);

        Assert.Equal(2, (await store.QueryAsync(query with { MaxSeries = 1 }, CancellationToken.None)).Count);
        Assert.Equal(4, (await store.QueryAsync(query with { MaxSeries = 3 }, CancellationToken.None)).Count);
        // Beyond the store's own bound, its bound holds.
        Assert.Equal(SeriesQuery.MostSeries + 1, (query with { MaxSeries = int.MaxValue }).SeriesLimit);
    }

    [Fact]
    public async Task SameSeriesAndTimestamp_Overwrites_AsInInfluxDb()
    {
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), new FakeTimeProvider(SampleData.Start));
        var p = new Point("m", [new Tag("id", "x")], [Field.Float("v", 1)], Point.ToNanoseconds(SampleData.Start));
        await store.WriteAsync([p, p, new Point("m", [new Tag("id", "x")], [Field.Float("v", 3)], p.TimestampNs)], CancellationToken.None);
        var series = await store.QueryAsync(new SeriesQuery("m", "v", SampleData.Start, SampleData.Start.AddMinutes(1), TimeSpan.FromMinutes(1), Aggregate.Count),
            CancellationToken.None);
        Assert.Equal(1, Assert.Single(Assert.Single(series).Points).Value);
    }

    [Fact]
    public async Task PortHealth_ErrorsAndOpticalLevels_AreStoredPerPort_AndChartable()
    {
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), new FakeTimeProvider(SampleData.Start));
        var mapper = new ObservationPoints();
        for (var minute = 0; minute < 3; minute++)
        {
            var at = SampleData.Start.AddMinutes(minute);
            var interfaces = new DevicePollObservation("w#1", 2 * minute + 1, at, "acc-west", true, TimeSpan.FromHours(1), null,
                [new PortSample("Te1/1/1", 1, true, true, 1000, 2000, 10_000) { InErrors = (ulong)(7 * minute), CounterBits = 32 }],
                TimeSpan.FromMinutes(1));
            // Optics are read by their own, slower poll: its port point carries only the transceiver levels.
            var optics = new DevicePollObservation("w#1", 2 * minute + 2, at.AddSeconds(10), "acc-west", true, TimeSpan.FromHours(1), null, [],
                TimeSpan.FromMinutes(1))
            {
                Sections = PollSections.Optics,
                Optics = [new OpticSample("Te1/1/1", "ENTITY-SENSOR-MIB", -6.5 - minute, -2.1, 35, 6.2, 3.3)],
            };
            await store.WriteAsync(mapper.Map([interfaces, optics]), CancellationToken.None);
        }

        var rx = await store.QueryAsync(new SeriesQuery("port", "rx_dbm", SampleData.Start, SampleData.Start.AddMinutes(3), TimeSpan.FromMinutes(1),
            Aggregate.Min) { Where = new Dictionary<string, string> { ["device"] = "acc-west" }, GroupBy = ["port"] }, CancellationToken.None);
        var errors = await store.QueryAsync(new SeriesQuery("port", "in_errors", SampleData.Start, SampleData.Start.AddMinutes(3), TimeSpan.FromMinutes(1),
            Aggregate.Max) { Where = new Dictionary<string, string> { ["device"] = "acc-west" } }, CancellationToken.None);
        var bits = await store.QueryAsync(new SeriesQuery("port", "counter_bits", SampleData.Start, SampleData.Start.AddMinutes(3), TimeSpan.FromMinutes(1),
            Aggregate.Max), CancellationToken.None);

        Assert.Equal([-6.5, -7.5, -8.5], Assert.Single(rx).Points.Select(p => p.Value));
        Assert.Equal([0.0, 7, 14], Assert.Single(errors).Points.Select(p => p.Value));
        Assert.All(Assert.Single(bits).Points, p => Assert.Equal(32, p.Value));
    }

    [Fact]
    public async Task FileOfTheOldPerFieldLayout_IsMigratedOnOpen_AndReadsAsBefore()
    {
        var t0 = SampleData.Start;
        var t1 = SampleData.Start.AddMinutes(1);
        await using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            Directory.CreateDirectory(_directory);
            await old.OpenAsync();
            await using var command = old.CreateCommand();
            // The schema and rows as the store wrote them before one row per point (booleans as 1/0).
            command.CommandText = $$"""
                PRAGMA journal_mode=WAL;
                CREATE TABLE series(id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, tags TEXT NOT NULL, UNIQUE(measurement, tags));
                CREATE TABLE samples(series_id INTEGER NOT NULL, field TEXT NOT NULL, ts INTEGER NOT NULL, value,
                  PRIMARY KEY(series_id, field, ts)) WITHOUT ROWID;
                CREATE INDEX samples_by_time ON samples(ts);
                INSERT INTO series VALUES (1, 'node', '{"node":"mogli-1"}'), (2, 'node', '{"node":"mogli-2"}');
                INSERT INTO samples VALUES
                  (1, 'battery_pct', {{Point.ToNanoseconds(t0)}}, 90.5), (1, 'rx_bytes', {{Point.ToNanoseconds(t0)}}, 1234),
                  (1, 'battery_pct', {{Point.ToNanoseconds(t1)}}, 80.0), (1, 'uplink', {{Point.ToNanoseconds(t1)}}, 'lte'),
                  (1, 'online', {{Point.ToNanoseconds(t1)}}, 1), (2, 'battery_pct', {{Point.ToNanoseconds(t1)}}, 50);
                """;
            await command.ExecuteNonQueryAsync();
        }

        var clock = new FakeTimeProvider(t1);
        await using (var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), clock))
        {
            var battery = await store.QueryAsync(new SeriesQuery("node", "battery_pct", t0, t1.AddMinutes(1), TimeSpan.FromMinutes(1))
                { GroupBy = ["node"] }, CancellationToken.None);
            Assert.Equal([90.5, 80], battery.Single(s => s.Tags["node"] == "mogli-1").Points.Select(p => p.Value));
            Assert.Equal([50.0], battery.Single(s => s.Tags["node"] == "mogli-2").Points.Select(p => p.Value));
            var bytes = await store.QueryAsync(new SeriesQuery("node", "rx_bytes", t0, t1.AddMinutes(1), TimeSpan.FromMinutes(1), Aggregate.Sum),
                CancellationToken.None);
            Assert.Equal(1234, Assert.Single(Assert.Single(bytes).Points).Value);
            var online = await store.LatestAsync(new LatestQuery("node", "online"), CancellationToken.None);
            Assert.Equal((t1, 1.0), (Assert.Single(online).Time, online[0].Value!.Value));

            // A later write to a migrated point merges into it: same series and timestamp.
            await store.WriteAsync([new Point("node", [new Tag("node", "mogli-1")], [Field.Float("battery_pct", 70)], Point.ToNanoseconds(t1))],
                CancellationToken.None);
        }

        await using (var reopened = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), clock))
        {
            var mogli1 = new Dictionary<string, string> { ["node"] = "mogli-1" };
            var uplink = await reopened.LatestAsync(new LatestQuery("node", "uplink") { Where = mogli1 }, CancellationToken.None);
            Assert.Equal((t1, "lte"), (Assert.Single(uplink).Time, uplink[0].Text));
            var battery = await reopened.LatestAsync(new LatestQuery("node", "battery_pct") { Where = mogli1 }, CancellationToken.None);
            Assert.Equal(70, Assert.Single(battery).Value);
        }

        await using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await check.OpenAsync();
        await using var tables = check.CreateCommand();
        tables.CommandText = "SELECT count(*) FROM sqlite_schema WHERE name = 'samples'";
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
    }

    [Fact]
    public async Task PointWithTheSameSeriesAndTimestamp_MergesItsFields_AsInInfluxDb()
    {
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(1), new FakeTimeProvider(SampleData.Start));
        var at = Point.ToNanoseconds(SampleData.Start);
        await store.WriteAsync([new Point("m", [new Tag("id", "x")], [Field.Float("a", 1), Field.String("s", "one")], at)], CancellationToken.None);
        await store.WriteAsync([new Point("m", [new Tag("id", "x")], [Field.Float("a", 2), Field.Boolean("b", true), Field.Float("a", double.NaN)], at)],
            CancellationToken.None);

        var a = await store.LatestAsync(new LatestQuery("m", "a"), CancellationToken.None);
        var b = await store.LatestAsync(new LatestQuery("m", "b"), CancellationToken.None);
        var text = await store.LatestAsync(new LatestQuery("m", "s"), CancellationToken.None);
        Assert.Equal(2, Assert.Single(a).Value);
        Assert.Equal(1, Assert.Single(b).Value);
        Assert.Equal("one", Assert.Single(text).Text);
    }
    [Fact]
    public async Task PointsMovedFromRecentIntoPoints_ReadTheSame_AndALaterRewriteMergesAcrossBoth()
    {
        var clock = new FakeTimeProvider(SampleData.Start.AddHours(1));
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(7), clock);
        await store.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
        var query = new SeriesQuery("node", "battery_pct", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromMinutes(10))
        {
            GroupBy = ["node"],
        };
        var before = await store.QueryAsync(query, CancellationToken.None);

        await store.MergeRecentAsync(CancellationToken.None);
        Assert.Equal(1, store.Merges);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM recent"));
        Assert.True(await ScalarAsync("SELECT count(*) FROM points") > 0);
        var after = await store.QueryAsync(query, CancellationToken.None);
        Assert.Equal(Flatten(before), Flatten(after));

        // The same series and time again, now that the first copy is in points: one point, with both writes' fields.
        var at = Point.ToNanoseconds(SampleData.Start.AddMinutes(1));
        await store.WriteAsync([new Point("m", [new Tag("id", "x")], [Field.Float("a", 1), Field.Float("b", 1)], at)], CancellationToken.None);
        await store.MergeRecentAsync(CancellationToken.None);
        await store.WriteAsync([new Point("m", [new Tag("id", "x")], [Field.Float("a", 2)], at)], CancellationToken.None);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM recent"));

        foreach (var merged in new[] { false, true })
        {
            var count = await store.QueryAsync(new SeriesQuery("m", "a", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromHours(1), Aggregate.Count),
                CancellationToken.None);
            Assert.Equal(1, Assert.Single(Assert.Single(count).Points).Value);
            Assert.Equal(2, Assert.Single(await store.LatestAsync(new LatestQuery("m", "a"), CancellationToken.None)).Value);
            Assert.Equal(1, Assert.Single(await store.LatestAsync(new LatestQuery("m", "b"), CancellationToken.None)).Value);
            if (!merged)
            {
                await store.MergeRecentAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Recent_MovesIntoPoints_OnceItHoldsMergeRows_AndRetentionPrunesBoth()
    {
        var clock = new FakeTimeProvider(SampleData.Start.AddMinutes(30));
        await using var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromHours(1), clock, mergeRows: 10);
        for (var i = 0; i < 25; i++)
        {
            await store.WriteAsync([new Point("m", [new Tag("id", "x")], [Field.Float("v", i)], Point.ToNanoseconds(SampleData.Start.AddSeconds(i)))],
                CancellationToken.None);
        }

        Assert.Equal(2, store.Merges);
        Assert.Equal(20L, await ScalarAsync("SELECT count(*) FROM points"));
        Assert.Equal(5L, await ScalarAsync("SELECT count(*) FROM recent"));
        var all = await store.QueryAsync(new SeriesQuery("m", "v", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromHours(1), Aggregate.Sum),
            CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 25).Sum(), Assert.Single(Assert.Single(all).Points).Value);

        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(25, await store.PruneAsync(CancellationToken.None));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM all_points"));
    }

    private static IEnumerable<string> Flatten(IReadOnlyList<Series> series) =>
        series.SelectMany(s => s.Points.Select(p => $"{string.Join(',', s.Tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))} {p.Time:O} {p.Value}"));

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
