using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Security;

namespace NetOps.Database;

/// <summary>A row of <c>audit_log</c> (<see cref="AuditEvent"/>). Times are UTC.</summary>
public sealed class AuditLogRecord
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Target { get; set; }

    public string? Address { get; set; }

    public string? Detail { get; set; }
}

/// <summary>
/// <see cref="IAuditLog"/> over <c>audit_log</c>. Reading also answers the people's actions of the alert book's own trail
/// (<c>alert_audit</c>: acknowledgements, silences created and expired, whichever page, API or process made them), so they
/// are written once, by the book; they carry no client address.
/// </summary>
public sealed partial class AuditLog(IDbContextFactory<NetOpsDbContext> contexts, ILogger<AuditLog> logger) : IAuditLog
{
    /// <summary>The alert book's actions that people take; the rest of its trail (fired, resolved, escalated) is the book's own.</summary>
    private static readonly string[] AlertActions = [AuditActions.Acknowledged, AuditActions.SilenceCreated, AuditActions.SilenceExpired];

    // Writers are requests and commands, which run once the host (or the command line) migrated the database; unlike the
    // state history, nothing here starts before that, so it does not wait for the migrator (a tool without one would hang).
    public async Task WriteAsync(AuditEvent entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (context.ConfigureAwait(false))
            {
                context.AuditLog.Add(new AuditLogRecord
                {
                    At = entry.At.UtcDateTime,
                    Actor = Bounded(entry.Actor, 200),
                    Action = Bounded(entry.Action, 64),
                    Target = Bounded(entry.Target, 400),
                    Address = entry.Address is null ? null : Bounded(entry.Address, 64),
                    Detail = entry.Detail is null ? null : Bounded(entry.Detail, 1000),
                });
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
        {
            // A login or an acknowledgement is not refused because its audit line could not be stored; the log says so.
            LogNotWritten(logger, e, entry.Action, entry.Actor);
        }
    }

    public async Task<IReadOnlyList<AuditEvent>> ReadAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        var from = query.From?.UtcDateTime;
        var until = query.Until?.UtcDateTime;
        var wanted = query.Skip + query.Limit;
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var own = context.AuditLog.AsNoTracking();
            var alerts = context.AlertAudit.AsNoTracking().Where(a => AlertActions.Contains(a.Action));
            if (query.Actor is { } actor)
            {
                own = own.Where(a => a.Actor == actor);
                alerts = alerts.Where(a => a.Actor == actor);
            }

            if (query.Action is { } action)
            {
                own = own.Where(a => a.Action == action);
                alerts = alerts.Where(a => a.Action == action);
            }

            if (from is { } f)
            {
                own = own.Where(a => a.At >= f);
                alerts = alerts.Where(a => a.At >= f);
            }

            if (until is { } u)
            {
                own = own.Where(a => a.At < u);
                alerts = alerts.Where(a => a.At < u);
            }

            // Each table's newest `wanted` rows hold the merged page: two bounded reads, merged here.
            var ownRows = await own.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(wanted)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var alertRows = await alerts.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(wanted)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. ownRows.Select(a => new AuditEvent(Utc(a.At), a.Actor, a.Action, a.Target, a.Address, a.Detail))
                .Concat(alertRows.Select(a => new AuditEvent(Utc(a.At), a.Actor, a.Action, a.Target, null, a.Details)))
                .OrderByDescending(e => e.At)
                .Skip(query.Skip)
                .Take(query.Limit)];
        }
    }

    /// <summary>Deletes the entries of <c>audit_log</c> before <paramref name="before"/>; answers how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = before.UtcDateTime;
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.AuditLog.Where(a => a.At < cutoff).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Bounded(string text, int length) => text.Length <= length ? text : text[..length];

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    [LoggerMessage(LogLevel.Error, "The audit entry {Action} by {Actor} could not be stored")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, string action, string actor);
}

/// <summary>Deletes audit entries older than <c>Database:AuditRetention</c> (default 400 days): at start, then every hour.</summary>
public sealed partial class AuditLogPruner(AuditLog log, IOptions<DatabaseOptions> options, DatabaseMigrator migrator, TimeProvider time,
    ILogger<AuditLogPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrator.WhenMigratedAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(StateHistoryPruner.Interval, time);
        do
        {
            try
            {
                var retention = options.Value.AuditRetention;
                var pruned = await log.PruneAsync(time.GetUtcNow() - retention, stoppingToken).ConfigureAwait(false);
                if (pruned > 0)
                {
                    LogPruned(logger, pruned, retention);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e, StateHistoryPruner.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(LogLevel.Information, "Pruned {Count} audit entries older than {Retention}")]
    private static partial void LogPruned(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(LogLevel.Warning, "Pruning the audit log failed; trying again in {Interval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);
}
