using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Buffer;

namespace NetOps.Storage.Influx;

/// <summary>How the sender retries.</summary>
public sealed record SenderOptions
{
    public int BatchLines { get; init; } = 5000;
    public int BatchBytes { get; init; } = 8 * 1024 * 1024;
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Batches posted before the oldest is confirmed. Two keep InfluxDB busy while the next batch is read and
    /// compressed; batches are still removed from the buffer strictly in order, each only after InfluxDB confirmed it.
    /// </summary>
    public int MaxInFlight { get; init; } = 2;
}

/// <summary>
/// The one reader of the durable buffer: takes batches in order, posts them, and confirms them to the buffer only when
/// InfluxDB confirmed them. While InfluxDB is down or slow it retries with exponential backoff (capped, jittered),
/// never dropping anything. A batch InfluxDB rejects as invalid is split in halves until the lines it refuses are
/// found; those go to the dead letters with InfluxDB's reason, the rest is written (again: harmless, same points).
/// </summary>
public sealed class InfluxSender(DiskBuffer buffer, IInfluxWriteTarget target, DeadLetterFile deadLetters, SenderOptions options,
    TimeProvider? time = null, ILogger? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private int _consecutiveFailures;

    /// <summary>True while the last attempt failed: InfluxDB unreachable, slow or refusing.</summary>
    public bool IsFailing => Volatile.Read(ref _consecutiveFailures) > 0;

    /// <summary>The last failure's message (InfluxDB's text or the network error), for the readiness probe.</summary>
    public string? LastError { get; private set; }

    /// <summary>Sends until cancelled. Whatever was not confirmed stays in the buffer for the next start.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await buffer.WaitForDataAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Sends every batch waiting now; returns when the buffer is empty.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(BufferBatch Batch, Task<int> Sending)>();
        try
        {
            while (true)
            {
                // Start the next batches before awaiting the oldest: this one is compressed and posted while InfluxDB
                // still works on the one before.
                while (inFlight.Count < Math.Max(1, options.MaxInFlight) && buffer.ReadBatch(options.BatchLines, options.BatchBytes) is { } batch)
                {
                    inFlight.Enqueue((batch, SendAsync(batch.Payload, batch.Lines, cancellationToken)));
                }

                if (inFlight.Count == 0)
                {
                    return;
                }

                // Confirmed in the order read, so the buffer's acknowledged offset only ever covers confirmed batches.
                var (oldest, sending) = inFlight.Peek();
                var dead = await sending.ConfigureAwait(false);
                inFlight.Dequeue();
                buffer.Confirm(oldest);
                buffer.Metrics.Written(oldest.Lines - dead);
                oldest.Dispose();
            }
        }
        finally
        {
            if (inFlight.Count > 0)
            {
                // Cancelled (or failed): a request may still read its batch's pooled payload, so wait for all of
                // them before the payloads go back to the pool; the records are handed out again next time.
                foreach (var (_, sending) in inFlight)
                {
                    try
                    {
                        await sending.ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // Whatever ended the drain is already on its way up; this only waits for the request.
                    catch (Exception)
                    {
                    }
#pragma warning restore CA1031
                }

                foreach (var (batch, _) in inFlight)
                {
                    buffer.Return(batch);
                    batch.Dispose();
                }
            }
        }
    }

    /// <summary>Sends lines until InfluxDB took them all; returns how many went to the dead letters.</summary>
    private async Task<int> SendAsync(ReadOnlyMemory<byte> lines, int count, CancellationToken cancellationToken)
    {
        var backoff = options.InitialBackoff;
        while (true)
        {
            var result = await target.WriteAsync(lines, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case WriteStatus.Written:
                    if (Interlocked.Exchange(ref _consecutiveFailures, 0) > 0)
                    {
                        _logger.LogInformation("InfluxDB takes writes again; {Pending} points still buffered", buffer.PendingPoints);
                    }

                    return 0;

                case WriteStatus.Rejected or WriteStatus.TooLarge:
                    if (count <= 1)
                    {
                        var reason = result.Error ?? result.Status.ToString();
                        deadLetters.Append([Encoding.UTF8.GetString(lines.Span).TrimEnd('\n')], reason, _time.GetUtcNow());
                        buffer.Metrics.DeadLettered(1, ReasonTag(reason));
                        _logger.LogWarning("InfluxDB rejected a point, kept in {DeadLetters}: {Reason}", deadLetters.Path, reason);
                        return 1;
                    }

                    // InfluxDB kept the valid lines of a partial write; sending them again overwrites them with themselves.
                    var (first, firstCount, second, secondCount) = Split(lines, count);
                    return await SendAsync(first, firstCount, cancellationToken).ConfigureAwait(false)
                         + await SendAsync(second, secondCount, cancellationToken).ConfigureAwait(false);

                default:
                    var failures = Interlocked.Increment(ref _consecutiveFailures);
                    LastError = result.Error;
                    buffer.Metrics.Failure("retry");
                    if (failures == 1 || failures % 20 == 0)
                    {
                        _logger.LogWarning("InfluxDB write failed ({Failures} in a row), retrying; {Pending} points buffered on disk: {Error}",
                            failures, buffer.PendingPoints, result.Error);
                    }

                    var wait = result.RetryAfter is { } after && after > backoff ? after : backoff;
                    var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * wait.TotalMilliseconds * 0.2);
                    await Task.Delay(wait + jitter, _time, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
                    break;
            }
        }
    }

    private static string ReasonTag(string reason) =>
        reason.Contains("type conflict", StringComparison.OrdinalIgnoreCase) ? "type-conflict"
        : reason.Contains("beyond retention", StringComparison.OrdinalIgnoreCase) ? "beyond-retention"
        : reason.Contains("unable to parse", StringComparison.OrdinalIgnoreCase) ? "parse"
        : reason.Contains("invalid", StringComparison.OrdinalIgnoreCase) ? "invalid"
        : "rejected";

    private static (ReadOnlyMemory<byte>, int, ReadOnlyMemory<byte>, int) Split(ReadOnlyMemory<byte> lines, int count)
    {
        var half = count / 2;
        var span = lines.Span;
        var at = 0;
        for (var i = 0; i < half; i++)
        {
            at += span[at..].IndexOf((byte)'\n') + 1;
        }

        return (lines[..at], half, lines[at..], count - half);
    }
}
