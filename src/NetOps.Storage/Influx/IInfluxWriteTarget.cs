namespace NetOps.Storage.Influx;

/// <summary>What became of one write request.</summary>
public enum WriteStatus
{
    /// <summary>InfluxDB confirmed every line (204).</summary>
    Written,

    /// <summary>InfluxDB rejected some lines as invalid (400: parse error, type conflict, beyond retention); the valid ones are stored.</summary>
    Rejected,

    /// <summary>The request was too large (413): split it.</summary>
    TooLarge,

    /// <summary>InfluxDB is down, slow, overloaded or refuses the credentials: try again later.</summary>
    Retry,
}

/// <summary>The outcome of a write; <paramref name="Error"/> is InfluxDB's message (never a credential).</summary>
public readonly record struct WriteResult(WriteStatus Status, string? Error = null, TimeSpan? RetryAfter = null);

/// <summary>Where the durable buffer's batches go: InfluxDB's v1 /write or 2.x's /api/v2/write.</summary>
public interface IInfluxWriteTarget
{
    /// <summary>Posts newline-separated line protocol with nanosecond timestamps.</summary>
    Task<WriteResult> WriteAsync(ReadOnlyMemory<byte> lineProtocol, CancellationToken cancellationToken);
}
