using System.Collections.Concurrent;
using System.Text;
using NetOps.Storage.Buffer;
using NetOps.Storage.Influx;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>
/// Two writes in flight, with a target the test controls (the order InfluxDB answers in is what the test is about):
/// a batch confirmed early waits for the one before it, so the buffer only ever forgets confirmed batches, in order.
/// </summary>
public sealed class PipelinedSenderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-pipe-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class HeldTarget : IInfluxWriteTarget
    {
        public ConcurrentQueue<(string Lines, TaskCompletionSource<WriteResult> Answer)> Calls { get; } = new();

        public Task<WriteResult> WriteAsync(ReadOnlyMemory<byte> lineProtocol, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
            Calls.Enqueue((Encoding.UTF8.GetString(lineProtocol.Span), answer));
            return answer.Task;
        }
    }

    [Fact]
    public async Task SecondBatchConfirmedFirst_IsRemovedOnlyAfterTheFirst()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new StorageMetrics(meters);
        using var buffer = new DiskBuffer(new DiskBufferOptions(_directory), metrics);
        Assert.True(await buffer.AppendAsync("m v=1i 1\n"u8, 1));
        Assert.True(await buffer.AppendAsync("m v=2i 2\n"u8, 1));
        var target = new HeldTarget();
        var sender = new InfluxSender(buffer, target, new DeadLetterFile(Path.Combine(_directory, "dead.jsonl")),
            new SenderOptions { BatchLines = 1, MaxInFlight = 2 });

        var draining = sender.DrainAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => target.Calls.Count == 2, TimeSpan.FromSeconds(10), "both batches are posted before either is confirmed");
        var calls = target.Calls.ToArray();
        Assert.Equal("m v=1i 1\n", calls[0].Lines);
        Assert.Equal("m v=2i 2\n", calls[1].Lines);

        calls[1].Answer.SetResult(new WriteResult(WriteStatus.Written));
        await Eventually.TrueAsync(() => calls[1].Answer.Task.IsCompleted, TimeSpan.FromSeconds(5), "the second write is answered");
        Assert.False(draining.IsCompleted);
        Assert.Equal(2, buffer.PendingPoints);

        calls[0].Answer.SetResult(new WriteResult(WriteStatus.Written));
        await draining.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, buffer.PendingPoints);
    }

    [Fact]
    public async Task CancelledWithTwoInFlight_KeepsBothForTheNextDrain()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new StorageMetrics(meters);
        using var buffer = new DiskBuffer(new DiskBufferOptions(_directory), metrics);
        Assert.True(await buffer.AppendAsync("m v=1i 1\n"u8, 1));
        Assert.True(await buffer.AppendAsync("m v=2i 2\n"u8, 1));
        var target = new HeldTarget();
        var sender = new InfluxSender(buffer, target, new DeadLetterFile(Path.Combine(_directory, "dead.jsonl")),
            new SenderOptions { BatchLines = 1, MaxInFlight = 2 });
        using var stop = new CancellationTokenSource();

        var draining = sender.DrainAsync(stop.Token);
        await Eventually.TrueAsync(() => target.Calls.Count == 2, TimeSpan.FromSeconds(10), "both batches are posted");
        target.Calls.ToArray()[1].Answer.SetResult(new WriteResult(WriteStatus.Written));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => draining.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, buffer.PendingPoints);

        // Sent again from the first unconfirmed batch, in order.
        var again = new HeldTarget();
        var next = new InfluxSender(buffer, again, new DeadLetterFile(Path.Combine(_directory, "dead.jsonl")),
            new SenderOptions { BatchLines = 1, MaxInFlight = 2 });
        var drainingAgain = next.DrainAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => again.Calls.Count == 2, TimeSpan.FromSeconds(10), "both batches are posted again");
        Assert.Equal(["m v=1i 1\n", "m v=2i 2\n"], again.Calls.Select(c => c.Lines));
        foreach (var (_, answer) in again.Calls)
        {
            answer.SetResult(new WriteResult(WriteStatus.Written));
        }

        await drainingAgain.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, buffer.PendingPoints);
    }
}
