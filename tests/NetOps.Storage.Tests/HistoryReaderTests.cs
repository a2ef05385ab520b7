using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Observations;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;

namespace NetOps.Storage.Tests;

/// <summary>The read-only side a web-only process opens on the embedded store another process writes.</summary>
public sealed class HistoryReaderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-reader-" + Guid.NewGuid().ToString("N")[..8]);
    private string DbPath => Path.Combine(_directory, "history.db");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Reader_BesideTheWriter_ReadsWhatItReads_SeesNewSeries_AndStillReadsOnceItStopped()
    {
        var clock = new FakeTimeProvider(SampleData.Start.AddHours(1));
        var query = new SeriesQuery("node", "battery_pct", SampleData.Start, SampleData.Start.AddHours(2), TimeSpan.FromMinutes(10)) { GroupBy = ["node"] };
        var reader = new SqliteHistoryReader(DbPath);
        await using (var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(7), clock))
        {
            await store.WriteAsync(SampleData.HourPoints(), CancellationToken.None);
            var written = await store.QueryAsync(query, CancellationToken.None);
            var read = await reader.QueryAsync(query, CancellationToken.None);
            Assert.Equal(written.Count, read.Count);
            Assert.Equal(written.SelectMany(s => s.Points), read.SelectMany(s => s.Points));

            // A series the writer adds after the reader's first read.
            await store.WriteAsync([new Point("node", [new Tag("node", "mogli-new")], [Field.Float("battery_pct", 42)],
                Point.ToNanoseconds(SampleData.Start.AddMinutes(61)))], CancellationToken.None);
            var latest = await reader.LatestAsync(new LatestQuery("node", "battery_pct") { Where = new Dictionary<string, string> { ["node"] = "mogli-new" } },
                CancellationToken.None);
            Assert.Equal(42, Assert.Single(latest).Value);
        }

        // The writer has closed (and checkpointed its WAL): the history is still there to read.
        Assert.Equal(3, (await reader.QueryAsync(query, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Reader_BeforeTheWriterCreatedTheFile_ReadsNothing_AndCreatesNothing()
    {
        var reader = new SqliteHistoryReader(DbPath);

        Assert.Empty(await reader.QueryAsync(new SeriesQuery("device", "reachable", SampleData.Start, SampleData.Start.AddHours(1), TimeSpan.FromMinutes(1)),
            CancellationToken.None));
        Assert.Empty(await reader.RecentAsync(Schema.Trap, 10, CancellationToken.None));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task StoredTrapLog_ListsStoredNotificationsNewestFirst_WithoutTheReceiversCounts()
    {
        var clock = new FakeTimeProvider(SampleData.Start);
        await using (var store = new SqliteTelemetryStore(DbPath, TimeSpan.FromDays(7), clock))
        {
            var recorder = new ObservationRecorder(store, new ObservationPoints());
            await recorder.PublishAsync(Trap(1, SampleData.Start, NotificationKind.ColdStart, null), CancellationToken.None);
            await recorder.PublishAsync(Trap(2, SampleData.Start.AddSeconds(5), NotificationKind.LinkDown, "Gi1/0/3"), CancellationToken.None);
        }

        var log = await new StoredTrapLog(new SqliteHistoryReader(DbPath)).ReadAsync(CancellationToken.None);

        Assert.Null(log.Received);
        Assert.Null(log.Refused);
        Assert.Null(log.UnknownSenders);
        Assert.Collection(log.Recent,
            linkDown =>
            {
                Assert.Equal(SampleData.Start.AddSeconds(5), linkDown.At);
                Assert.Equal(NotificationKind.LinkDown, linkDown.Kind);
                Assert.Equal("Gi1/0/3", linkDown.Port);
                Assert.Equal("acc-nord", linkDown.DeviceId);
                Assert.Equal("10.0.0.7", linkDown.Sender);
                Assert.Equal("V2c", linkDown.Version);
                Assert.Equal(".1.3.6.1.6.3.1.1.5.3", linkDown.TrapOid);
                Assert.Equal([new NotificationVarbind(".1.3.6.1.2.1.2.2.1.1.3", "INTEGER: 3"), new NotificationVarbind(".1.3.6.1.2.1.1.5.0", "STRING: \"a \\\"b\\\"\"")],
                    linkDown.Varbinds);
            },
            coldStart =>
            {
                Assert.Equal(NotificationKind.ColdStart, coldStart.Kind);
                Assert.Null(coldStart.Port);
            });
    }

    private static DeviceNotificationObservation Trap(long sequence, DateTimeOffset at, NotificationKind kind, string? port) =>
        new("traps#1", sequence, at, "acc-nord", kind, kind == NotificationKind.LinkDown ? ".1.3.6.1.6.3.1.1.5.3" : ".1.3.6.1.6.3.1.1.5.1", port,
            [new NotificationVarbind(".1.3.6.1.2.1.2.2.1.1.3", "INTEGER: 3"), new NotificationVarbind(".1.3.6.1.2.1.1.5.0", "STRING: \"a \\\"b\\\"\"")])
        {
            Sender = "10.0.0.7",
            Version = "V2c",
        };
}
