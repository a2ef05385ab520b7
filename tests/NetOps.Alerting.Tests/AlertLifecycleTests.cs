using NetOps.Core.Alerts;
using NetOps.Core.State;
using static NetOps.Alerting.Tests.AlertHarness;

namespace NetOps.Alerting.Tests;

/// <summary>Root cause, flapping, silences, maintenance, escalation, re-opening, restarts and receivers that are down.</summary>
public sealed class AlertLifecycleTests
{
    private static readonly Reason BehindBackbone = Reason.Of(ReasonCodes.BehindFailedLink, ("link", AlertFleet.Backbone), ("since", Start));

    [Fact]
    public async Task BackboneCut_GivesOneNotificationNamingTheLink_AndOneResolvedOnRestore()
    {
        await using var alerts = await StartAsync();

        await alerts.SetAsync(Cut(alerts));
        // Long enough for every hold-down of what is behind it.
        await alerts.StepAsync(TimeSpan.FromMinutes(5));

        var alert = Assert.Single(alerts.Book.Open);
        Assert.Equal(("LinkDown", "link:core-acc-nord"), (alert.Rule, alert.Subject));
        Assert.Equal("link Core – Nord down: port Te1/0/1 on core down since 2026-08-21 20:00", alert.Summary);
        Assert.Equal("2 links, 3 devices, 1 MOGLI node, 4 cameras, 1 zone behind it", alert.Annotations[AlertAnnotations.Affected]);
        Assert.Contains("device:sw-site", alert.Affected);
        Assert.Contains("endpoint:cam-4", alert.Affected);
        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());

        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));

        Assert.Empty(alerts.Book.Open);
        Assert.Equal(["Resolved LinkDown link:core-acc-nord"], alerts.Pager.Take());
        Assert.Empty(alerts.Receivers[1].Take());
    }

    [Fact]
    public async Task RootCauseClears_WhatStaysDownBehindIt_AlertsOnItsOwn()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));
        alerts.Pager.Take();

        // The fibre is back, but the school's switch lost power meanwhile.
        await alerts.SetAsync([
            .. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow()).Where(s => s.Entity != EntityRef.Device("sw-site")),
            alerts.Now(EntityRef.Device("sw-site"), StateValue.Down, Reason.Of(ReasonCodes.DeviceUnreachable, ("device", "sw-site"), ("error", "timeout"))),
        ]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["Resolved LinkDown link:core-acc-nord"], alerts.Pager.Take());

        await alerts.StepAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["Firing DeviceUnreachable device:sw-site"], alerts.Pager.Take());
    }

    [Fact]
    public async Task NodeSwitchedOff_AlertsOnTheNode_NotOnItsSwitchOrCameras()
    {
        await using var alerts = await StartAsync();
        var unreachable = Reason.Of(ReasonCodes.DeviceUnreachable, ("device", "mogli-1-sw"), ("error", "timeout"));
        await alerts.SetAsync([
            alerts.Now(EntityRef.Node("mogli-1"), StateValue.Down, Reason.Of(ReasonCodes.NodeOffline, ("node", "mogli-1"))),
            alerts.Now(EntityRef.Device("mogli-1-sw"), StateValue.Down, unreachable),
            .. Enumerable.Range(1, 4).Select(i => alerts.Now(EntityRef.Endpoint($"cam-{i}"), StateValue.Unknown,
                Reason.Of(ReasonCodes.EndpointSwitchUnknown, ("device", "mogli-1-sw")))),
        ]);

        await alerts.StepAsync(TimeSpan.FromMinutes(5));

        var alert = Assert.Single(alerts.Book.Open);
        Assert.Equal("node:mogli-1", alert.Subject);
        Assert.Equal("1 device, 4 cameras, 1 zone behind it", alert.Annotations[AlertAnnotations.Affected]);
    }

    [Fact]
    public async Task FlappingLink_SendsOneFlappingNotice_ThenNothingUntilStable()
    {
        await using var alerts = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await alerts.SetAsync(Cut(alerts));
            await alerts.StepAsync(TimeSpan.FromSeconds(30));
            await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
            await alerts.StepAsync(TimeSpan.FromSeconds(30));
        }

        // Fired, resolved, re-opened, resolved; the fifth change makes it flap: one notice, then silence.
        Assert.Equal(
            ["Firing LinkDown link:core-acc-nord", "Resolved LinkDown link:core-acc-nord", "Firing LinkDown link:core-acc-nord",
             "Resolved LinkDown link:core-acc-nord", "Flapping LinkDown link:core-acc-nord"],
            alerts.Pager.Take());
        var alert = Assert.Single(await alerts.Book.HistoryAsync(Start, alerts.Time.GetUtcNow(), 10, default));
        Assert.True(alert.Flapping);
        Assert.Equal(4, alert.Reopened);

        // Stable (up) for the damping's five minutes: one last word, resolved.
        await alerts.StepAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(["Resolved LinkDown link:core-acc-nord"], alerts.Pager.Take());
    }

    [Fact]
    public async Task Silence_HoldsNotificationsBack_AndItsExpiryTellsWhatStillFires()
    {
        await using var alerts = await StartAsync();
        var silence = await alerts.Book.SilenceAsync(new SilenceRequest(
            [new Matcher(AlertLabels.Subject, MatchOperator.Regex, "link:core-.*")], Start, Start.AddHours(1), "anna", "fibre works at Nord"), default);

        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(5));

        var alert = Assert.Single(alerts.Book.Open);
        Assert.Equal(silence.Id, alert.SilencedBy);
        Assert.Empty(alerts.Pager.Take());

        await alerts.Book.ExpireSilenceAsync(silence.Id, "anna", default);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());
        Assert.Null(Assert.Single(alerts.Book.Open).SilencedBy);
        var audit = await alerts.Book.AuditAsync(10, default);
        Assert.Contains(audit, a => a is { Action: "silence created", Actor: "anna" });
        Assert.Contains(audit, a => a is { Action: "silence expired", Actor: "anna" });
    }

    [Fact]
    public async Task SilenceRunningOut_TellsWhatStillFires()
    {
        await using var alerts = await StartAsync();
        await alerts.Book.SilenceAsync(new SilenceRequest(
            [new Matcher(AlertLabels.Name, MatchOperator.Equal, "LinkDown")], Start, Start.AddMinutes(10), "anna", "planned"), default);
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromMinutes(5));
        Assert.Empty(alerts.Pager.Take());

        await alerts.StepAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());
    }

    [Theory]
    [InlineData(new string[0], "at least one matcher")]
    [InlineData(new[] { "subject=~\"(\"" }, "not a regular expression")]
    public async Task BadSilence_IsRefusedWithTheReason(string[] matchers, string message)
    {
        await using var alerts = await StartAsync();

        var refused = await Assert.ThrowsAsync<AlertCommandException>(() => alerts.Book.SilenceAsync(new SilenceRequest(
            [.. matchers.Select(m => new Matcher("subject", MatchOperator.Regex, "("))], Start, Start.AddHours(1), "anna", "x"), default));

        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public async Task MaintenanceWindow_HoldsBackWhileOpen_ThenTellsWhatStillFires()
    {
        var window = new MaintenanceWindow("nord-works", "Fibre works Nord", [new Matcher(AlertLabels.Subject, MatchOperator.Equal, "link:core-acc-nord")])
        {
            From = Start.AddMinutes(-5),
            Until = Start.AddMinutes(30),
        };
        await using var alerts = await StartAsync(AlertPolicy.Default with { Maintenance = [window] });
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        Assert.Equal("nord-works", Assert.Single(alerts.Book.Open).InMaintenance);
        Assert.Empty(alerts.Pager.Take());

        await alerts.StepAsync(TimeSpan.FromMinutes(20));
        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());
    }

    [Fact]
    public async Task RecurringMaintenance_OpensByCron()
    {
        // Every night 19:50 to 20:20 Berlin time (summer: UTC+2), which holds Start (18:00 UTC = 20:00 CEST).
        var window = new MaintenanceWindow("nightly", "Nightly reboot", [new Matcher(AlertLabels.Name, MatchOperator.Equal, "LinkDown")])
        {
            Cron = "0 50 19 * * ?",
            Duration = TimeSpan.FromMinutes(30),
        };
        await using var alerts = await StartAsync(AlertPolicy.Default with { Maintenance = [window] });
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("nightly", Assert.Single(alerts.Book.Open).InMaintenance);

        await alerts.StepAsync(TimeSpan.FromMinutes(20));
        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());
    }

    [Fact]
    public async Task CriticalAlertNobodyAcknowledges_EscalatesOnce_ToTheSecondLine()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        alerts.Pager.Take();

        await alerts.StepAsync(TimeSpan.FromMinutes(14));
        Assert.Empty(alerts.Receivers[1].Take());

        await alerts.StepAsync(TimeSpan.FromMinutes(1));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(["Escalation LinkDown link:core-acc-nord"], alerts.Receivers[1].Take());
        Assert.Empty(alerts.Pager.Take());
    }

    [Fact]
    public async Task AcknowledgedAlert_DoesNotEscalateOrRepeat()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(alerts.Book.Open);

        var acknowledged = await alerts.Book.AcknowledgeAsync(alert.Id, "ben", "on my way to Nord", default);
        await alerts.StepAsync(TimeSpan.FromHours(5));

        Assert.Equal(AlertStatus.Acknowledged, acknowledged!.Status);
        Assert.Equal(("ben", "on my way to Nord"), (acknowledged.Acknowledgement!.By, acknowledged.Acknowledgement.Comment));
        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());
        Assert.Empty(alerts.Receivers[1].Take());
    }

    [Fact]
    public async Task FiringAlert_RepeatsAfterTheRepeatInterval()
    {
        await using var alerts = await StartAsync(AlertPolicy.Default with
        {
            Timing = AlertTiming.Default with { RepeatInterval = TimeSpan.FromMinutes(30), EscalateAfter = TimeSpan.FromDays(1) },
        });
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.StepAsync(TimeSpan.FromMinutes(29));
        Assert.Equal(["Firing LinkDown link:core-acc-nord"], alerts.Pager.Take());

        await alerts.StepAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["Repeat LinkDown link:core-acc-nord"], alerts.Pager.Take());
    }

    [Fact]
    public async Task AcknowledgingResolvedOrUnknownAlert_IsRefusedOrNotFound()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(alerts.Book.Open);
        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<AlertCommandException>(() => alerts.Book.AcknowledgeAsync(alert.Id, "ben", null, default));
        Assert.Null(await alerts.Book.AcknowledgeAsync("no-such-alert", "ben", null, default));
    }

    [Fact]
    public async Task Restart_KeepsAcknowledgementsAndSilences_AndSendsNothingTwice()
    {
        var alerts = await StartAsync();
        AlertHarness? restarted = null;
        try
        {
            await alerts.SetAsync([
                .. Cut(alerts),
                alerts.Now(EntityRef.Port("core", "Te1/0/2"), StateValue.Degraded, Reason.Of(ReasonCodes.PortOpticalMarginLow)),
            ]);
            await alerts.StepAsync(TimeSpan.FromMinutes(3));
            var link = alerts.Book.Open.Single(a => a.Rule == "LinkDown");
            await alerts.Book.AcknowledgeAsync(link.Id, "ben", "on it", default);
            var silence = await alerts.Book.SilenceAsync(new SilenceRequest(
                [new Matcher(AlertLabels.Name, MatchOperator.Equal, "PortErrorsHigh")], Start, Start.AddHours(2), "anna", "known noise"), default);
            Assert.Equal(2, alerts.Pager.Take().Count);

            restarted = await alerts.RestartAsync();
            await restarted.StepAsync(TimeSpan.FromSeconds(1));
            await restarted.StepAsync(TimeSpan.FromMinutes(1));

            var after = restarted.Book.Open.Single(a => a.Rule == "LinkDown");
            Assert.Equal((link.Id, AlertStatus.Acknowledged, "ben"), (after.Id, after.Status, after.Acknowledgement?.By));
            Assert.Equal(silence.Id, Assert.Single(restarted.Book.Silences).Id);
            Assert.Equal(2, restarted.Book.Open.Count);
            Assert.Empty(restarted.Pager.Take());
        }
        finally
        {
            await (restarted ?? alerts).DisposeAsync();
        }
    }

    [Fact]
    public async Task ReceiverDown_KeepsEverything_AndGetsItInOrderWhenBack()
    {
        await using var alerts = await StartAsync();
        alerts.Pager.Down = true;
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.StepAsync(TimeSpan.FromSeconds(10));

        var pager = alerts.Book.Receivers.Single(r => r.Name == "pager");
        Assert.False(pager.Healthy);
        Assert.Equal(2, pager.Pending);
        Assert.Contains("connection refused", pager.LastError);

        alerts.Pager.Down = false;
        await alerts.StepAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(["Firing LinkDown link:core-acc-nord", "Resolved LinkDown link:core-acc-nord"], alerts.Pager.Take());
        Assert.True(alerts.Book.Receivers.Single(r => r.Name == "pager").Healthy);
        Assert.Equal(0, alerts.Book.Receivers.Single(r => r.Name == "pager").Pending);
    }

    [Fact]
    public async Task ResolvedAlertFiringAgainWithinGrace_ReopensTheSameAlert()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        var first = Assert.Single(alerts.Book.Open);
        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));

        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromMinutes(10));

        var again = Assert.Single(alerts.Book.Open);
        Assert.Equal((first.Id, 1), (again.Id, again.Reopened));

        // After the grace period a new occurrence is a new alert.
        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.StepAsync(TimeSpan.FromMinutes(20));
        await alerts.SetAsync(Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        Assert.NotEqual(first.Id, Assert.Single(alerts.Book.Open).Id);
    }

    /// <summary>The backbone to Nord cut: the link and the core's port down, everything behind it unknown.</summary>
    internal static EntityState[] Cut(AlertHarness alerts) =>
    [
        alerts.Now(EntityRef.Link(AlertFleet.Backbone), StateValue.Down,
            Reason.Of(ReasonCodes.LinkEndDown, ("device", "core"), ("port", "Te1/0/1"), ("since", Start))),
        alerts.Now(EntityRef.Port("core", "Te1/0/1"), StateValue.Down, Reason.Of(ReasonCodes.PortOperDown, ("device", "core"), ("port", "Te1/0/1"))),
        .. new[] { "acc-nord", "sw-site", "mogli-1-sw" }.Select(d => alerts.Now(EntityRef.Device(d), StateValue.Unknown, BehindBackbone)),
        .. new[] { AlertFleet.SiteLink, AlertFleet.MogliLink }.Select(l => alerts.Now(EntityRef.Link(l), StateValue.Unknown,
            Reason.Of(ReasonCodes.LinkEndUnknown, ("device", "acc-nord"), ("port", "Gi1/0/1")))),
        alerts.Now(EntityRef.Node("mogli-1"), StateValue.Down, Reason.Of(ReasonCodes.NodeOffline, ("node", "mogli-1"))),
        .. Enumerable.Range(1, 4).Select(i => alerts.Now(EntityRef.Endpoint($"cam-{i}"), StateValue.Unknown,
            Reason.Of(ReasonCodes.EndpointSwitchUnknown, ("device", "mogli-1-sw")))),
    ];
}
