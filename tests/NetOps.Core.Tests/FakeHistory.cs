using NetOps.Core.State;

namespace NetOps.Core.Tests;

/// <summary>Recorded changes in memory, answering as the operational database does.</summary>
internal sealed class FakeHistory(params StateChange[] changes) : IStateHistory
{
    public Task<IReadOnlyList<StateChange>> LastChangesAsync(IEnumerable<EntityRef> entities, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<StateChange>> ChangesAsync(EntityRef entity, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StateChange>>([.. changes.Where(c => c.Entity == entity && c.At >= from && c.At < until).OrderBy(c => c.At)]);

    public IDisposable Subscribe(Action<IReadOnlyCollection<EntityRef>> recorded) => throw new NotSupportedException();
}
