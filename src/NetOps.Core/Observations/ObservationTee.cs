namespace NetOps.Core.Observations;

/// <summary>
/// Hands each observation to several sinks in order (the live model first, then history). Two-phase: accepted once
/// every sink accepted it, durable once every two-phase sink made it durable (a one-phase sink's accepted is durable).
/// </summary>
public sealed class ObservationTee(params IReadOnlyList<IObservationSink> sinks) : ITwoPhaseObservationSink
{
    public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
        await (await AcceptAsync(observation, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    public async ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken)
    {
        ValueTask single = default;
        List<ValueTask>? more = null;
        var pending = 0;
        foreach (var sink in sinks)
        {
            if (sink is not ITwoPhaseObservationSink twoPhase)
            {
                await sink.PublishAsync(observation, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var durable = await twoPhase.AcceptAsync(observation, cancellationToken).ConfigureAwait(false);
            if (durable.IsCompletedSuccessfully)
            {
                continue;
            }

            if (pending++ == 0)
            {
                single = durable;
            }
            else
            {
                (more ??= [single]).Add(durable);
            }
        }

        return pending switch
        {
            0 => ValueTask.CompletedTask,
            1 => single,
            _ => AllAsync(more!),
        };
    }

    private static async ValueTask AllAsync(List<ValueTask> durable)
    {
        foreach (var step in durable)
        {
            await step.ConfigureAwait(false);
        }
    }
}
