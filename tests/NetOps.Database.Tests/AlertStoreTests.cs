using System.Collections.Immutable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Alerts;
using NetOps.Testing;

namespace NetOps.Database.Tests;

/// <summary>The alert store against a real engine; one subclass per provider, a fresh database per test.</summary>
public abstract class AlertStoreTests : IAsyncLifetime
{
    /// <summary>Whole milliseconds: PostgreSQL keeps microseconds, .NET ticks of 100 ns.</summary>
    private static readonly DateTimeOffset Now = new(2026, 8, 20, 12, 0, 0, 250, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly List<IHost> _hosts = [];

    /// <summary>The "Database" and "Storage" settings of this test's empty database.</summary>
    protected abstract Task<Dictionary<string, string?>> CreateDatabaseAsync();

    private Dictionary<string, string?> Settings { get; set; } = [];

    public async Task InitializeAsync() => Settings = await CreateDatabaseAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task SavedAlert_LoadsWithEveryProperty()
    {
        var store = await StartAsync();
        var open = Full("a1");
        var resolved = Firing("a2", Now.AddHours(-2)) with
        {
            Status = AlertStatus.Resolved,
            EndsAt = Now.AddMinutes(-5),
            Acknowledgement = new Acknowledgement("bob", Now.AddHours(-1), Comment: null),
        };

        await store.SaveAsync(Changes(alerts: [open, resolved]), default);

        var loaded = await (await StartAsync()).LoadAlertsAsync(Now.AddHours(-1), default);
        Assert.Equal(2, loaded.Count);
        AssertSame(open, Assert.Single(loaded, a => a.Id == "a1"));
        AssertSame(resolved, Assert.Single(loaded, a => a.Id == "a2"));
        var labels = loaded.Single(a => a.Id == "a1").Labels;
        Assert.Equal(["Zone", "alertname", "severity", "subject", "team", "ämter"], labels.Keys); // ordinal, as the domain sorts
    }

    [Fact]
    public async Task Acknowledgement_IsSeenAfterARestart_AndANewAlertIsInsertedInTheSameSave()
    {
        var firing = Firing("link-down-1", Now.AddMinutes(-10));
        await (await StartAsync()).SaveAsync(Changes(alerts: [firing]), default);

        var restarted = await StartAsync();
        var acknowledged = Assert.Single(await restarted.LoadAlertsAsync(Now, default)) with
        {
            Status = AlertStatus.Acknowledged,
            UpdatedAt = Now,
            Acknowledgement = new Acknowledgement("anna", Now, "on my way"),
        };
        var second = Firing("node-silent-1", Now);
        await restarted.SaveAsync(Changes(alerts: [acknowledged, second]), default);

        var loaded = await (await StartAsync()).LoadAlertsAsync(Now, default);
        Assert.Equal(2, loaded.Count);
        AssertSame(acknowledged, Assert.Single(loaded, a => a.Id == firing.Id));
        AssertSame(second, Assert.Single(loaded, a => a.Id == second.Id));
    }

    [Fact]
    public async Task ReopenedAlert_KeepsItsId_AndResolvedOnesLoadOnlyWithinTheGrace()
    {
        var store = await StartAsync();
        var alert = Firing("a1", Now.AddMinutes(-30));
        var resolved = alert with { Status = AlertStatus.Resolved, EndsAt = Now.AddMinutes(-10), UpdatedAt = Now.AddMinutes(-10) };
        var longGone = Firing("old", Now.AddDays(-2)) with { Status = AlertStatus.Resolved, EndsAt = Now.AddDays(-1) };
        await store.SaveAsync(Changes(alerts: [resolved, longGone]), default);

        Assert.Equal("a1", Assert.Single(await store.LoadAlertsAsync(Now.AddMinutes(-15), default)).Id);
        Assert.Empty(await store.LoadAlertsAsync(Now.AddMinutes(-9), default));

        var reopened = resolved with { Status = AlertStatus.Firing, EndsAt = null, UpdatedAt = Now, Reopened = 1 };
        await store.SaveAsync(Changes(alerts: [reopened]), default);

        var loaded = Assert.Single(await store.LoadAlertsAsync(Now, default));
        AssertSame(reopened, loaded);
        Assert.Equal(alert.StartsAt, loaded.StartsAt);
        Assert.Equal(["a1", "old"], (await store.HistoryAsync(Now.AddDays(-3), Now.AddDays(1), 10, default)).Select(a => a.Id));
    }

    [Fact]
    public async Task Silences_AreSavedExpiredAndLoadedByTheirEnd()
    {
        var store = await StartAsync();
        Matcher[] matchers =
        [
            new(AlertLabels.Name, MatchOperator.Equal, "LinkDown"),
            new(AlertLabels.Subject, MatchOperator.NotEqual, "link:core-acc-nord"),
            new("zone", MatchOperator.Regex, "kerwe-.*"),
            new("team", MatchOperator.NotRegex, "noc|ops"),
        ];
        var maintenance = new Silence("s1", matchers, Now.AddMinutes(-5), Now.AddHours(2), "anna", "switch swap", Now.AddMinutes(-6));
        var pending = new Silence("s2", [matchers[0]], Now.AddHours(1), Now.AddHours(3), "bob", "tomorrow's work", Now);
        var ended = new Silence("s3", [matchers[0]], Now.AddHours(-3), Now.AddHours(-1), "bob", "yesterday", Now.AddHours(-3));
        await store.SaveAsync(Changes(silences: [maintenance, pending, ended]), default);

        var loaded = await (await StartAsync()).LoadSilencesAsync(Now, default);
        Assert.Equal(["s1", "s2"], loaded.Select(s => s.Id).Order(StringComparer.Ordinal));
        AssertSame(maintenance, loaded.Single(s => s.Id == "s1"));
        AssertSame(pending, loaded.Single(s => s.Id == "s2"));

        var expired = maintenance with { EndsAt = Now, ExpiredBy = "carl" };
        await store.SaveAsync(Changes(silences: [expired]), default);

        Assert.Equal("s2", Assert.Single(await store.LoadSilencesAsync(Now, default)).Id);
        AssertSame(expired, Assert.Single(await store.LoadSilencesAsync(Now.AddMinutes(-1), default), s => s.Id == "s1"));
    }

    [Fact]
    public async Task Notifications_GetIds_AndComeDueInIdOrder_WithTheirAlertsAsTheyWere()
    {
        var store = await StartAsync();
        var alert = Full("a1");
        await store.SaveAsync(Changes(notifications:
        [
            Queued("mail", NotificationKind.Firing, Now.AddSeconds(-2), alert),
            Queued("chat", NotificationKind.Firing, Now.AddSeconds(-1), alert, Firing("a2", Now)),
            Queued("mail", NotificationKind.Escalation, Now.AddMinutes(5), alert),
        ]), default);
        await store.SaveAsync(Changes(notifications: [Queued("chat", NotificationKind.Resolved, Now.AddSeconds(-10), alert)]), default);

        var due = await (await StartAsync()).DueNotificationsAsync(Now, 10, default);

        Assert.Equal(3, due.Count);
        Assert.All(due, n => Assert.True(n.Id > 0));
        Assert.Equal(due.Select(n => n.Id).Order(), due.Select(n => n.Id));
        Assert.Equal([NotificationKind.Firing, NotificationKind.Firing, NotificationKind.Resolved], due.Select(n => n.Kind));
        Assert.Equal(["mail", "chat", "chat"], due.Select(n => n.Receiver));
        var chat = due[1];
        Assert.Equal("group:a1", chat.GroupKey);
        Assert.Equal(Now.AddMinutes(-1), chat.CreatedAt);
        Assert.Equal(Now.AddSeconds(-1), chat.NextAttemptAt);
        Assert.Equal(0, chat.Attempts);
        Assert.Null(chat.DeliveredAt);
        Assert.Equal(2, chat.Alerts.Count);
        AssertSame(alert, chat.Alerts[0]);
        AssertSame(Firing("a2", Now), chat.Alerts[1]);
        Assert.Equal(due.Take(2).Select(n => n.Id), (await store.DueNotificationsAsync(Now, 2, default)).Select(n => n.Id));
        Assert.Equal(4, (await store.DueNotificationsAsync(Now.AddMinutes(5), 10, default)).Count);
    }

    [Fact]
    public async Task FailedDelivery_MovesTheNextAttempt_AndDeliveredOnesAreNoLongerDue_AndTheBacklogSaysSo()
    {
        var store = await StartAsync();
        var alert = Firing("a1", Now);
        await store.SaveAsync(Changes(notifications:
        [
            Queued("mail", NotificationKind.Firing, Now, alert),
            Queued("chat", NotificationKind.Firing, Now, alert),
            Queued("chat", NotificationKind.Repeat, Now, alert),
        ]), default);
        var due = await store.DueNotificationsAsync(Now, 10, default);
        var (mail, chat, chatRepeat) = (due[0].Id, due[1].Id, due[2].Id);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await store.MarkFailedAsync(mail, "smtp: connection refused", Now.AddSeconds(30), default);
        await store.MarkFailedAsync(chat, "chat: 502", Now.AddSeconds(10), default);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await store.MarkFailedAsync(mail, "smtp: 451 try later", Now.AddMinutes(1), default);
        await store.MarkDeliveredAsync(chatRepeat, _clock.GetUtcNow(), default);

        Assert.Empty(await store.DueNotificationsAsync(Now.AddSeconds(5), 10, default));
        Assert.Equal([chat], (await store.DueNotificationsAsync(Now.AddSeconds(10), 10, default)).Select(n => n.Id));
        var failed = (await store.DueNotificationsAsync(Now.AddMinutes(1), 10, default)).Single(n => n.Id == mail);
        Assert.Equal(2, failed.Attempts);
        Assert.Equal("smtp: 451 try later", failed.LastError);
        Assert.Equal(Now.AddMinutes(1), failed.NextAttemptAt);

        var backlog = await store.BacklogAsync(default);
        Assert.Equal(["chat", "mail"], backlog.Select(b => b.Receiver));
        // chat's last attempt (the repeat) went through; mail's failed.
        Assert.Equal(new ReceiverBacklog("chat", 1, Now.AddMinutes(-1), null, Now.AddSeconds(2)), backlog[0]);
        Assert.Equal(new ReceiverBacklog("mail", 1, Now.AddMinutes(-1), "smtp: 451 try later", Now.AddSeconds(2)), backlog[1]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await store.MarkFailedAsync(chat, "chat: 503", Now.AddMinutes(1), default);
        await store.MarkDeliveredAsync(mail, _clock.GetUtcNow(), default);

        backlog = await (await StartAsync()).BacklogAsync(default);
        Assert.Equal(new ReceiverBacklog("chat", 1, Now.AddMinutes(-1), "chat: 503", Now.AddSeconds(3)), backlog[0]);
        Assert.Equal(new ReceiverBacklog("mail", 0, null, null, Now.AddSeconds(3)), backlog[1]);
        Assert.Equal([chat], (await store.DueNotificationsAsync(Now.AddHours(1), 10, default)).Select(n => n.Id));
    }

    [Fact]
    public async Task History_HoldsAlertsOpenInTheRange_NewestFirst()
    {
        var store = await StartAsync();
        var from = Now.AddHours(-2);
        var until = Now.AddHours(-1);
        Alert Resolved(string id, DateTimeOffset starts, DateTimeOffset ends) =>
            Firing(id, starts) with { Status = AlertStatus.Resolved, EndsAt = ends };
        await store.SaveAsync(Changes(alerts:
        [
            Resolved("before", Now.AddHours(-4), from.AddTicks(-TimeSpan.TicksPerMillisecond)),
            Resolved("ends-at-from", Now.AddHours(-3), from),
            Resolved("inside", from.AddMinutes(10), from.AddMinutes(20)),
            Firing("still-open", Now.AddHours(-5)),
            Resolved("spans", Now.AddMinutes(-150), Now),
            Firing("starts-at-until", until),
            Firing("after", Now),
        ]), default);

        var history = await store.HistoryAsync(from, until, 10, default);

        Assert.Equal(["inside", "spans", "ends-at-from", "still-open"], history.Select(a => a.Id));
        Assert.Equal(["inside"], (await store.HistoryAsync(from, until, 1, default)).Select(a => a.Id));
    }

    [Fact]
    public async Task Audit_IsNewestFirst_WithIds()
    {
        var store = await StartAsync();
        await store.SaveAsync(Changes(audit:
        [
            new AuditEntry(Now.AddMinutes(-2), "anna", "acknowledge", "a1", "on my way"),
            new AuditEntry(Now, "bob", "silence", "s1", "matchers: alertname=\"LinkDown\""),
        ]), default);
        await store.SaveAsync(Changes(audit: [new AuditEntry(Now.AddMinutes(-1), "system", "expire", "s0", "")]), default);

        var audit = await (await StartAsync()).AuditAsync(10, default);

        Assert.Equal(["s1", "s0", "a1"], audit.Select(a => a.Target));
        Assert.Equal(new AuditEntry(Now, "bob", "silence", "s1", "matchers: alertname=\"LinkDown\"") { Id = audit[0].Id }, audit[0]);
        Assert.Equal(3, audit.Select(a => a.Id).Where(id => id > 0).Distinct().Count());
        Assert.Equal(["s1", "s0"], (await store.AuditAsync(2, default)).Select(a => a.Target));
    }

    [Fact]
    public async Task SaveWithAnElementTheDatabaseRefuses_StoresNothing()
    {
        var store = await StartAsync();
        var before = Firing("a1", Now.AddMinutes(-5));
        await store.SaveAsync(Changes(alerts: [before]), default);

        // The audit entry comes last and breaks a NOT NULL column: the alert update, the new alert, the silence and the
        // notification before it must not be stored either.
        var refused = Changes(
            alerts: [before with { Status = AlertStatus.Acknowledged, Acknowledgement = new Acknowledgement("anna", Now, null) }, Firing("a2", Now)],
            silences: [new Silence("s1", [new Matcher(AlertLabels.Name, MatchOperator.Equal, "LinkDown")], Now, Now.AddHours(1), "anna", "", Now)],
            notifications: [Queued("mail", NotificationKind.Firing, Now, before)],
            audit: [new AuditEntry(Now, "anna", "acknowledge", "a1", "ok"), new AuditEntry(Now, null!, "silence", "s1", "")]);
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => store.SaveAsync(refused, default));
        Assert.IsAssignableFrom<System.Data.Common.DbException>(e.InnerException); // the database refused it, not EF Core

        AssertSame(before, Assert.Single(await store.LoadAlertsAsync(Now.AddDays(-1), default)));
        await using var context = Contexts().CreateDbContext();
        Assert.Equal(0, await context.Silences.CountAsync());
        Assert.Equal(0, await context.Notifications.CountAsync());
        Assert.Equal(0, await context.AlertAudit.CountAsync());
    }

    [Fact]
    public async Task AlertStore_IsRegisteredOnce_AsTheInterfaceAndItself()
    {
        var store = await StartAsync();

        Assert.Same(store, _hosts[^1].Services.GetRequiredService<AlertStore>());
    }

    /// <summary>A started host on this test's database (migrated), as a process would run; stopped when the test ends.</summary>
    private async Task<IAlertStore> StartAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return host.Services.GetRequiredService<IAlertStore>();
    }

