namespace NetOps.Core.Observations;

/// <summary>Hands each observation to several sinks in order (the live model first, then history).</summary>
public sealed class ObservationTee(params IReadOnlyList<IObservationSink> sinks) : IObservationSink
{
    public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
    {
        foreach (var sink in sinks)
        {
            await sink.PublishAsync(observation, cancellationToken).ConfigureAwait(false);
        }
    }
}
