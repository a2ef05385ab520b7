using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetOps.Core.Events;
using NetOps.Core.Inventory;

namespace NetOps.Database;

/// <summary>A row of <c>events</c>: an event made or edited on the dashboard. Zones and node plans are JSON. Times are UTC.</summary>
public sealed class StoredEventRecord
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public DateTime StartAt { get; set; }

    public DateTime EndAt { get; set; }

    /// <summary>[{"id":"stiftsplatz","name":"Stiftsplatz"}, …]</summary>
    public required string Zones { get; set; }

    /// <summary>[{"nodeId":"mogli-01","zoneId":"stiftsplatz","from":"…","until":"…"}, …]</summary>
    public required string Nodes { get; set; }

    public DateTime UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

/// <summary>A row of <c>event_transitions</c>: an operator moved an event to a phase by hand.</summary>
public sealed class EventTransitionRecord
{
    public long Id { get; set; }

    public required string EventId { get; set; }

    public EventPhase Phase { get; set; }

    public DateTime At { get; set; }

    public required string By { get; set; }
}

/// <summary><see cref="IEventStore"/> over <c>events</c> and <c>event_transitions</c>.</summary>
public sealed class EventStore(IDbContextFactory<NetOpsDbContext> contexts) : IEventStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<EventPlans> ReadAsync(CancellationToken cancellationToken)
    {
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var events = await context.Events.AsNoTracking().OrderBy(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var transitions = await context.EventTransitions.AsNoTracking().OrderBy(t => t.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            return new EventPlans(
                [.. events.Select(ToDomain)],
                [.. transitions.Select(t => new EventTransition(t.EventId, t.Phase, Utc(t.At), t.By))]);
        }
    }

    public async Task SaveAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var row = await context.Events.FindAsync([stored.Event.Id], cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                row = new StoredEventRecord { Id = stored.Event.Id, Name = "", Zones = "[]", Nodes = "[]", UpdatedBy = "" };
                context.Events.Add(row);
            }

            row.Name = stored.Event.Name;
            row.StartAt = stored.Event.Start.UtcDateTime;
            row.EndAt = stored.Event.End.UtcDateTime;
            row.Zones = JsonSerializer.Serialize(stored.Event.Zones.Select(z => new ZoneJson(z.Id, z.Name)), Json);
            row.Nodes = JsonSerializer.Serialize(stored.Nodes, Json);
            row.UpdatedAt = stored.UpdatedAt.UtcDateTime;
            row.UpdatedBy = stored.UpdatedBy;
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> DeleteAsync(string eventId, bool withTransitions, CancellationToken cancellationToken)
    {
        int deleted;
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                deleted = await context.Events.Where(e => e.Id == eventId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                if (deleted > 0 && withTransitions)
                {
                    await context.EventTransitions.Where(t => t.EventId == eventId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return deleted > 0;
    }

    public async Task AddTransitionAsync(EventTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            context.EventTransitions.Add(new EventTransitionRecord
            {
                EventId = transition.EventId,
                Phase = transition.Phase,
                At = transition.At.UtcDateTime,
                By = transition.By,
            });
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static StoredEvent ToDomain(StoredEventRecord row)
    {
        var zones = JsonSerializer.Deserialize<List<ZoneJson>>(row.Zones, Json) ?? [];
        var nodes = JsonSerializer.Deserialize<List<NodePlan>>(row.Nodes, Json) ?? [];
        return new StoredEvent(
            new Event(row.Id, row.Name, Utc(row.StartAt), Utc(row.EndAt), [.. zones.Select(z => new Zone(z.Id, z.Name))]),
            nodes, Utc(row.UpdatedAt), row.UpdatedBy);
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private sealed record ZoneJson(string Id, string Name);
}
