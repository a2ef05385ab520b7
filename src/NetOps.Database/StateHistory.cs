using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetOps.Core.State;

namespace NetOps.Database;

/// <summary>The recorded state changes in the operational database: written by the recorder, read by pages and reports.</summary>
public sealed class StateHistory(IDbContextFactory<NetOpsDbContext> contexts, DatabaseMigrator migrator) : IStateHistory
{
    /// <summary>Rows per INSERT: 7 parameters each stays far below SQLite's and PostgreSQL's parameter limits.</summary>
    private const int RowsPerStatement = 500;

    private readonly Lock _gate = new();
    private ImmutableArray<Action<IReadOnlyCollection<EntityRef>>> _subscribers = [];

    /// <summary>
    /// Writes a batch of changes in one transaction and returns how many were new. A change already stored (same entity,
    /// time, values and reason code, written by another process that records the same feed) is skipped, not stored twice.
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyCollection<StateChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return 0;
        }

        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var context = contexts.CreateDbContext();
        await using (context.ConfigureAwait(false))
        {
            // EF Core has no insert-or-ignore; both providers speak ON CONFLICT DO NOTHING (SQLite 3.24+).
            var jsonb = context.Database.IsNpgsql();
            var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var inserted = 0;
                foreach (var chunk in changes.Chunk(RowsPerStatement))
                {
                    var (sql, parameters) = Insert(chunk, jsonb);
                    inserted += await context.Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Notify(changes);
                return inserted;
            }
        }
    }

    public IDisposable Subscribe(Action<IReadOnlyCollection<EntityRef>> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        lock (_gate)
        {
            _subscribers = _subscribers.Add(recorded);
        }

        return new Subscription(this, recorded);
    }

    private void Notify(IReadOnlyCollection<StateChange> changes)
    {
        var subscribers = _subscribers;
        if (subscribers.IsEmpty)
        {
            return;
        }

        var entities = changes.Select(c => c.Entity).ToHashSet();
        foreach (var subscriber in subscribers)
        {
            subscriber(entities);
        }
    }

    private void Unsubscribe(Action<IReadOnlyCollection<EntityRef>> recorded)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Remove(recorded);
        }
    }

    private sealed class Subscription(StateHistory history, Action<IReadOnlyCollection<EntityRef>> recorded) : IDisposable
    {
        public void Dispose() => history.Unsubscribe(recorded);
    }

    private static (string Sql, object[] Parameters) Insert(StateChange[] changes, bool jsonb)
    {
        var sql = new StringBuilder("INSERT INTO state_changes (at, entity_kind, entity_id, from_value, to_value, reason_code, reason_args) VALUES ");
        var parameters = new object[changes.Length * 7];
        for (var i = 0; i < changes.Length; i++)
        {
            var record = ToRecord(changes[i]);
            var p = i * 7;
            (parameters[p], parameters[p + 1], parameters[p + 2], parameters[p + 3], parameters[p + 4], parameters[p + 5], parameters[p + 6]) =
                (record.At, record.EntityKind.ToString(), record.EntityId, record.From.ToString(), record.To.ToString(), record.ReasonCode, record.ReasonArgs);
            var cells = Enumerable.Range(p, 7).Select(n => "{" + n.ToString(CultureInfo.InvariantCulture) + "}").ToArray();
            if (jsonb)
            {
                cells[6] = $"CAST({cells[6]} AS jsonb)";
            }

            sql.Append(i == 0 ? "(" : ", (").AppendJoin(", ", cells).Append(')');
        }

        sql.Append(" ON CONFLICT DO NOTHING");
        return (sql.ToString(), parameters);
    }

    public async Task<IReadOnlyList<StateChange>> LastChangesAsync(IEnumerable<EntityRef> entities, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<StateChange>();
        var context = contexts.CreateDbContext();
        await using (context.ConfigureAwait(false))
        {
            // One query per kind (a page shows a device, its ports and links: two or three), each served by the
            // (kind, id, at) index; the newest of each are merged here.
            foreach (var kind in entities.Distinct().GroupBy(e => e.Kind))
            {
                var ids = kind.Select(e => e.Id).ToList();
                var rows = await context.StateChanges.AsNoTracking()
                    .Where(r => r.EntityKind == kind.Key && ids.Contains(r.EntityId))
                    .OrderByDescending(r => r.At).ThenByDescending(r => r.Id)
                    .Take(limit)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                changes.AddRange(rows.Select(ToChange));
            }
        }

        return changes.OrderByDescending(c => c.At).Take(limit).ToList();
    }

    public async Task<IReadOnlyList<StateChange>> ChangesAsync(EntityRef entity, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var (start, end) = (from.UtcDateTime, until.UtcDateTime);
        var context = contexts.CreateDbContext();
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.StateChanges.AsNoTracking()
                .Where(r => r.EntityKind == entity.Kind && r.EntityId == entity.Id && r.At >= start && r.At < end)
                .OrderBy(r => r.At).ThenBy(r => r.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.Select(ToChange).ToList();
        }
    }

    /// <summary>Deletes the changes from before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var cutoff = before.UtcDateTime;
        var context = contexts.CreateDbContext();
        await using (context.ConfigureAwait(false))
        {
            return await context.StateChanges.Where(r => r.At < cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static StateChangeRecord ToRecord(StateChange change) => new()
    {
        At = change.At.UtcDateTime,
        EntityKind = change.Entity.Kind,
        EntityId = change.Entity.Id,
        From = change.From,
        To = change.To,
        ReasonCode = change.Reason.Code,
        ReasonArgs = JsonSerializer.Serialize(change.Reason.Args),
    };

    private static StateChange ToChange(StateChangeRecord record)
    {
        var args = JsonSerializer.Deserialize<Dictionary<string, string>>(record.ReasonArgs) ?? [];
        return new StateChange(
            new DateTimeOffset(DateTime.SpecifyKind(record.At, DateTimeKind.Utc)),
            new EntityRef(record.EntityKind, record.EntityId),
            record.From,
            record.To,
            new Reason(record.ReasonCode, args.ToImmutableSortedDictionary(StringComparer.Ordinal)));
    }
}
