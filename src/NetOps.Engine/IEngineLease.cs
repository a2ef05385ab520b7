namespace NetOps.Engine;

/// <summary>
/// The right to be the one active state engine, held on an engine that already does locking well.
/// Never a home-made consensus protocol.
/// </summary>
public interface IEngineLease : IAsyncDisposable
{
    /// <summary>Tries to take the lease; true when this process holds it now.</summary>
    Task<bool> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>Completes when a held lease is lost (the lock's connection broke): the engine must stop at once.</summary>
    Task Lost { get; }

    /// <summary>Where the lease is held, for logs and readiness.</summary>
    string Description { get; }
}

/// <summary>The all-in-one host's lease: there is only one engine, so it is always held.</summary>
public sealed class InProcessLease : IEngineLease
{
    public Task Lost { get; } = new TaskCompletionSource().Task;

    public string Description => "in-process (single engine)";

    public Task<bool> TryAcquireAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
