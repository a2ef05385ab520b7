using Microsoft.EntityFrameworkCore;

namespace NetOps.Database;

/// <summary>
/// The operational database: one model for every provider. Migrations are provider-specific, so each provider has its
/// own derived context (<see cref="SqliteNetOpsDbContext"/>, <see cref="PostgresNetOpsDbContext"/>) with its own
/// migrations folder; code outside this project only sees this base type.
/// </summary>
public abstract class NetOpsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<StateChangeRecord> StateChanges => Set<StateChangeRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

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
    }
}
