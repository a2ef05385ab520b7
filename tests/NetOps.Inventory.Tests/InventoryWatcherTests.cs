using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Testing;

namespace NetOps.Inventory.Tests;

/// <summary>A running watcher on a real directory: edits apply without a restart, bad ones are refused.</summary>
public sealed class InventoryWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private readonly TempInventory _temp = new();
    private readonly TestMeterFactory _meters = new();
    private readonly CounterRecorder _counters;
    private readonly CapturingLogger<InventoryWatcher> _log = new();
    private readonly List<InventoryChangedEventArgs> _changes = [];
    private readonly InventoryWatcher _watcher;

    public InventoryWatcherTests()
    {
        _counters = new CounterRecorder(_meters);
        var options = Options.Create(new InventoryOptions
        {
            Directory = _temp.Directory,
            SecretsFile = _temp.SecretsFile,
            ReloadDebounce = TimeSpan.FromMilliseconds(100),
        });
        var loader = new InventoryLoader(new CredentialStore(_temp.SecretsFile, _ => null), TimeProvider.System);
        _watcher = new InventoryWatcher(options, loader, TimeProvider.System, _log, _meters);
        _watcher.Changed += (_, e) =>
        {
            lock (_changes)
            {
                _changes.Add(e);
            }
        };
    }

    public Task InitializeAsync() => _watcher.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _watcher.StopAsync(CancellationToken.None);
        _watcher.Dispose();
        _counters.Dispose();
        _meters.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Start_LoadsTheInventory_AndRaisesChangedOnce()
    {
        Assert.Equal(28, _watcher.Current.Devices.Count);
        Assert.Single(_changes);
        Assert.Null(_watcher.LastRefusal);
    }

    [Fact]
    public async Task GoodEdit_AppliesWithoutRestart()
    {
        _temp.Replace("rainbow.yaml", "name: Access Nord", "name: Access Nord (Lauterstraße)");

        await Eventually.TrueAsync(() => _watcher.Current.Devices["acc-nord"].Name == "Access Nord (Lauterstraße)", Within, "the edit is applied");
        Assert.Equal(1, _counters["netops.inventory.reload.applied"]);
        lock (_changes)
        {
            Assert.Equal("Access Nord (Lauterstraße)", _changes[^1].Current.Devices["acc-nord"].Name);
            Assert.Equal("Access Nord", _changes[^1].Previous.Devices["acc-nord"].Name);
        }
    }

    [Fact]
    public async Task EditSavedByRename_AppliesToo()
    {
        _temp.ReplaceByRename("rainbow.yaml", "address: 127.77.1.1", "address: 127.77.1.101");

        await Eventually.TrueAsync(() => _watcher.Current.Devices["acc-nord"].Snmp.Host == "127.77.1.101", Within, "the renamed-in edit is applied");
    }

    [Fact]
    public async Task NewFile_AddsToTheInventory()
    {
        File.WriteAllText(_temp.PathOf("zz-extra.yml"), "sites:\n  - { id: pfalztheater, name: Pfalztheater, ray: west }\n");

        await Eventually.TrueAsync(() => _watcher.Current.Sites.ContainsKey("pfalztheater"), Within, "the new file is merged");
    }

    [Fact]
    public async Task BadEdit_IsRefused_TheLastGoodInventoryStays_ThenAGoodEditClearsTheRefusal()
    {
        var before = _watcher.Current;

        _temp.Replace("rainbow.yaml", "b: { device: acc-nord, port: Te1/1/1 }", "b: { device: acc-nord, port: Gi0/9 }");

        await Eventually.TrueAsync(() => _watcher.LastRefusal is not null, Within, "the bad edit is refused");
        Assert.Same(before, _watcher.Current);
        var error = Assert.Single(_watcher.LastRefusal!);
        Assert.Equal(_temp.PathOf("rainbow.yaml"), error.File);
        Assert.Equal("links[0].b.port", error.Field);
        Assert.Equal("device 'acc-nord' has no port 'Gi0/9'", error.Message);
        Assert.NotNull(_watcher.LastRefusalAt);
        Assert.True(_counters["netops.inventory.reload.refused"] >= 1);
        Assert.Contains(_log.Entries, l => l.Level == LogLevel.Error && l.Message.Contains(error.ToString(), StringComparison.Ordinal));

        _temp.Replace("rainbow.yaml", "b: { device: acc-nord, port: Gi0/9 }", "b: { device: acc-nord, port: Te1/1/2 }");

        await Eventually.TrueAsync(() => _watcher.LastRefusal is null, Within, "the good edit clears the refusal");
        Assert.Null(_watcher.LastRefusalAt);
        Assert.Equal("Te1/1/2", _watcher.Current.Links["core-acc-nord"].B.Port);
        Assert.Equal(1, _counters["netops.inventory.reload.applied"]);
    }

    [Fact]
    public async Task SyntaxErrorOnReload_IsRefusedAsOneError_NotAsItsConsequences()
    {
        var before = _watcher.Current;

        _temp.Replace("fleet.yaml", "    port: 16161", "    port: [16161");

        await Eventually.TrueAsync(() => _watcher.LastRefusal is not null, Within, "the broken file is refused");
        Assert.Same(before, _watcher.Current);
        var error = Assert.Single(_watcher.LastRefusal!);
        Assert.Equal(_temp.PathOf("fleet.yaml"), error.File);
        Assert.StartsWith("YAML syntax error at column ", error.Message, StringComparison.Ordinal);
        Assert.Contains("\n  skipped until this file parses", error.Message, StringComparison.Ordinal);
        // The refusal is published before it is logged.
        await _log.WaitForAsync(l => l.Level == LogLevel.Error && l.Message.EndsWith("1 errors\n" + error, StringComparison.Ordinal),
            Within, "the refusal is logged with the syntax error alone");
    }

    [Fact]
    public async Task CredentialAddedToTheSecretsFile_ReValidatesTheInventory()
    {
        _temp.Replace("mogli.yaml", "credential: mogli-ro", "credential: mogli-rw");
        await Eventually.TrueAsync(() => _watcher.LastRefusal is not null, Within, "the unknown credential is refused");

        File.AppendAllText(_temp.SecretsFile, "mogli-rw: mogli-demo-rw\n");

        await Eventually.TrueAsync(() => _watcher.LastRefusal is null, Within, "the new credential makes the edit good");
        Assert.Equal("mogli-rw", _watcher.Current.Devices["mogli-01-sw"].Snmp.CredentialRef);
        Assert.DoesNotContain(_log.Entries, l => l.Text.Contains("demo-r", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EditorSwapFiles_DoNotCountAsEdits()
    {
        File.WriteAllText(_temp.PathOf(".rainbow.yaml.swp"), "not yaml: [");
        File.WriteAllText(_temp.PathOf("notes.txt"), "acc-nord fibre was re-spliced");
        _temp.Replace("events.yaml", "name: Altstadtfest", "name: Altstadtfest 2026");

        await Eventually.TrueAsync(() => _watcher.Current.Events["altstadtfest"].Name == "Altstadtfest 2026", Within, "the real edit is applied");
        Assert.Null(_watcher.LastRefusal);
        Assert.Equal(0, _counters["netops.inventory.reload.refused"]);
    }
}

public sealed class InventoryWatcherBootTests
{
    [Fact]
    public async Task BadInventoryAtBoot_IsFatal_AndTheExceptionListsEveryError()
    {
        using var temp = new TempInventory();
        temp.Replace("rainbow.yaml", "address: 127.77.1.2", "address: 127.77.1");
        temp.Replace("mogli.yaml", "ac:cc:8e:4b:01:01", "ac:cc:8e:4b:01");
        var loader = new InventoryLoader(new CredentialStore(temp.SecretsFile, _ => null), TimeProvider.System);
        using var meters = new TestMeterFactory();
        using var watcher = new InventoryWatcher(
            Options.Create(new InventoryOptions { Directory = temp.Directory, SecretsFile = temp.SecretsFile }),
            loader, TimeProvider.System, new CapturingLogger<InventoryWatcher>(), meters);

        var exception = await Assert.ThrowsAsync<InventoryException>(() => watcher.StartAsync(CancellationToken.None));

        Assert.Equal(2, exception.Errors.Count);
        Assert.Contains($"{temp.PathOf("mogli.yaml")}:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("devices[4].address: '127.77.1' is not an IP address", exception.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => watcher.Current);
    }

    [Fact]
    public async Task SyntaxErrorAtBoot_IsTheOneErrorTheExceptionLists()
    {
        using var temp = new TempInventory();
        temp.Replace("fleet.yaml", "    port: 16161", "    port: [16161");
        var loader = new InventoryLoader(new CredentialStore(temp.SecretsFile, _ => null), TimeProvider.System);
        using var meters = new TestMeterFactory();
        using var watcher = new InventoryWatcher(
            Options.Create(new InventoryOptions { Directory = temp.Directory, SecretsFile = temp.SecretsFile }),
            loader, TimeProvider.System, new CapturingLogger<InventoryWatcher>(), meters);

        var exception = await Assert.ThrowsAsync<InventoryException>(() => watcher.StartAsync(CancellationToken.None));

        var error = Assert.Single(exception.Errors);
        Assert.StartsWith("inventory is invalid (1 error):\n" + temp.PathOf("fleet.yaml") + ":6: YAML syntax error", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith(error.ToString(), exception.Message, StringComparison.Ordinal);
    }
}
