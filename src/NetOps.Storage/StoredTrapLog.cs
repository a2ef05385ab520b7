using NetOps.Core.Observations;
using NetOps.Storage.Points;

namespace NetOps.Storage;

/// <summary>
/// The trap log of a process that receives no traps (a web-only host): the notifications the engine stored, newest
/// first, the last <see cref="Capacity"/>. The receiver's counts and its unknown senders never reach the store: they
/// are reported as unknown (null), not as zero.
/// </summary>
public sealed class StoredTrapLog(IRecentPoints store) : ITrapLog
{
    /// <summary>How many notifications a read lists, as many as the receiver's own log keeps.</summary>
    public const int Capacity = 200;

    public async ValueTask<TrapLogReport> ReadAsync(CancellationToken cancellationToken)
    {
        var points = await store.RecentAsync(Schema.Trap, Capacity, cancellationToken).ConfigureAwait(false);
        var recent = points.Select(TrapPoints.FromPoint).OfType<RecentNotification>().ToList();
        return new TrapLogReport(null, null, null, null, null, recent, null);
    }
}
