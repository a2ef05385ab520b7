using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>
/// Keeps the inventory in force: loads it at start (fatal when bad), then watches the directory and applies
/// good edits without a restart. A bad edit is refused, logged and counted, and the last good inventory stays.
/// </summary>
/// <remarks>
/// Any change in the directory (or to the secrets file) arms a debounce timer rather than being filtered by
/// name: editors that save by writing a temp file and renaming it, and Kubernetes' "..data" symlink swap,
/// show up under names that are not inventory files. A content fingerprint then skips reloads that change
/// nothing, so a swap file does not count as an edit.
/// </remarks>
public sealed class InventoryWatcher : IInventoryProvider, IHostedService, IDisposable
{
    private const int MaxReadRetries = 5;

    private readonly InventoryOptions _options;
    private readonly InventoryLoader _loader;
    private readonly TimeProvider _time;
    private readonly ILogger<InventoryWatcher> _logger;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _refused;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _debounce;

    private volatile FleetInventory? _current;
    private volatile Refusal? _refusal;
    private string? _appliedFingerprint;
    private string? _refusedFingerprint;
    private int _readRetries;
    private int _disposed;

    public InventoryWatcher(
        IOptions<InventoryOptions> options,
        InventoryLoader loader,
        TimeProvider time,
        ILogger<InventoryWatcher> logger,
        IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _options = options.Value;
        _loader = loader;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create("NetOps");
        _applied = meter.CreateCounter<long>("netops.inventory.reload.applied", "{reload}", "Inventory edits applied without a restart");
        _refused = meter.CreateCounter<long>("netops.inventory.reload.refused", "{reload}", "Inventory edits refused; the last good inventory stayed in force");
        _debounce = time.CreateTimer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public FleetInventory Current =>
        _current ?? throw new InvalidOperationException("The inventory is loaded when the host starts (InventoryWatcher.StartAsync).");

    public event EventHandler<InventoryChangedEventArgs>? Changed;

    public event EventHandler<InventoryRefusedEventArgs>? Refused;

    public InventoryError[]? LastRefusal => _refusal?.Errors;

    public DateTimeOffset? LastRefusalAt => _refusal?.At;

    /// <summary>Loads the inventory; throws <see cref="InventoryException"/> listing every error when it is bad.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (sources, fingerprint, readErrors) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var result = readErrors.Count > 0 ? InventoryLoadResult.Failure(readErrors) : _loader.Load(sources);
        if (result.Inventory is not { } inventory)
        {
            _logger.LogCritical("Inventory in {Directory} is invalid, refusing to start: {ErrorCount} errors\n{Errors}",
                _options.Directory, result.Errors.Count, string.Join('\n', result.Errors));
            throw new InventoryException(result.Errors);
        }

        _appliedFingerprint = fingerprint;
        _current = inventory;
        _logger.LogInformation("Inventory loaded from {Directory}: {Summary}", _options.Directory, Summarize(inventory));
        Watch(_options.Directory, null);
        if (!string.IsNullOrWhiteSpace(_options.SecretsFile))
        {
            var secrets = Path.GetFullPath(_options.SecretsFile);
            Watch(Path.GetDirectoryName(secrets)!, Path.GetFileName(secrets));
        }

        Changed?.Invoke(this, new InventoryChangedEventArgs(FleetInventory.Empty, inventory));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopWatching();
        await _stopping.CancelAsync().ConfigureAwait(false);

        // Let a reload in flight finish its bookkeeping before the host goes on.
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _reloadGate.Release();
    }

