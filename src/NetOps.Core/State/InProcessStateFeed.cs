namespace NetOps.Core.State;

/// <summary>
/// The state feed inside one process: keeps the materialised model at the last published version and hands
/// each subscriber the deltas after it. A subscriber that falls more than its buffer behind misses deltas and
/// sees a version gap, on which it resynchronises from a snapshot; the publisher never waits for a reader.
/// </summary>
public sealed class InProcessStateFeed : IStateFeed, IStatePublisher
{
    private readonly Lock _gate = new();
    private readonly Dictionary<EntityRef, EntityState> _model = [];
    private readonly DeltaFanOut _subscribers = new();
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private long _version;

    public ValueTask PublishAsync(StateDelta delta, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var removed in delta.Removed)
            {
                _model.Remove(removed);
            }

            foreach (var state in delta.Changed)
            {
                _model[state.Entity] = state;
            }

            foreach (var (source, sequence) in delta.Sequences)
            {
                _sequences[source] = sequence;
            }

            _version = delta.Version;
            _subscribers.Publish(delta);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Only the whole model is kept here; scoped views filter on the reader's side.</summary>
    public ValueTask<StateSnapshot> GetSnapshotAsync(Scope scope, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(new StateSnapshot(_version, _model.Values.ToList())
            {
                Sequences = new Dictionary<string, long>(_sequences, StringComparer.Ordinal),
            });
        }
    }

    public IAsyncEnumerable<StateDelta> SubscribeAsync(long afterVersion, CancellationToken cancellationToken) =>
        _subscribers.SubscribeAsync(afterVersion, cancellationToken);
}
