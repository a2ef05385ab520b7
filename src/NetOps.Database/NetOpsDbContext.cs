using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NetOps.Database;

/// <summary>
/// The operational database: one model for every provider. Migrations are provider-specific, so each provider has its
/// own derived context (<see cref="SqliteNetOpsDbContext"/>, <see cref="PostgresNetOpsDbContext"/>) with its own
/// migrations folder; code outside this project only sees this base type. Local accounts and roles are ASP.NET Core
/// Identity's tables (<c>users</c>, <c>roles</c>, <c>user_roles</c>, ...).
/// </summary>
public abstract class NetOpsDbContext(DbContextOptions options) : IdentityDbContext<NetOpsUser>(options)
{
    public DbSet<StateChangeRecord> StateChanges => Set<StateChangeRecord>();

    public DbSet<AlertRecord> Alerts => Set<AlertRecord>();

    public DbSet<SilenceRecord> Silences => Set<SilenceRecord>();

    public DbSet<NotificationRecord> Notifications => Set<NotificationRecord>();

    public DbSet<AlertAuditRecord> AlertAudit => Set<AlertAuditRecord>();

    public DbSet<AccessTokenRecord> AccessTokens => Set<AccessTokenRecord>();

    public DbSet<AuditLogRecord> AuditLog => Set<AuditLogRecord>();

    public DbSet<StoredEventRecord> Events => Set<StoredEventRecord>();

