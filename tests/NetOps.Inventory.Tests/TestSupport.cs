using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using NetOps.Testing;

namespace NetOps.Inventory.Tests;

/// <summary>A clock the test sets; the only fake these tests use.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Sums the counters of one <see cref="TestMeterFactory"/>.</summary>
internal sealed class CounterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CounterRecorder(TestMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        _listener.Start();
    }

    public long this[string name] => _totals.GetValueOrDefault(name);

    public void Dispose() => _listener.Dispose();
}

/// <summary>A copy of the demo inventory in a temporary directory, removed afterwards.</summary>
internal sealed class TempInventory : IDisposable
{
    public TempInventory()
    {
        Root = Path.Combine(Path.GetTempPath(), "netops-inventory-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "inventory");
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(Demo.Directory))
        {
            File.Copy(file, Path.Combine(Directory, Path.GetFileName(file)));
        }

        DemoPlans.CopyTo(Directory);

        SecretsFile = Path.Combine(Root, "secrets.yaml");
        File.Copy(Demo.SecretsFile, SecretsFile);
    }

    public string Root { get; }
    public string Directory { get; }
    public string SecretsFile { get; }

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>Edits a file in place (as most editors do on save).</summary>
    public void Replace(string file, string oldText, string newText)
    {
        var text = File.ReadAllText(PathOf(file));
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        File.WriteAllText(PathOf(file), text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    /// <summary>Edits a file the way vim and VS Code's atomic save do: write a temp file, rename it over.</summary>
    public void ReplaceByRename(string file, string oldText, string newText)
    {
        var text = File.ReadAllText(PathOf(file));
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        var temp = PathOf("." + file + ".tmp");
        File.WriteAllText(temp, text.Replace(oldText, newText, StringComparison.Ordinal));
        File.Move(temp, PathOf(file), overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Demo
{
    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "config", "inventory");
    public static string SecretsFile { get; } = Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml");

    /// <summary>A fixed instant, so relative times in the demo resolve the same in every run.</summary>
    public static DateTimeOffset Now { get; } = new(2026, 8, 21, 18, 0, 0, TimeSpan.Zero);

    public static InventoryLoader Loader(string? secretsFile = null, DateTimeOffset? now = null) =>
        new(new CredentialStore(secretsFile ?? SecretsFile, _ => null), new FakeTimeProvider(now ?? Now));
}
