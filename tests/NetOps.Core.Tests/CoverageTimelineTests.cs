using System.Collections.Immutable;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Tests;

/// <summary>The coverage timeline's arithmetic: per camera its stretches, per zone the step function reachable of expected.</summary>
public sealed class CoverageTimelineTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 16, 0, 0, TimeSpan.Zero);
    private static readonly EntityRef Cam1 = EntityRef.Endpoint("cam-1");
    private static readonly EntityRef Cam2 = EntityRef.Endpoint("cam-2");
    private static readonly EntityRef Cam3 = EntityRef.Endpoint("cam-3");

    [Fact]
    public async Task Zone_StepsThroughReachableOfExpected_AndLeavesInactiveOut()
    {
        // Three cameras, all seen at the start; cam-2 down from 10 to 20 min, cam-3 stored (inactive) from 30 min.
        var history = new FakeHistory(
            Change(Cam1, 0, StateValue.Unknown, StateValue.Up),
            Change(Cam2, 0, StateValue.Unknown, StateValue.Up),
            Change(Cam3, 0, StateValue.Unknown, StateValue.Degraded),
            Change(Cam2, 10, StateValue.Up, StateValue.Down),
            Change(Cam2, 20, StateValue.Down, StateValue.Up),
            Change(Cam3, 30, StateValue.Degraded, StateValue.Inactive));

        var timeline = await CoverageTimeline.BuildAsync(Inventory(), Kerwe, history, Start.AddMinutes(40), CancellationToken.None);

        var zone = timeline!.Zones.Single(z => z.ZoneId == "stage");
        Assert.Equal(
            [(0, 10, 3, 3), (10, 20, 2, 3), (20, 30, 3, 3), (30, 40, 2, 2)],
            zone.Steps.Select(s => ((int)(s.From - Start).TotalMinutes, (int)(s.Until - Start).TotalMinutes, s.Reachable, s.Expected)));
        Assert.Equal(100, zone.Steps[^1].Percent);
        var cam2 = zone.Endpoints.Single(e => e.Entity == Cam2);
        Assert.Equal([TimelineValue.Reachable, TimelineValue.Down, TimelineValue.Reachable], cam2.Segments.Select(s => s.Value));
        Assert.Equal((Start.AddMinutes(10), Start.AddMinutes(20)), (cam2.Segments[1].From, cam2.Segments[1].Until));
        Assert.Equal([TimelineValue.Reachable, TimelineValue.Inactive], zone.Endpoints.Single(e => e.Entity == Cam3).Segments.Select(s => s.Value));
        // The zone without endpoints has no steps; before the start there is nothing to show.
        Assert.Empty(timeline.Zones.Single(z => z.ZoneId == "gate").Steps);
        Assert.Null(await CoverageTimeline.BuildAsync(Inventory(), Kerwe, history, Start.AddMinutes(-1), CancellationToken.None));
    }

    [Fact]
    public async Task Timeline_StartsWhenNetOpsFirstRecorded_AndAThingNotSeenYetHasNoEvidence()
    {
        var history = new FakeHistory(
            Change(Cam1, 5, StateValue.Unknown, StateValue.Up),
            Change(Cam2, 8, StateValue.Unknown, StateValue.Up));

        var timeline = await CoverageTimeline.BuildAsync(Inventory(), Kerwe, history, Start.AddMinutes(10), CancellationToken.None);

        Assert.Equal(Start.AddMinutes(5), timeline!.WatchedFrom);
        var zone = timeline.Zones.Single(z => z.ZoneId == "stage");
        Assert.Equal([(5, 8, 1, 3), (8, 10, 2, 3)], zone.Steps.Select(s => ((int)(s.From - Start).TotalMinutes, (int)(s.Until - Start).TotalMinutes, s.Reachable, s.Expected)));
        Assert.Equal(TimelineValue.Unknown, Assert.Single(zone.Endpoints.Single(e => e.Entity == Cam3).Segments).Value);
    }

    [Fact]
    public void Segments_RunToTheNextRecordedChange_EvenOneThatDoesNotContinueFromTheValueHeld()
    {
        // Up at 0; down from 10 to 12; a change at 50 says it came from unknown: a restart, or a change recorded out of the
        // order it was applied (a busy engine). The history cannot tell them apart, so up holds until it.
        var changes = new[]
        {
            Change(Cam1, 0, StateValue.Unknown, StateValue.Up),
            Change(Cam1, 10, StateValue.Up, StateValue.Down),
            Change(Cam1, 12, StateValue.Down, StateValue.Up),
            Change(Cam1, 50, StateValue.Unknown, StateValue.Down),
        };

        var segments = StateSegments.Of(changes, Start, Start.AddMinutes(60));

        Assert.Equal(
            [(0, 10, StateValue.Up), (10, 12, StateValue.Down), (12, 50, StateValue.Up), (50, 60, StateValue.Down)],
            segments.Select(s => ((int)(s.From - Start).TotalMinutes, (int)(s.Until - Start).TotalMinutes, s.Value)));
        // The report reads the same stretches: 48 of 60 minutes reachable, two outages.
        var availability = Availability.Of(Cam1, changes, Start, Start.AddMinutes(60));
        Assert.Equal(TimeSpan.FromMinutes(48), availability.Reachable);
        Assert.Equal([(10, 12), (50, 60)], availability.Outages.Select(o => ((int)(o.Start - Start).TotalMinutes, (int)(o.End - Start).TotalMinutes)));
        Assert.Equal(
            [TimelineValue.Reachable, TimelineValue.Down, TimelineValue.Reachable, TimelineValue.Down],
            CoverageTimeline.Segments(segments).Select(s => s.Value));
    }

    [Fact]
    public void Steps_MergeEqualCounts_AndCountNothingWhereNothingIsExpected()
    {
        TimelineSegment S(int from, int until, TimelineValue value) => new(Start.AddMinutes(from), Start.AddMinutes(until), value);
        var steps = CoverageTimeline.Steps([
            [S(0, 5, TimelineValue.Inactive), S(5, 20, TimelineValue.Reachable)],
            [S(0, 5, TimelineValue.Inactive), S(5, 10, TimelineValue.Down), S(10, 20, TimelineValue.Unknown)],
        ]);

        Assert.Equal([(0, 5, 0, 0), (5, 20, 1, 2)], steps.Select(s => ((int)(s.From - Start).TotalMinutes, (int)(s.Until - Start).TotalMinutes, s.Reachable, s.Expected)));
        Assert.Null(steps[0].Percent);
        Assert.Equal(50, steps[1].Percent);
    }

    internal static readonly Event Kerwe = new("kerwe", "Kerwe", Start, Start.AddDays(1), [new Zone("stage", "Bühne"), new Zone("gate", "Tor")]);

    /// <summary>Node 1 (its switch sw-1) with three cameras at the stage; node 2 at the gate with none.</summary>
    internal static FleetInventory Inventory()
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro");
        Assignment At(string zone) => new("kerwe", zone, Start.AddDays(-1), Start.AddDays(2));
        Endpoint Camera(string id) => new(id, "Camera " + id, EndpointKind.Camera, "00:00:00:00:00:0" + id[^1], "n-1", "ge-0/0/1", [At("stage")]);
        return new FleetInventory([], [new Device("sw-1", "sw-1", DeviceClass.MobileSwitch, null, "n-1", snmp, [])], [],
            [new MobileNode("n-1", "Node 1", "sw-1", TimeSpan.FromSeconds(10), [At("stage")]),
             new MobileNode("n-2", "Node 2", null, TimeSpan.FromSeconds(10), [At("gate")])],
            [Camera("cam-1"), Camera("cam-2"), Camera("cam-3")],
            [Kerwe]);
    }

    internal static StateChange Change(EntityRef entity, int minutes, StateValue from, StateValue to, Reason? reason = null) =>
        new(Start.AddMinutes(minutes), entity, from, to, reason ?? Reason.Of(to.ToString().ToLowerInvariant()));
}

