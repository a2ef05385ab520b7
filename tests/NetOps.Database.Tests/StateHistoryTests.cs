using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.State;
using NetOps.Testing;
using EntityState = NetOps.Core.State.EntityState;

namespace NetOps.Database.Tests;

/// <summary>The operational database against a real engine; one subclass per provider, a fresh database per test.</summary>
public abstract class StateHistoryTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly EntityRef Core = EntityRef.Device("core-rathaus");
    private static readonly EntityRef Uplink = EntityRef.Link("core-acc-nord");

    /// <summary>The "Database" and "Storage" settings of this test's empty database.</summary>
    protected abstract Task<Dictionary<string, string?>> CreateDatabaseAsync();

    protected Dictionary<string, string?> Settings { get; private set; } = [];

    public async Task InitializeAsync() => Settings = await CreateDatabaseAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrations_ApplyOnAnEmptyDatabase_AndAgainOnTheNextStartChangeNothing()
    {
        for (var start = 0; start < 2; start++)
        {
            using var host = Build(TimeProvider.System);
            await host.StartAsync();
            await host.Services.GetRequiredService<DatabaseMigrator>().WhenMigratedAsync(default);
            await host.StopAsync();
        }

        await using var context = Contexts().CreateDbContext();
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await context.StateChanges.CountAsync());
    }

    [Fact]
    public async Task RecordedChanges_SurviveARestart_NewestFirst()
    {
        var feed = new InProcessStateFeed();
        var at = Truncated(DateTimeOffset.UtcNow.AddMinutes(-10));
        await feed.PublishAsync(Delta(1, State(Core, StateValue.Up, Reason.Of("device.answers"), at)), default);
        await using (var live = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20)))
        {
            live.Start();
            await live.Loaded.WaitAsync(Wait);
            using var host = Build(TimeProvider.System, live);
            await host.StartAsync();
            var history = host.Services.GetRequiredService<IStateHistory>();

            var down = Reason.Of("link.end-down", ("device", "acc-nord"), ("port", "xe-0/0/1"), ("since", at.AddMinutes(1)));
            await feed.PublishAsync(Delta(2, State(Uplink, StateValue.Down, down, at.AddMinutes(1))), default); // first sight: baseline
            await feed.PublishAsync(Delta(3, State(Core, StateValue.Degraded, Reason.Of("port.errors", ("rate", 0.02)), at.AddMinutes(2))), default);
            await Eventually.TrueAsync(async () => (await history.LastChangesAsync([Core], 10, default)).Count == 1, Wait, "the first change written");

            // The recorder has the last change but may not have written it yet: stopping writes it.
            await feed.PublishAsync(Delta(4, State(Uplink, StateValue.Up, Reason.Of("link.both-ends-up"), at.AddMinutes(3))), default);
            await SettledAsync(feed, 4, live);
            await host.StopAsync();
        }

        using (var restarted = Build(TimeProvider.System))
        {
            await restarted.StartAsync();
            var history = restarted.Services.GetRequiredService<IStateHistory>();

            var last = await history.LastChangesAsync([Core, Uplink, EntityRef.Device("core-acc-nord")], 10, default);

            Assert.Equal(2, last.Count);
            Assert.Equal(new StateChange(at.AddMinutes(3), Uplink, StateValue.Down, StateValue.Up, Reason.Of("link.both-ends-up")), last[0]);
            Assert.Equal(new StateChange(at.AddMinutes(2), Core, StateValue.Up, StateValue.Degraded, Reason.Of("port.errors", ("rate", 0.02))), last[1]);
            Assert.Equal("0.02", last[1].Reason["rate"]);
            Assert.Single(await history.LastChangesAsync([Core, Uplink], 1, default));
            Assert.Empty(await history.LastChangesAsync([EntityRef.Link("core-rathaus")], 10, default));

            var inRange = await history.ChangesAsync(Uplink, at, at.AddMinutes(3), default);
            Assert.Empty(inRange); // the end of the range is exclusive
            inRange = await history.ChangesAsync(Uplink, at.AddMinutes(3), at.AddMinutes(4), default);
            Assert.Equal(StateValue.Up, Assert.Single(inRange).To);
            await restarted.StopAsync();
        }
    }

    [Fact]
    public async Task TwoProcessesRecordingTheSameFeed_StoreEachChangeOnce()
    {
        var feed = new InProcessStateFeed();
        var at = Truncated(DateTimeOffset.UtcNow.AddMinutes(-10));
        await feed.PublishAsync(Delta(1, State(Core, StateValue.Up, Reason.Of("device.answers"), at)), default);
        await using var webA = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(20));
        await using var webB = new LiveStateView(feed, TimeProvider.System, TimeSpan.FromMilliseconds(35));
        webA.Start();
        webB.Start();
        await Task.WhenAll(webA.Loaded, webB.Loaded).WaitAsync(Wait);
        using var hostA = Build(TimeProvider.System, webA);
        using var hostB = Build(TimeProvider.System, webB);
        // Both start at once: the second migration waits for the first and then finds nothing to do. The four changes come
        // in one burst, which the views fold into one notification to pages: the recorders must still see all four.
        await Task.WhenAll(hostA.StartAsync(), hostB.StartAsync());

        var states = new[] { StateValue.Down, StateValue.Up, StateValue.Degraded, StateValue.Up };
        for (var i = 0; i < states.Length; i++)
        {
            await feed.PublishAsync(Delta(2 + i, State(Core, states[i], Reason.Of("test", ("step", i)), at.AddMinutes(1 + i))), default);
        }

        await SettledAsync(feed, 1 + states.Length, webA, webB);
        await Task.WhenAll(hostA.StopAsync(), hostB.StopAsync());
        await using var context = Contexts().CreateDbContext();
        Assert.Equal(states.Length, await context.StateChanges.CountAsync());
    }

    [Fact]
    public async Task Pruning_DeletesChangesOlderThanTheRetention_AtStartAndHourly()
    {
        var now = new DateTimeOffset(2026, 8, 20, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(now);
        var contexts = Contexts();
        await using (var context = contexts.CreateDbContext())
        {
            await context.Database.MigrateAsync();
            context.StateChanges.AddRange(
                Record(Core, now.AddDays(-100)),
                Record(Core, now.AddDays(-89)),
                Record(Uplink, now.AddDays(-1)));
            await context.SaveChangesAsync();
        }

        Settings["Database:StateHistoryRetention"] = "90.00:00:00";
        using var host = Build(clock);
        await host.StartAsync();

        await Eventually.TrueAsync(async () => await CountAsync(contexts) == 2, Wait, "the 100-day-old change pruned at start");
        clock.Advance(TimeSpan.FromDays(2));
        await Eventually.TrueAsync(async () => await CountAsync(contexts) == 1, Wait, "the change that aged past 90 days pruned at the next hourly run");
        await using (var context = contexts.CreateDbContext())
        {
            Assert.Equal(Uplink.Id, (await context.StateChanges.SingleAsync()).EntityId);
        }

        await host.StopAsync();
    }

    /// <summary>
    /// Returns once the recorders of these views were handed all published up to <paramref name="version"/>: a view tells
    /// its recorders of a delta as it applies it, before it tells its coalesced readers, so a marker told to the test
    /// means every delta before it reached the recorders.
    /// </summary>
    private static async Task SettledAsync(InProcessStateFeed feed, long version, params LiveStateView[] views)
    {
        var told = views.Select(_ => new ConcurrentQueue<EntityRef>()).ToArray();
        var subscriptions = views.Select((view, i) => view.Subscribe(changed =>
        {
            foreach (var entity in changed)
            {
                told[i].Enqueue(entity);
            }
        })).ToList();
        try
        {
            var marker = EntityRef.Device($"marker-{version + 1}");
            await feed.PublishAsync(Delta(version + 1, State(marker, StateValue.Up, Reason.Of("marker"), DateTimeOffset.UtcNow)), default);
            await Eventually.TrueAsync(() => told.All(t => t.Contains(marker)), Wait, $"{marker} told to every reader");
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    private IHost Build(TimeProvider time, LiveStateView? live = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Services.AddSingleton(time);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        if (live is not null)
        {
            builder.Services.AddSingleton(live);
            builder.Services.AddNetOpsStateHistoryRecorder();
        }

        return builder.Build();
    }

    private NetOpsDbContextFactory Contexts()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        Assert.True(new DatabaseOptionsValidator().Validate(null, options).Succeeded);
        return new NetOpsDbContextFactory(options, configuration["Storage:DataDirectory"] ?? "data", null);
    }

    private static async Task<int> CountAsync(NetOpsDbContextFactory contexts)
    {
        await using var context = contexts.CreateDbContext();
        return await context.StateChanges.CountAsync();
    }

    private static StateChangeRecord Record(EntityRef entity, DateTimeOffset at) => new()
    {
        At = at.UtcDateTime,
        EntityKind = entity.Kind,
        EntityId = entity.Id,
        From = StateValue.Up,
        To = StateValue.Down,
        ReasonCode = "test",
        ReasonArgs = "{}",
    };

    /// <summary>PostgreSQL keeps microseconds, .NET ticks of 100 ns: compare at millisecond precision.</summary>
    private static DateTimeOffset Truncated(DateTimeOffset at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static StateDelta Delta(long version, EntityState state) => new(version, [state], []);

    private static EntityState State(EntityRef entity, StateValue value, Reason reason, DateTimeOffset since) =>
        new(entity, value, reason, since, since, "test", TimeSpan.FromMinutes(1))
        {
            Metrics = ImmutableSortedDictionary<string, double>.Empty,
        };
}

/// <summary>The zero-setup default: SQLite in the data directory.</summary>
public sealed class SqliteStateHistoryTests : StateHistoryTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netops-db-").FullName;

    protected override Task<Dictionary<string, string?>> CreateDatabaseAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["Storage:DataDirectory"] = Path.Combine(_directory, "data") });

    [Fact]
    public async Task DefaultDatabase_IsAFileInTheDataDirectory()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.True(File.Exists(Path.Combine(_directory, "data", "netops.db")));
    }

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A real PostgreSQL from Debian's packages, one server per class, one database per test.</summary>
public sealed class PostgresStateHistoryTests(PostgresServer server) : StateHistoryTests, IClassFixture<PostgresServer>
{
    protected override async Task<Dictionary<string, string?>> CreateDatabaseAsync() => new()
    {
        ["Database:Provider"] = "PostgreSQL",
        ["Database:ConnectionString"] = await server.CreateDatabaseAsync(),
    };
}

/// <summary>Starts PostgreSQL once for a test class and hands out empty databases.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private Postgres? _postgres;
    private int _databases;

    public async Task InitializeAsync() => _postgres = await Postgres.StartAsync();

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"netops_{Interlocked.Increment(ref _databases)}";
        await using var connection = new Npgsql.NpgsqlConnection(_postgres!.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = name }.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