    private NetOpsDbContextFactory Contexts()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        return new NetOpsDbContextFactory(options, configuration["Storage:DataDirectory"] ?? "data", null);
    }

    private static AlertChanges Changes(
        Alert[]? alerts = null, Silence[]? silences = null, Notification[]? notifications = null, AuditEntry[]? audit = null) =>
        new(alerts ?? [], silences ?? [], notifications ?? [], audit ?? []);

    private static Notification Queued(string receiver, NotificationKind kind, DateTimeOffset nextAttempt, params Alert[] alerts) =>
        new(0, receiver, "group:" + alerts[0].Id, kind, alerts, Now.AddMinutes(-1)) { NextAttemptAt = nextAttempt };

    private static Alert Firing(string id, DateTimeOffset startsAt) =>
        new(id, "LinkDown", "link:" + id, AlertSeverity.Critical, AlertStatus.Firing, startsAt, null, startsAt);

    /// <summary>An alert with every property set, times in another offset than UTC.</summary>
    private static Alert Full(string id)
    {
        var berlin = TimeSpan.FromHours(2);
        return new Alert(id, "NodeRuntimeLow", "node:ups-buehne", AlertSeverity.Warning, AlertStatus.Acknowledged,
            Now.AddMinutes(-20).ToOffset(berlin), null, Now.AddMinutes(-1).ToOffset(berlin))
        {
            Labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [AlertLabels.Name] = "NodeRuntimeLow",
                [AlertLabels.Severity] = "warning",
                [AlertLabels.Subject] = "node:ups-buehne",
                ["team"] = "strom",
                ["Zone"] = "kerwe-2026/main-stage",
                ["ämter"] = "\"quoted\" \\ and ünïcode",
            }),
            Annotations = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [AlertAnnotations.Summary] = "runtime left 12 min",
                [AlertAnnotations.Runbook] = "https://wiki.example/ups",
                [AlertAnnotations.Affected] = "2 subjects",
            }),
            Acknowledgement = new Acknowledgement("anna", Now.AddMinutes(-2).ToOffset(berlin), "generator is coming"),
            Affected = ["device:acc-buehne", "endpoint:kasse-3"],
            SilencedBy = "s-17",
            InMaintenance = "mw-stage",
            Flapping = true,
            Reopened = 3,
            EscalatedAt = Now.AddMinutes(-5),
            LastNotifiedAt = Now.AddMinutes(-3),
        };
    }

    /// <summary>Every property; the collections by content (the records compare them by reference).</summary>
    private static void AssertSame(Alert expected, Alert actual)
    {
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Annotations, actual.Annotations);
        Assert.Equal(expected.Affected.AsEnumerable(), actual.Affected.AsEnumerable()); // ImmutableArray's own Equals is by reference
        Assert.Equal(expected with { Labels = actual.Labels, Annotations = actual.Annotations, Affected = actual.Affected }, actual);
    }

    private static void AssertSame(Silence expected, Silence actual)
    {
        Assert.Equal(expected.Matchers.Select(m => (m.Name, m.Operator, m.Value)), actual.Matchers.Select(m => (m.Name, m.Operator, m.Value)));
        Assert.Equal(expected with { Matchers = actual.Matchers }, actual);
    }
}

/// <summary>The zero-setup default: SQLite in the data directory.</summary>
public sealed class SqliteAlertStoreTests : AlertStoreTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netops-alerts-").FullName;

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
public sealed class PostgresAlertStoreTests(PostgresServer server) : AlertStoreTests, IClassFixture<PostgresServer>
{
    protected override async Task<Dictionary<string, string?>> CreateDatabaseAsync() => new()
    {
        ["Database:Provider"] = "PostgreSQL",
        ["Database:ConnectionString"] = await server.CreateDatabaseAsync(),
    };
}