    public void Dispose()
    {
        // The container disposes this once per registration it was resolved through.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        StopWatching();
        _debounce.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>Reloads now, as a change in the directory would after the debounce.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            await ReloadCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // a timer callback has no caller: a failed reload is logged and the last good inventory stays
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "Inventory reload from {Directory} failed; the last good inventory stays in force", _options.Directory);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private async Task ReloadCoreAsync(CancellationToken cancellationToken)
    {
        var (sources, fingerprint, readErrors) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (readErrors.Count > 0 && ++_readRetries <= MaxReadRetries)
        {
            // Most read failures are an editor mid-save: try again once the directory is quiet.
            _logger.LogWarning("Inventory files in {Directory} could not be read, retrying: {Errors}",
                _options.Directory, string.Join("; ", readErrors));
            Poke();
            return;
        }

        _readRetries = 0;
        if (readErrors.Count == 0 && fingerprint == (_refusal is null ? _appliedFingerprint : _refusedFingerprint))
        {
            return;
        }

        var result = readErrors.Count > 0 ? InventoryLoadResult.Failure(readErrors) : _loader.Load(sources);
        if (result.Inventory is { } inventory)
        {
            var previous = _current ?? FleetInventory.Empty;
            _appliedFingerprint = fingerprint;
            _refusedFingerprint = null;
            _current = inventory;
            _refusal = null;
            _applied.Add(1);
            _logger.LogInformation("Inventory reloaded from {Directory}: {Summary}", _options.Directory, Summarize(inventory));
            Changed?.Invoke(this, new InventoryChangedEventArgs(previous, inventory));
            return;
        }

        var at = _time.GetUtcNow();
        _refusedFingerprint = fingerprint;
        // Logged and counted before the refusal is published: whoever sees LastRefusal finds the log line and the count too.
        _logger.LogError("Inventory edit in {Directory} refused, the last good inventory stays in force: {ErrorCount} errors\n{Errors}",
            _options.Directory, result.Errors.Count, string.Join('\n', result.Errors));
        _refused.Add(1);
        _refusal = new Refusal([.. result.Errors], at);
        Refused?.Invoke(this, new InventoryRefusedEventArgs(result.Errors, at));
    }

    private async Task<(IReadOnlyList<InventorySource> Sources, string Fingerprint, IReadOnlyList<InventoryError> Errors)> ReadAsync(
        CancellationToken cancellationToken)
    {
        var (sources, errors) = await InventoryLoader.ReadDirectoryAsync(_options.Directory, cancellationToken).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(source.File + "\0" + source.Text + "\0"));
        }

        if (!string.IsNullOrWhiteSpace(_options.SecretsFile) && File.Exists(_options.SecretsFile))
        {
            try
            {
                // Hashed only, so that a credential added to the file re-validates the inventory.
                hash.AppendData(await File.ReadAllBytesAsync(_options.SecretsFile, cancellationToken).ConfigureAwait(false));
            }
            catch (IOException)
            {
            }
        }

        return (sources, Convert.ToHexString(hash.GetHashAndReset()), errors);
    }

    private void Watch(string directory, string? fileName)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        if (fileName is not null)
        {
            watcher.Filter = fileName;
        }

        watcher.Changed += (_, _) => Poke();
        watcher.Created += (_, _) => Poke();
        watcher.Deleted += (_, _) => Poke();
        watcher.Renamed += (_, _) => Poke();
        watcher.Error += (_, e) =>
        {
            // An overflowed event buffer loses changes: reload to be sure rather than trust what we saw.
            _logger.LogWarning(e.GetException(), "Watching {Directory} reported an error; reloading to be safe", directory);
            Poke();
        };
        watcher.EnableRaisingEvents = true;
        lock (_watchers)
        {
            _watchers.Add(watcher);
        }
    }

    private void StopWatching()
    {
        lock (_watchers)
        {
            foreach (var watcher in _watchers)
            {
                watcher.EnableRaisingEvents = false;
                watcher.Dispose();
            }

            _watchers.Clear();
        }
    }

    private void OnQuiet()
    {
        // A timer tick can race Dispose; after it there is nothing left to reload for.
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _ = ReloadAsync(_stopping.Token);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>(Re)arms the debounce: the reload runs once the directory has been quiet for the debounce time.</summary>
    private void Poke()
    {
        if (Volatile.Read(ref _disposed) == 0 && !_stopping.IsCancellationRequested)
        {
            try
            {
                _debounce.Change(_options.ReloadDebounce, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>One reference, so a reader never sees the errors of one refusal with the time of another.</summary>
    private sealed record Refusal(InventoryError[] Errors, DateTimeOffset At);

    private static string Summarize(FleetInventory inventory) => InventorySummary.Of(inventory);
}

/// <summary>One line that says how big an inventory is, for logs and the validate command.</summary>
public static class InventorySummary
{
    public static string Of(FleetInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{inventory.Sites.Count} sites, {inventory.Devices.Count} devices, {inventory.Links.Count} links, " +
            $"{inventory.Nodes.Count} nodes, {inventory.Endpoints.Count} endpoints, {inventory.Events.Count} events");
    }
}
