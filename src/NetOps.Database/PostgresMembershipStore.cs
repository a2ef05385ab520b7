using Microsoft.Extensions.Logging;
using NetOps.Core.Cluster;
using Npgsql;
using NpgsqlTypes;

namespace NetOps.Database;

/// <summary>
/// The collectors' membership in the table <c>collector_members</c> of the operational PostgreSQL: a heartbeat is one
/// round trip (renew this member's lease, read the live ones), every time on the server's clock, so members on machines
/// whose clocks disagree still agree on who is alive. A name is held by one process while its lease runs: a second
/// collector started with the same name (or one restarted right after a kill) is told who holds it instead of silently
/// sharing the first one's devices.
/// </summary>
public sealed partial class PostgresMembershipStore : IMembershipStore, IAsyncDisposable
{
    // The table is the collectors' own and holds nothing worth migrating: created when first used, under a lock so two
    // collectors starting together do not both create it.
    private const string CreateTable = """
        SELECT pg_advisory_xact_lock(7243019011);
        CREATE TABLE IF NOT EXISTS collector_members (
            name text PRIMARY KEY,
            process text,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            devices integer NOT NULL);
        """;

    private const string Renew = """
        INSERT INTO collector_members AS m (name, process, started_at, heartbeat_at, expires_at, devices)
        VALUES (@name, @process, @started, now(), now() + @lease, @devices)
        ON CONFLICT (name) DO UPDATE SET process = EXCLUDED.process, started_at = EXCLUDED.started_at,
            heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at, devices = EXCLUDED.devices
        WHERE m.process IS NOT DISTINCT FROM EXCLUDED.process OR m.expires_at <= now()
        RETURNING m.name
        """;

    // Names of collectors gone for a day (a restarted compose replica comes back under a new name) are forgotten.
    private const string Forget = "DELETE FROM collector_members WHERE expires_at < now() - interval '1 day'";

    private const string Live = """
        SELECT name, started_at, heartbeat_at, expires_at, devices, process, now() FROM collector_members
        WHERE expires_at > now() ORDER BY name
        """;

    private readonly NpgsqlDataSource _source;
    private readonly ILogger<PostgresMembershipStore> _logger;
    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _tableExists;

    public PostgresMembershipStore(string connectionString, ILogger<PostgresMembershipStore> logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(connectionString);
        _logger = logger;
    }

    public string Description { get; }

    public async Task<MembershipView> HeartbeatAsync(MemberHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        var renew = new NpgsqlBatchCommand(Renew);
        renew.Parameters.AddWithValue("name", heartbeat.Name);
        renew.Parameters.AddWithValue("process", (object?)heartbeat.Process ?? DBNull.Value);
        renew.Parameters.AddWithValue("started", heartbeat.StartedAt.ToUniversalTime());
        renew.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, heartbeat.Lease);
        renew.Parameters.AddWithValue("devices", heartbeat.Devices);
        batch.BatchCommands.Add(renew);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Live));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Forget));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var renewed = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var view = await ReadViewAsync(reader, cancellationToken).ConfigureAwait(false);
        return renewed
            ? view
            : view with { NameHeldBy = view.Members.FirstOrDefault(m => m.Name == heartbeat.Name)?.Process ?? "another process" };
    }

    public async Task LeaveAsync(string name, string? process, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _source.CreateCommand("DELETE FROM collector_members WHERE name = @name AND process IS NOT DISTINCT FROM @process");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("process", (object?)process ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MembershipView> ReadAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _source.CreateCommand(Live);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadViewAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<MembershipView> ReadViewAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var members = new List<ClusterMember>();
        DateTimeOffset? now = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            members.Add(new ClusterMember(reader.GetString(0), Utc(reader.GetDateTime(1)), Utc(reader.GetDateTime(2)), Utc(reader.GetDateTime(3)),
                reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            now ??= Utc(reader.GetDateTime(6));
        }

        return new MembershipView(now ?? DateTimeOffset.UtcNow, members);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _tableExists))
        {
            return;
        }

        await _created.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_tableExists)
            {
                await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand(CreateTable, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _tableExists, true);
                LogReady(_logger, Description);
            }
        }
        finally
        {
            _created.Release();
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector membership kept in {Store}")]
    private static partial void LogReady(ILogger logger, string store);
}
