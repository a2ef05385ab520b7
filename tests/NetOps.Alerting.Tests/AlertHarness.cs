using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Database;
using NetOps.Inventory;
using NetOps.Testing;

namespace NetOps.Alerting.Tests;

/// <summary>
/// The alert book on a real operational database (SQLite in a temporary directory) and a real live view over the
/// in-process feed. The clock is fake and the test steps the book and the dispatcher itself, so every hold-down,
/// grace period and escalation is exact. Receivers record what they are handed (real receivers have their own tests).
/// </summary>
internal sealed class AlertHarness : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly IHost _database;
    private readonly InProcessStateFeed _feed;
    private long _version;

    private AlertHarness(string directory, FakeTimeProvider time, FleetInventory inventory, IHost database, InProcessStateFeed feed,
        LiveStateView view, IReadOnlyList<RecordingReceiver> receivers, IReadOnlyList<IAlertReceiver> others)
    {
        Directory = directory;
        Time = time;
        _database = database;
        _feed = feed;
        View = view;
        Receivers = receivers;
        Inventory = new MutableInventory(inventory);
        Dispatcher = new NotificationDispatcher(database.Services.GetRequiredService<IAlertStore>(), [.. receivers, .. others],
            Options.Create(new AlertingOptions { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(30) }), time,
            NullLogger<NotificationDispatcher>.Instance);
        Book = new AlertBook(view, Inventory, database.Services.GetRequiredService<IAlertStore>(), Dispatcher, time, NullLogger<AlertBook>.Instance);
    }

    public string Directory { get; }

    public FakeTimeProvider Time { get; }

    public LiveStateView View { get; }

    public MutableInventory Inventory { get; }

    public NotificationDispatcher Dispatcher { get; }

    public AlertBook Book { get; }

    public IReadOnlyList<RecordingReceiver> Receivers { get; }

    public RecordingReceiver Pager => Receivers[0];

    public static readonly DateTimeOffset Start = new(2026, 8, 21, 18, 0, 0, TimeSpan.Zero);

    /// <summary>A book on a fresh database, or (restart) on the one of <paramref name="directory"/> with the states given.</summary>
    public static async Task<AlertHarness> StartAsync(AlertPolicy? alerting = null, string? directory = null, DateTimeOffset? at = null,
        IEnumerable<EntityState>? states = null, IReadOnlyList<IAlertReceiver>? receivers = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("netops-alerts-").FullName;
        var time = new FakeTimeProvider(at ?? Start);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        var database = builder.Build();
        await database.StartAsync();
        await database.Services.GetRequiredService<DatabaseMigrator>().WhenMigratedAsync(default);

        var inventory = AlertFleet.Build(Start, alerting);
        var feed = new InProcessStateFeed();
        var all = AllUp(inventory, time.GetUtcNow()).ToDictionary(s => s.Entity);
        foreach (var state in states ?? [])
        {
            all[state.Entity] = state;
        }

        await feed.PublishAsync(new StateDelta(1, [.. all.Values], []), default);
        var view = new LiveStateView(feed, time);
        view.Start();
        await view.Loaded.WaitAsync(Wait);
        var harness = new AlertHarness(directory, time, inventory, database, feed, view,
            receivers is null ? [new RecordingReceiver("pager", escalationOnly: false), new RecordingReceiver("duty-manager", escalationOnly: true)] : [],
            receivers ?? [])
        {
            _version = 1,
        };
        await harness.Book.LoadAsync(default);
        return harness;
    }

    /// <summary>Every entity of the fleet up (endpoints and nodes of an event that is not running: inactive).</summary>
    public static IEnumerable<EntityState> AllUp(FleetInventory inventory, DateTimeOffset now)
    {
        foreach (var device in inventory.Devices.Values)
        {
            yield return State(EntityRef.Device(device.Id), StateValue.Up, Reason.Of(ReasonCodes.DeviceResponding), now);
            foreach (var port in device.Ports)
            {
                yield return State(EntityRef.Port(device.Id, port.Name), StateValue.Up, Reason.Of(ReasonCodes.PortOperUp), now);
            }
        }

        foreach (var link in inventory.Links.Values)
        {
            yield return State(EntityRef.Link(link.Id), StateValue.Up, Reason.Of(ReasonCodes.LinkUp), now);
        }

        foreach (var node in inventory.Nodes.Values)
        {
            var deployed = FleetInventory.PhaseOf(node.Assignments, now) == DeploymentPhase.Deployed;
            yield return State(EntityRef.Node(node.Id), deployed ? StateValue.Up : StateValue.Inactive,
                deployed ? Reason.Of(ReasonCodes.NodeReporting) : Reason.Of(ReasonCodes.NotDeployed, ("phase", "InStorage")), now);
        }

        foreach (var endpoint in inventory.Endpoints.Values)
        {
            var deployed = FleetInventory.PhaseOf(endpoint.Assignments, now) == DeploymentPhase.Deployed;
            yield return State(EntityRef.Endpoint(endpoint.Id), deployed ? StateValue.Up : StateValue.Inactive,
                deployed ? Reason.Of(ReasonCodes.EndpointSeen, ("device", "mogli-1-sw"), ("port", endpoint.PlannedPort)) : Reason.Of(ReasonCodes.NotDeployed), now);
        }
    }

    public static EntityState State(EntityRef entity, StateValue value, Reason reason, DateTimeOffset since,
        params (string Key, double Value)[] metrics) =>
        new(entity, value, reason, since, since, "test", TimeSpan.FromMinutes(5))
        {
            Metrics = metrics.ToImmutableSortedDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal),
        };

    /// <summary>Publishes states as one delta and waits until the view applied it.</summary>
    public async Task SetAsync(params EntityState[] states)
    {
        var version = ++_version;
        await _feed.PublishAsync(new StateDelta(version, states, []), default);
        await Eventually.TrueAsync(() => View.Version >= version, Wait, $"view at version {version}");
    }

    /// <summary>States "now" on the fake clock.</summary>
    public EntityState Now(EntityRef entity, StateValue value, Reason reason, params (string Key, double Value)[] metrics) =>
        State(entity, value, reason, Time.GetUtcNow(), metrics);

    /// <summary>
    /// Evaluates what the feed holds now, moves the clock by <paramref name="advance"/> and evaluates again, then lets the
    /// group wait pass, evaluates once more and delivers what is due.
    /// </summary>
    public async Task StepAsync(TimeSpan? advance = null)
    {
        await Book.StepAsync(default);
        if (advance is { } by)
        {
            Time.Advance(by);
            await Book.StepAsync(default);
        }

        Time.Advance(Inventory.Current.Alerting.Timing.GroupWait);
        await Book.StepAsync(default);
        await Dispatcher.DeliverDueAsync(default);
    }

    /// <summary>A fresh book on the same database: a restart.</summary>
    public async Task<AlertHarness> RestartAsync()
    {
        var states = View.States.ToList();
        var at = Time.GetUtcNow();
        await DisposeCoreAsync(deleteDirectory: false);
        return await StartAsync(Inventory.Current.Alerting, Directory, at, states);
    }

    public ValueTask DisposeAsync() => DisposeCoreAsync(deleteDirectory: true);

    private async ValueTask DisposeCoreAsync(bool deleteDirectory)
    {
        Book.Dispose();
        Dispatcher.Dispose();
        await View.DisposeAsync();
        await _database.StopAsync();
        _database.Dispose();
        if (deleteDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>An inventory the test replaces as an edit would.</summary>
internal sealed class MutableInventory(FleetInventory inventory) : IInventoryProvider
{
    public FleetInventory Current { get; set; } = inventory;

    public InventoryError[]? LastRefusal => null;

    public DateTimeOffset? LastRefusalAt => null;

    public event EventHandler<InventoryChangedEventArgs>? Changed { add { } remove { } }

    public event EventHandler<InventoryRefusedEventArgs>? Refused { add { } remove { } }
}

/// <summary>A receiver that keeps what it is handed, and refuses it while the test says it is down.</summary>
internal sealed class RecordingReceiver(string name, bool escalationOnly) : IAlertReceiver
{
    public ConcurrentQueue<Notification> Received { get; } = new();

    public bool Down { get; set; }

    public string Name => name;

    public string Kind => "test";

    public bool EscalationOnly => escalationOnly;

    public TimeSpan? RefreshEvery => null;

    public Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException("connection refused (test receiver down)");
        }

        Received.Enqueue(notification);
        return Task.CompletedTask;
    }

    /// <summary>What was received, as "Kind rule subject" lines, and forgets it.</summary>
    public List<string> Take()
    {
        var lines = new List<string>();
        while (Received.TryDequeue(out var n))
        {
            lines.AddRange(n.Alerts.Select(a => $"{n.Kind} {a.Rule} {a.Subject}"));
        }

        return lines;
    }
}
