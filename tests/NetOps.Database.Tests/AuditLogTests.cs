using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Alerts;
using NetOps.Core.Security;

namespace NetOps.Database.Tests;

/// <summary>The audit log against a real engine; one subclass per provider, a fresh database per test.</summary>
public abstract class AuditLogTests : IAsyncLifetime
{
    /// <summary>Whole milliseconds: PostgreSQL keeps microseconds, .NET ticks of 100 ns.</summary>
    private static readonly DateTimeOffset Now = new(2026, 8, 20, 12, 0, 0, 250, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private IHost? _host;

    protected abstract Task<Dictionary<string, string?>> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(await CreateDatabaseAsync());
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    private IAuditLog Log => _host!.Services.GetRequiredService<IAuditLog>();

    [Fact]
    public async Task Entries_ReadBackNewestFirst_WithEveryField_FilteredAndPaged()
    {
        AuditEvent[] written =
        [
            new(Now.AddMinutes(-30), "anna", AuditActions.LoginFailed, "anna", "192.0.2.7", "wrong password"),
            new(Now.AddMinutes(-20), "anna", AuditActions.Login, "anna", "192.0.2.7", null),
            new(Now.AddMinutes(-10), "cli:root", AuditActions.AccountCreated, "bob", null, "role oncall"),
            new(Now.AddMinutes(-5), "admin", AuditActions.Simulator, "/api/simulator/links/x/cut", "2001:db8::1", "done"),
        ];
        foreach (var entry in written)
        {
            await Log.WriteAsync(entry, default);
        }

        Assert.Equal(written.Reverse(), await Log.ReadAsync(new AuditQuery(), default));
        Assert.Equal([written[1], written[0]], await Log.ReadAsync(new AuditQuery(Actor: "anna"), default));
        Assert.Equal([written[2]], await Log.ReadAsync(new AuditQuery(Action: AuditActions.AccountCreated), default));
        Assert.Equal([written[2], written[1]], await Log.ReadAsync(new AuditQuery(From: Now.AddMinutes(-20), Until: Now.AddMinutes(-5)), default));
        Assert.Equal([written[2], written[1]], await Log.ReadAsync(new AuditQuery(Limit: 2, Skip: 1), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Log.ReadAsync(new AuditQuery(Limit: AuditQuery.MaxLimit + 1), default));
    }

    [Fact]
    public async Task Reading_MergesThePeoplesActionsOfTheAlertTrail_NotTheBooksOwn()
    {
        var store = _host!.Services.GetRequiredService<IAlertStore>();
        await store.SaveAsync(new AlertChanges([], [], [],
        [
            new AuditEntry(Now.AddMinutes(-9), "alerting", "fired", "a1", "link down"),
            new AuditEntry(Now.AddMinutes(-7), "oc", AuditActions.Acknowledged, "a1", "on my way"),
            new AuditEntry(Now.AddMinutes(-3), "op", AuditActions.SilenceCreated, "s1", "alertname=\"LinkDown\""),
        ]), default);
        await Log.WriteAsync(new AuditEvent(Now.AddMinutes(-8), "oc", AuditActions.Login, "oc", "192.0.2.9", null), default);

        var all = await Log.ReadAsync(new AuditQuery(), default);

        Assert.Equal([AuditActions.SilenceCreated, AuditActions.Acknowledged, AuditActions.Login], all.Select(e => e.Action));
        Assert.Equal(new AuditEvent(Now.AddMinutes(-7), "oc", AuditActions.Acknowledged, "a1", null, "on my way"), all[1]);
        Assert.Equal(2, (await Log.ReadAsync(new AuditQuery(Actor: "oc"), default)).Count);
        Assert.Single(await Log.ReadAsync(new AuditQuery(Action: AuditActions.SilenceCreated), default));
    }

    [Fact]
    public async Task Prune_DeletesOnlyWhatIsOlderThanTheCutoff()
    {
        // Inside the default retention (400 days), so the host's own pruner, which runs at start, leaves both alone.
        await Log.WriteAsync(new AuditEvent(Now.AddDays(-10), "old", AuditActions.Login, "old", null, null), default);
        await Log.WriteAsync(new AuditEvent(Now.AddDays(-1), "new", AuditActions.Login, "new", null, null), default);

        var pruned = await _host!.Services.GetRequiredService<AuditLog>().PruneAsync(Now.AddDays(-5), default);

        Assert.Equal(1, pruned);
        Assert.Equal(["new"], (await Log.ReadAsync(new AuditQuery(), default)).Select(e => e.Actor));
    }
}

public sealed class SqliteAuditLogTests : AuditLogTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netops-audit-").FullName;

    protected override Task<Dictionary<string, string?>> CreateDatabaseAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["Storage:DataDirectory"] = Path.Combine(_directory, "data") });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A real PostgreSQL from Debian's packages, one server per class, one database per test.</summary>
public sealed class PostgresAuditLogTests(PostgresServer server) : AuditLogTests, IClassFixture<PostgresServer>
{
    protected override async Task<Dictionary<string, string?>> CreateDatabaseAsync() => new()
    {
        ["Database:Provider"] = "PostgreSQL",
        ["Database:ConnectionString"] = await server.CreateDatabaseAsync(),
    };
}