/// <summary>The report's battery episodes, node uplinks and the alerts raised for the event's things.</summary>
public sealed class EventReportPowerAndAlertsTests
{
    private static readonly DateTimeOffset Start = CoverageTimelineTests.Kerwe.Start;
    private static readonly EntityRef Node = EntityRef.Node("n-1");

    [Fact]
    public async Task Report_HasEachBatteryEpisode_WithItsLowestLevel_AndTheUplinkByTime()
    {
        // Fibre and mains from 0; on battery 10–30 min (80 %, then 64 %, then 71 %); on LTE 30–40; no uplink 40–45; on
        // battery again from 50 to the end (no level named).
        var history = new FakeHistory(
            Change(0, StateValue.Unknown, StateValue.Up, Reason.Of(ReasonCodes.NodeReporting)),
            Change(10, StateValue.Up, StateValue.Degraded, Battery(80)),
            Change(15, StateValue.Degraded, StateValue.Degraded, Battery(64)),
            Change(20, StateValue.Degraded, StateValue.Degraded, Battery(71)),
            Change(30, StateValue.Degraded, StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnLte)),
            Change(40, StateValue.Degraded, StateValue.Down, Reason.Of(ReasonCodes.NodeNoUplink)),
            Change(45, StateValue.Down, StateValue.Up, Reason.Of(ReasonCodes.NodeReporting)),
            Change(50, StateValue.Up, StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnBattery)));

        var report = await EventReport.BuildAsync(CoverageTimelineTests.Inventory(), CoverageTimelineTests.Kerwe, history, Start.AddMinutes(60),
            CancellationToken.None);

        Assert.Equal(
            [(10, 30, (double?)64, false), (50, 60, null, true)],
            report!.BatteryEpisodes.Select(b => ((int)(b.Start - Start).TotalMinutes, (int)(b.End - Start).TotalMinutes, b.LowestPercent, b.Ongoing)));
        Assert.Equal(TimeSpan.FromMinutes(20), report.BatteryEpisodes[0].Duration);
        var uplink = report.Uplinks.Single(u => u.Node == Node);
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30)),
            (uplink.Fibre, uplink.Lte, uplink.None, uplink.Untold));
        Assert.Equal(50, uplink.FibrePercent);
        // A node without history: nothing known of its uplink.
        Assert.Null(report.Uplinks.Single(u => u.Node == EntityRef.Node("n-2")).FibrePercent);
    }

    [Fact]
    public async Task Report_ListsTheAlertsRaisedForTheEventsThingsInTheLiveTime_AndNoOthers()
    {
        var history = new FakeHistory(Change(0, StateValue.Unknown, StateValue.Up, Reason.Of(ReasonCodes.NodeReporting)));
        var acknowledged = Alert("a-cam", "endpoint:cam-1", 5) with
        {
            Status = AlertStatus.Resolved,
            EndsAt = Start.AddMinutes(9),
            Acknowledgement = new Acknowledgement("jörg", Start.AddMinutes(6), "on it"),
        };
        var book = new FakeAlertBook(
            acknowledged,
            Alert("a-port", "port:sw-1/ge-0/0/1", 7),
            Alert("a-zone", "zone:kerwe/stage", 8),
            Alert("a-label", "link:uplink-n1", 9) with { Labels = ImmutableSortedDictionary<string, string>.Empty.Add("event", "kerwe") },
            Alert("a-core", "device:core-1", 10),
            Alert("a-other-event", "zone:fest/markt", 11),
            Alert("a-before", "endpoint:cam-2", -30));

        var report = await EventReport.BuildAsync(CoverageTimelineTests.Inventory(), CoverageTimelineTests.Kerwe, history, book, Start.AddMinutes(60),
            CancellationToken.None);

        Assert.Equal(["a-cam", "a-port", "a-zone", "a-label"], report!.Alerts.Select(a => a.Id));
        Assert.Equal("jörg", report.Alerts[0].Acknowledgement!.By);
        Assert.False(report.AlertsTruncated);
        Assert.Equal((Start, Start.AddMinutes(60)), (book.From, book.Until));
        // Without an alert source the report says it read none.
        Assert.Null((await EventReport.BuildAsync(CoverageTimelineTests.Inventory(), CoverageTimelineTests.Kerwe, history, Start.AddMinutes(60),
            CancellationToken.None))!.AlertsTruncated);
    }

    private static Reason Battery(int percent) => Reason.Of(ReasonCodes.NodeOnBattery, ("node", "n-1"), ("battery_pct", percent));

    private static StateChange Change(int minutes, StateValue from, StateValue to, Reason reason) =>
        CoverageTimelineTests.Change(Node, minutes, from, to, reason);

    private static Alert Alert(string id, string subject, int minutes) =>
        new(id, "rule", subject, AlertSeverity.Warning, AlertStatus.Firing, Start.AddMinutes(minutes), null, Start.AddMinutes(minutes));

    private sealed class FakeAlertBook(params Alert[] alerts) : IAlertBook
    {
        public DateTimeOffset From { get; private set; }

        public DateTimeOffset Until { get; private set; }

        public IReadOnlyList<Alert> Open => [];

        public IReadOnlyList<Silence> Silences => [];

        public IReadOnlyList<ReceiverHealth> Receivers => [];

        public Alert? Find(string id) => null;

        public Task<Alert?> AcknowledgeAsync(string id, string by, string? comment, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Silence> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Silence?> ExpireSilenceAsync(string id, string by, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken)
        {
            (From, Until) = (from, until);
            // As the store answers: open at any time in the range, newest first.
            return Task.FromResult<IReadOnlyList<Alert>>([.. alerts.Where(a => a.StartsAt < until && (a.EndsAt ?? DateTimeOffset.MaxValue) >= from)
                .OrderByDescending(a => a.StartsAt).Take(limit)]);
        }

        public Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IDisposable Subscribe(Action changed) => throw new NotSupportedException();
    }
}
