using System.Collections.Immutable;
using Microsoft.EntityFrameworkCore;
using NetOps.Core.Alerts;

namespace NetOps.Database;

/// <summary>
/// Alerts, silences, queued notifications and the alert audit trail in the operational database (tables <c>alerts</c>,
/// <c>silences</c>, <c>notifications</c>, <c>alert_audit</c>). Times are stored as UTC, as the state history stores them,
/// so that SQLite (which keeps them as sortable text) filters and orders them in the database. JSON columns hold
/// labels, annotations, affected subjects, matchers and each notification's alert snapshot (<see cref="AlertJson"/>).
/// </summary>
public sealed class AlertStore(IDbContextFactory<NetOpsDbContext> contexts, DatabaseMigrator migrator, TimeProvider time) : IAlertStore
{
    public async Task<IReadOnlyList<Alert>> LoadAlertsAsync(DateTimeOffset resolvedSince, CancellationToken cancellationToken)
    {
        var since = resolvedSince.UtcDateTime;
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.Alerts.AsNoTracking()
                .Where(a => a.Status != AlertStatus.Resolved || a.EndsAt >= since)
                .OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(ToAlert);
        }
    }

    public async Task<IReadOnlyList<Silence>> LoadSilencesAsync(DateTimeOffset endsAfter, CancellationToken cancellationToken)
    {
        var after = endsAfter.UtcDateTime;
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.Silences.AsNoTracking()
                .Where(s => s.EndsAt > after)
                .OrderBy(s => s.StartsAt).ThenBy(s => s.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(ToSilence);
        }
    }

    public async Task SaveAsync(AlertChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            return;
        }

        // The last version of an alert or silence in the batch wins, as it would have saved one after the other.
        var alerts = changes.Alerts.GroupBy(a => a.Id, StringComparer.Ordinal).Select(g => ToRecord(g.Last())).ToList();
        var silences = changes.Silences.GroupBy(s => s.Id, StringComparer.Ordinal).Select(g => ToRecord(g.Last())).ToList();
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            // The existence check and the writes share the transaction (an immediate one on SQLite: the write lock first).
            var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (alerts.Count > 0)
                {
                    var ids = alerts.ConvertAll(a => a.Id);
                    var existing = (await context.Alerts.Where(a => ids.Contains(a.Id)).Select(a => a.Id)
                        .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                    alerts.ForEach(a => context.Entry(a).State = existing.Contains(a.Id) ? EntityState.Modified : EntityState.Added);
                }

                if (silences.Count > 0)
                {
                    var ids = silences.ConvertAll(s => s.Id);
                    var existing = (await context.Silences.Where(s => ids.Contains(s.Id)).Select(s => s.Id)
                        .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                    silences.ForEach(s => context.Entry(s).State = existing.Contains(s.Id) ? EntityState.Modified : EntityState.Added);
                }

                context.Notifications.AddRange(changes.Notifications.Select(ToRecord));
                context.AlertAudit.AddRange(changes.Audit.Select(ToRecord));
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<Notification>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var at = now.UtcDateTime;
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.Notifications.AsNoTracking()
                .Where(n => n.DeliveredAt == null && n.NextAttemptAt <= at)
                .OrderBy(n => n.Id)
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(ToNotification);
        }
    }

    public async Task MarkDeliveredAsync(long notificationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var when = at.UtcDateTime;
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            // The last error stays on the row for whoever reads it by hand; the backlog no longer reports it.
            await context.Notifications.Where(n => n.Id == notificationId)
                .ExecuteUpdateAsync(set => set.SetProperty(n => n.DeliveredAt, when).SetProperty(n => n.LastAttemptAt, when), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    public async Task MarkFailedAsync(long notificationId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        var next = nextAttemptAt.UtcDateTime;
        // The caller says when to try next, not when this attempt was: it was now.
        var attempted = time.GetUtcNow().UtcDateTime;
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            await context.Notifications.Where(n => n.Id == notificationId)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(n => n.Attempts, n => n.Attempts + 1)
                    .SetProperty(n => n.LastError, error)
                    .SetProperty(n => n.NextAttemptAt, next)
                    .SetProperty(n => n.LastAttemptAt, attempted), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<ReceiverBacklog>> BacklogAsync(CancellationToken cancellationToken)
    {
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var pending = await context.Notifications.AsNoTracking()
                .GroupBy(n => n.Receiver)
                .Select(g => new
                {
                    Receiver = g.Key,
                    Pending = g.Count(n => n.DeliveredAt == null),
                    Oldest = g.Where(n => n.DeliveredAt == null).Min(n => (DateTime?)n.CreatedAt),
                })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            // A delivered row's error is from an attempt before its delivery: the receiver's last attempt went through.
            var last = await context.Notifications.AsNoTracking()
                .Where(n => n.LastAttemptAt != null)
                .GroupBy(n => n.Receiver)
                .Select(g => g.OrderByDescending(n => n.LastAttemptAt).ThenByDescending(n => n.Id)
                    .Select(n => new { n.Receiver, n.LastAttemptAt, Error = n.DeliveredAt == null ? n.LastError : null })
                    .First())
                .ToDictionaryAsync(l => l.Receiver, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
            return pending
                .OrderBy(p => p.Receiver, StringComparer.Ordinal)
                .Select(p => last.TryGetValue(p.Receiver, out var attempt)
                    ? new ReceiverBacklog(p.Receiver, p.Pending, Utc(p.Oldest), attempt.Error, Utc(attempt.LastAttemptAt))
                    : new ReceiverBacklog(p.Receiver, p.Pending, Utc(p.Oldest), null, null))
                .ToList();
        }
    }

    public async Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var (start, end) = (from.UtcDateTime, until.UtcDateTime);
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.Alerts.AsNoTracking()
                .Where(a => a.StartsAt < end && (a.EndsAt == null || a.EndsAt >= start))
                .OrderByDescending(a => a.StartsAt).ThenBy(a => a.Id)
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(ToAlert);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var context = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.AlertAudit.AsNoTracking()
                .OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
                .Take(limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(a => new AuditEntry(Utc(a.At), a.Actor, a.Action, a.Target, a.Details) { Id = a.Id });
        }
    }

    private async Task<NetOpsDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
    }

    private static AlertRecord ToRecord(Alert alert) => new()
    {
        Id = alert.Id,
        Rule = alert.Rule,
        Subject = alert.Subject,
        Severity = alert.Severity,
        Status = alert.Status,
        StartsAt = alert.StartsAt.UtcDateTime,
        EndsAt = alert.EndsAt?.UtcDateTime,
        UpdatedAt = alert.UpdatedAt.UtcDateTime,
        Labels = AlertJson.Serialize(alert.Labels),
        Annotations = AlertJson.Serialize(alert.Annotations),
        AckBy = alert.Acknowledgement?.By,
        AckAt = alert.Acknowledgement?.At.UtcDateTime,
        AckComment = alert.Acknowledgement?.Comment,
        Affected = AlertJson.Serialize(alert.Affected),
        SilencedBy = alert.SilencedBy,
        InMaintenance = alert.InMaintenance,
        Flapping = alert.Flapping,
        Reopened = alert.Reopened,
        EscalatedAt = alert.EscalatedAt?.UtcDateTime,
        LastNotifiedAt = alert.LastNotifiedAt?.UtcDateTime,
    };

    private static Alert ToAlert(AlertRecord record) =>
        new(record.Id, record.Rule, record.Subject, record.Severity, record.Status, Utc(record.StartsAt), Utc(record.EndsAt), Utc(record.UpdatedAt))
        {
            Labels = AlertJson.Deserialize<ImmutableSortedDictionary<string, string>>(record.Labels),
            Annotations = AlertJson.Deserialize<ImmutableSortedDictionary<string, string>>(record.Annotations),
            Acknowledgement = record is { AckBy: { } by, AckAt: { } at } ? new Acknowledgement(by, Utc(at), record.AckComment) : null,
            Affected = AlertJson.Deserialize<ImmutableArray<string>>(record.Affected),
            SilencedBy = record.SilencedBy,
            InMaintenance = record.InMaintenance,
            Flapping = record.Flapping,
            Reopened = record.Reopened,
            EscalatedAt = Utc(record.EscalatedAt),
            LastNotifiedAt = Utc(record.LastNotifiedAt),
        };

    private static SilenceRecord ToRecord(Silence silence) => new()
    {
        Id = silence.Id,
        Matchers = AlertJson.Serialize(silence.Matchers),
        StartsAt = silence.StartsAt.UtcDateTime,
        EndsAt = silence.EndsAt.UtcDateTime,
        CreatedBy = silence.CreatedBy,
        Comment = silence.Comment,
        CreatedAt = silence.CreatedAt.UtcDateTime,
        ExpiredBy = silence.ExpiredBy,
    };

    private static Silence ToSilence(SilenceRecord record) =>
        new(record.Id, AlertJson.Deserialize<List<Matcher>>(record.Matchers), Utc(record.StartsAt), Utc(record.EndsAt), record.CreatedBy,
            record.Comment, Utc(record.CreatedAt))
        {
            ExpiredBy = record.ExpiredBy,
        };

    /// <summary>A new row: the database assigns the id, whatever the caller's record says.</summary>
    private static NotificationRecord ToRecord(Notification notification) => new()
    {
        Receiver = notification.Receiver,
        GroupKey = notification.GroupKey,
        Kind = notification.Kind,
        Alerts = AlertJson.Serialize(notification.Alerts),
        CreatedAt = notification.CreatedAt.UtcDateTime,
        Attempts = notification.Attempts,
        NextAttemptAt = notification.NextAttemptAt.UtcDateTime,
        DeliveredAt = notification.DeliveredAt?.UtcDateTime,
        LastError = notification.LastError,
    };

    private static Notification ToNotification(NotificationRecord record) =>
        new(record.Id, record.Receiver, record.GroupKey, record.Kind, AlertJson.Deserialize<List<Alert>>(record.Alerts), Utc(record.CreatedAt))
        {
            Attempts = record.Attempts,
            NextAttemptAt = Utc(record.NextAttemptAt),
            DeliveredAt = Utc(record.DeliveredAt),
            LastError = record.LastError,
        };

    private static AlertAuditRecord ToRecord(AuditEntry entry) => new()
    {
        At = entry.At.UtcDateTime,
        Actor = entry.Actor,
        Action = entry.Action,
        Target = entry.Target,
        Details = entry.Details,
    };

    /// <summary>Both providers hand back UTC times; SQLite's come back unspecified, so the kind is set, not converted.</summary>
    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? at) => at is { } value ? Utc(value) : null;
}
