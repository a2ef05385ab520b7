using Microsoft.Extensions.Logging;
using Npgsql;

namespace NetOps.Engine;

/// <summary>
/// A PostgreSQL session-level advisory lock: held while this process's connection lives. When the process dies its
/// connection closes and PostgreSQL releases the lock, so a standby's next try takes it over. A held lease is checked
/// every second; a broken connection means the lease may have gone to another engine: it is reported lost.
/// </summary>
public sealed partial class PostgresAdvisoryLease(string connectionString, long key, ILogger<PostgresAdvisoryLease> logger) : IEngineLease
{
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlConnection? _connection;
    private Task? _watch;
    private int _disposed;

    public Task Lost => _lost.Task;

    public string Description => $"PostgreSQL advisory lock {key}";

    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return true;
        }

        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                _connection = connection;
                _watch = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
                return true;
            }
        }
        catch (NpgsqlException e)
        {
            LogUnavailable(logger, e.Message);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return false;
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", _connection);
                await command.ExecuteScalarAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.IO.IOException)
        {
            LogLost(logger, e.Message);
            _lost.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine lease store unavailable: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Engine lease lost: {Error}")]
    private static partial void LogLost(ILogger logger, string error);
}
