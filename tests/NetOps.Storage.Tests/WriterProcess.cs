using System.Globalization;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>
/// The test assembly is also a small program: `dotnet NetOps.Storage.Tests.dll writer DIR URL FROM TO` writes points
/// FROM..TO-1 of <see cref="WriterProcess.PointAt"/> through the durable buffer (printing "accepted N" after each
/// fsync), then drains to InfluxDB and prints "drained". The crash test kills it with SIGKILL mid-way.
/// </summary>
public static class WriterProcess
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Point i: series "crash,device=d{i%7}", value i, one millisecond apart; the same i is the same point.</summary>
    public static Point PointAt(int i) =>
        new("crash", [new Tag("device", "d" + (i % 7).ToString(CultureInfo.InvariantCulture))],
            [Field.Integer("v", i)], Point.ToNanoseconds(Start.AddMilliseconds(i)));

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["writer", var directory, var url, var fromText, var toText])
        {
            await Console.Error.WriteLineAsync("usage: writer DIR URL FROM TO");
            return 2;
        }

        var from = int.Parse(fromText, CultureInfo.InvariantCulture);
        var to = int.Parse(toText, CultureInfo.InvariantCulture);
        using var meters = new TestMeterFactory();
        using var metrics = new StorageMetrics(meters);
        using var buffer = new DiskBuffer(new DiskBufferOptions(directory) { SegmentBytes = 64 * 1024 }, metrics);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var client = new InfluxV1Client(http, new Uri(url), "netops", null, InfluxCredentials.None);
        var sender = new InfluxSender(buffer, client, new DeadLetterFile(Path.Combine(directory, "dead.jsonl")),
            new SenderOptions { BatchLines = 500, InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500) });
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(() => sender.RunAsync(stop.Token));
        Console.WriteLine($"replaying {buffer.PendingPoints}");
        const int batch = 50;
        // A producer at a steady pace (one batch per 5 ms), so that the test can kill it in the middle of its stream.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        for (var i = from; i < to; i += batch)
        {
            var points = Enumerable.Range(i, Math.Min(batch, to - i)).Select(PointAt).ToList();
            using var lines = new PooledBufferWriter();
            foreach (var p in points)
            {
                LineProtocol.Write(lines, p);
            }

            if (!await buffer.AppendAsync(lines.WrittenSpan, points.Count))
            {
                await Console.Error.WriteLineAsync("dropped");
                return 1;
            }

            Console.WriteLine($"accepted {i + points.Count}");
            await pace.WaitForNextTickAsync();
        }

        // Drained when InfluxDB has confirmed everything; the test gives up on this process long before the deadline.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (buffer.PendingPoints > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                await Console.Error.WriteLineAsync($"not drained: {buffer.PendingPoints} points left");
                return 3;
            }

            await poll.WaitForNextTickAsync();
        }

        await stop.CancelAsync();
        await sending;
        Console.WriteLine("drained");
        return 0;
    }
}
