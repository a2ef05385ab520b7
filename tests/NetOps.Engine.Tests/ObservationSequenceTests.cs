using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Core.Tests;

namespace NetOps.Engine.Tests;

public sealed class ObservationSequenceTests
{
    [Fact]
    public async Task ConcurrentPolls_ReachTheSinkInTheOrderOfTheirNumbers_SoTheEngineDropsNone()
    {
        var sequence = new ObservationSequence("collector");
        var sink = new RecordingSink();
        // Made in one order (numbers 1..n at creation), finished in the reverse order: a slow poll that read more tables
        // finishes after quicker ones that started later.
        var made = Enumerable.Range(0, 50)
            .Select(i => Fleet.Poll(sequence.Next(), Fleet.Start.AddMilliseconds(i), "core", ("Te1/0/1", true, (ulong)i)))
            .ToList();
        var gates = made.Select(_ => new TaskCompletionSource()).ToList();
        var publishing = made.Select((poll, i) => Task.Run(async () =>
        {
            await gates[i].Task;
            await sequence.PublishAsync(sink, poll, CancellationToken.None);
        })).ToList();
        for (var i = made.Count - 1; i >= 0; i--)
        {
            gates[i].SetResult();
            await publishing[i];
        }

        Assert.Equal(made.Count, sink.Received.Count);
        Assert.True(sink.Received.Zip(sink.Received.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "numbers increase in publishing order");
        Assert.All(sink.Received, o => Assert.Equal(sequence.Source, o.Source));

        var engine = new StateEngine(TimeProvider.System);
        engine.SetInventory(Fleet.Build());
        foreach (var observation in sink.Received)
        {
            engine.Apply(observation);
        }

        Assert.Equal(0, engine.DuplicatesIgnored);
    }

    private sealed class RecordingSink : IObservationSink
    {
        private readonly Lock _gate = new();

        public List<Observation> Received { get; } = [];

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Received.Add(observation);
            }

            return ValueTask.CompletedTask;
        }
    }
}