    public DbSet<EventTransitionRecord> EventTransitions => Set<EventTransitionRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);
        Identity(modelBuilder);

        // snake_case names: the tables are read by hand (psql, sqlite3) when something goes wrong.
        var change = modelBuilder.Entity<StateChangeRecord>();
        change.ToTable("state_changes");
        change.HasKey(c => c.Id).HasName("pk_state_changes");
        change.Property(c => c.Id).HasColumnName("id");
        change.Property(c => c.At).HasColumnName("at");
        // Enums as names: a reordered enum must not rewrite history.
        change.Property(c => c.EntityKind).HasColumnName("entity_kind").HasConversion<string>().HasMaxLength(16);
        change.Property(c => c.EntityId).HasColumnName("entity_id");
        change.Property(c => c.From).HasColumnName("from_value").HasConversion<string>().HasMaxLength(16);
        change.Property(c => c.To).HasColumnName("to_value").HasConversion<string>().HasMaxLength(16);
        change.Property(c => c.ReasonCode).HasColumnName("reason_code");
        change.Property(c => c.ReasonArgs).HasColumnName("reason_args");
        // "Last changes of these entities" and "an entity's changes in a range" read this index by its first three columns;
        // pruning reads the other. Unique: every process that records the feed (web hosts, a standby engine) sees the same
        // change with the same entity, time, values and reason, and it is stored once (StateHistory.WriteAsync).
        change.HasIndex(c => new { c.EntityKind, c.EntityId, c.At, c.From, c.To, c.ReasonCode })
            .IsUnique()
            .HasDatabaseName("ux_state_changes_entity_at");
        change.HasIndex(c => c.At).HasDatabaseName("ix_state_changes_at");

        Alerting(modelBuilder);

        var log = modelBuilder.Entity<AuditLogRecord>();
        log.ToTable("audit_log");
        log.HasKey(a => a.Id).HasName("pk_audit_log");
        log.Property(a => a.Id).HasColumnName("id");
        log.Property(a => a.At).HasColumnName("at");
        log.Property(a => a.Actor).HasColumnName("actor").HasMaxLength(200);
        log.Property(a => a.Action).HasColumnName("action").HasMaxLength(64);
        log.Property(a => a.Target).HasColumnName("target").HasMaxLength(400);
        log.Property(a => a.Address).HasColumnName("address").HasMaxLength(64);
        log.Property(a => a.Detail).HasColumnName("detail").HasMaxLength(1000);
        // The page and the API read newest first, filtered by actor or action; pruning reads the time.
        log.HasIndex(a => a.At).HasDatabaseName("ix_audit_log_at");
        log.HasIndex(a => new { a.Actor, a.At }).HasDatabaseName("ix_audit_log_actor_at");
        log.HasIndex(a => new { a.Action, a.At }).HasDatabaseName("ix_audit_log_action_at");

        EventPlans(modelBuilder);
    }

    /// <summary>Events made or edited on the dashboard, and the phases operators set by hand (both small: read whole).</summary>
    private static void EventPlans(ModelBuilder modelBuilder)
    {
        var ev = modelBuilder.Entity<StoredEventRecord>();
        ev.ToTable("events");
        ev.HasKey(e => e.Id).HasName("pk_events");
        ev.Property(e => e.Id).HasColumnName("id").HasMaxLength(64);
        ev.Property(e => e.Name).HasColumnName("name").HasMaxLength(200);
        ev.Property(e => e.StartAt).HasColumnName("start_at");
        ev.Property(e => e.EndAt).HasColumnName("end_at");
        ev.Property(e => e.Zones).HasColumnName("zones");
        ev.Property(e => e.Nodes).HasColumnName("nodes");
        ev.Property(e => e.UpdatedAt).HasColumnName("updated_at");
        ev.Property(e => e.UpdatedBy).HasColumnName("updated_by").HasMaxLength(200);

        var transition = modelBuilder.Entity<EventTransitionRecord>();
        transition.ToTable("event_transitions");
        transition.HasKey(t => t.Id).HasName("pk_event_transitions");
        transition.Property(t => t.Id).HasColumnName("id");
        transition.Property(t => t.EventId).HasColumnName("event_id").HasMaxLength(64);
        transition.Property(t => t.Phase).HasColumnName("phase").HasConversion<string>().HasMaxLength(16);
        transition.Property(t => t.At).HasColumnName("at");
        transition.Property(t => t.By).HasColumnName("by").HasMaxLength(200);
        transition.HasIndex(t => t.EventId).HasDatabaseName("ix_event_transitions_event_id");
    }

    /// <summary>Identity's tables under snake_case names; their columns keep Identity's names.</summary>
    private static void Identity(ModelBuilder modelBuilder)
    {
        var user = modelBuilder.Entity<NetOpsUser>();
        user.Property(u => u.MustChangePassword).HasColumnName("must_change_password");
        user.Property(u => u.EventIds).HasColumnName("event_ids");
        var tables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AspNetUsers"] = "users",
            ["AspNetRoles"] = "roles",
            ["AspNetUserRoles"] = "user_roles",
            ["AspNetUserClaims"] = "user_claims",
            ["AspNetUserLogins"] = "user_logins",
            ["AspNetUserTokens"] = "user_tokens",
            ["AspNetRoleClaims"] = "role_claims",
        };
        var token = modelBuilder.Entity<AccessTokenRecord>();
        token.ToTable("access_tokens");
        token.HasKey(t => t.Id).HasName("pk_access_tokens");
        token.Property(t => t.Id).HasColumnName("id");
        token.Property(t => t.Name).HasColumnName("name").HasMaxLength(100);
        token.Property(t => t.UserId).HasColumnName("user_id");
        token.Property(t => t.Hash).HasColumnName("hash").HasMaxLength(64);
        token.Property(t => t.CreatedAt).HasColumnName("created_at");
        token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
        token.Property(t => t.RevokedAt).HasColumnName("revoked_at");
        // Every request with a token looks it up by its hash.
        token.HasIndex(t => t.Hash).IsUnique().HasDatabaseName("ux_access_tokens_hash");
        token.HasIndex(t => new { t.UserId, t.Name }).IsUnique().HasDatabaseName("ux_access_tokens_user_name");
        // A removed account takes its tokens with it.
        token.HasOne<NetOpsUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_access_tokens_user");
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } name && tables.TryGetValue(name, out var renamed))
            {
                entity.SetTableName(renamed);
            }
        }
    }

    /// <summary>The alert book's tables (<see cref="AlertStore"/>); JSON columns are text here, jsonb on PostgreSQL.</summary>
    private static void Alerting(ModelBuilder modelBuilder)
    {
        var alert = modelBuilder.Entity<AlertRecord>();
        alert.ToTable("alerts");
        alert.HasKey(a => a.Id).HasName("pk_alerts");
        alert.Property(a => a.Id).HasColumnName("id");
        alert.Property(a => a.Rule).HasColumnName("rule");
        alert.Property(a => a.Subject).HasColumnName("subject");
        alert.Property(a => a.Severity).HasColumnName("severity").HasConversion<string>().HasMaxLength(16);
        alert.Property(a => a.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        alert.Property(a => a.StartsAt).HasColumnName("starts_at");
        alert.Property(a => a.EndsAt).HasColumnName("ends_at");
        alert.Property(a => a.UpdatedAt).HasColumnName("updated_at");
        alert.Property(a => a.Labels).HasColumnName("labels");
        alert.Property(a => a.Annotations).HasColumnName("annotations");
        alert.Property(a => a.AckBy).HasColumnName("ack_by");
        alert.Property(a => a.AckAt).HasColumnName("ack_at");
        alert.Property(a => a.AckComment).HasColumnName("ack_comment");
        alert.Property(a => a.Affected).HasColumnName("affected");
        alert.Property(a => a.SilencedBy).HasColumnName("silenced_by");
        alert.Property(a => a.InMaintenance).HasColumnName("in_maintenance");
        alert.Property(a => a.Flapping).HasColumnName("flapping");
        alert.Property(a => a.Reopened).HasColumnName("reopened");
        alert.Property(a => a.EscalatedAt).HasColumnName("escalated_at");
        alert.Property(a => a.LastNotifiedAt).HasColumnName("last_notified_at");
        // Loading at start reads the open ones; history reads a time range.
        alert.HasIndex(a => a.Status).HasDatabaseName("ix_alerts_status");
        alert.HasIndex(a => a.StartsAt).HasDatabaseName("ix_alerts_starts_at");

        var silence = modelBuilder.Entity<SilenceRecord>();
        silence.ToTable("silences");
        silence.HasKey(s => s.Id).HasName("pk_silences");
        silence.Property(s => s.Id).HasColumnName("id");
        silence.Property(s => s.Matchers).HasColumnName("matchers");
        silence.Property(s => s.StartsAt).HasColumnName("starts_at");
        silence.Property(s => s.EndsAt).HasColumnName("ends_at");
        silence.Property(s => s.CreatedBy).HasColumnName("created_by");
        silence.Property(s => s.Comment).HasColumnName("comment");
        silence.Property(s => s.CreatedAt).HasColumnName("created_at");
        silence.Property(s => s.ExpiredBy).HasColumnName("expired_by");
        silence.HasIndex(s => s.EndsAt).HasDatabaseName("ix_silences_ends_at");

        var notification = modelBuilder.Entity<NotificationRecord>();
        notification.ToTable("notifications");
        notification.HasKey(n => n.Id).HasName("pk_notifications");
        notification.Property(n => n.Id).HasColumnName("id");
        notification.Property(n => n.Receiver).HasColumnName("receiver");
        notification.Property(n => n.GroupKey).HasColumnName("group_key");
        notification.Property(n => n.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(16);
        notification.Property(n => n.Alerts).HasColumnName("alerts");
        notification.Property(n => n.CreatedAt).HasColumnName("created_at");
        notification.Property(n => n.Attempts).HasColumnName("attempts");
        notification.Property(n => n.NextAttemptAt).HasColumnName("next_attempt_at");
        notification.Property(n => n.DeliveredAt).HasColumnName("delivered_at");
        notification.Property(n => n.LastError).HasColumnName("last_error");
        notification.Property(n => n.LastAttemptAt).HasColumnName("last_attempt_at");
        // The sender asks for what is undelivered (delivered_at null) and due; the backlog groups by receiver.
        notification.HasIndex(n => new { n.DeliveredAt, n.NextAttemptAt }).HasDatabaseName("ix_notifications_due");
        notification.HasIndex(n => n.Receiver).HasDatabaseName("ix_notifications_receiver");

        var audit = modelBuilder.Entity<AlertAuditRecord>();
        audit.ToTable("alert_audit");
        audit.HasKey(a => a.Id).HasName("pk_alert_audit");
        audit.Property(a => a.Id).HasColumnName("id");
        audit.Property(a => a.At).HasColumnName("at");
        audit.Property(a => a.Actor).HasColumnName("actor");
        audit.Property(a => a.Action).HasColumnName("action");
        audit.Property(a => a.Target).HasColumnName("target");
        audit.Property(a => a.Details).HasColumnName("details");
        audit.HasIndex(a => a.At).HasDatabaseName("ix_alert_audit_at");
    }
}

/// <summary>The operational database on SQLite; migrations in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteNetOpsDbContext(DbContextOptions<SqliteNetOpsDbContext> options) : NetOpsDbContext(options);

/// <summary>The operational database on PostgreSQL; migrations in <c>Migrations/PostgreSql</c>.</summary>
public sealed class PostgresNetOpsDbContext(DbContextOptions<PostgresNetOpsDbContext> options) : NetOpsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // jsonb lets an operator query reason values (reason_args->>'link') without parsing text.
        modelBuilder.Entity<StateChangeRecord>().Property(c => c.ReasonArgs).HasColumnType("jsonb");
        Jsonb(modelBuilder.Entity<AlertRecord>(), a => a.Labels, a => a.Annotations, a => a.Affected);
        Jsonb(modelBuilder.Entity<SilenceRecord>(), s => s.Matchers);
        Jsonb(modelBuilder.Entity<NotificationRecord>(), n => n.Alerts);
    }

    private static void Jsonb<T>(EntityTypeBuilder<T> entity, params Expression<Func<T, string>>[] columns)
        where T : class
    {
        foreach (var column in columns)
        {
            entity.Property(column).HasColumnType("jsonb");
        }
    }
}
