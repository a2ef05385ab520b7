namespace NetOps.Core.Observations;

/// <summary>
/// A sink that takes an observation in two steps: accepted (applied to the live model, queued for history, in call
/// order) and later durable (committed). A caller that keeps a source's order may hand on its next observation once the
/// previous one is accepted, so that a store can commit several of one source's observations in one transaction.
/// </summary>
public interface ITwoPhaseObservationSink : IObservationSink
{
    /// <summary>
    /// Completes once the observation is accepted; the <see cref="ValueTask"/> it returns completes once it is durable
    /// (and faults if it never will be). Await the inner one exactly once.
    /// </summary>
    ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken);
}
