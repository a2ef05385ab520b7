using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Testing;
using NetOps.Web.Components.Controls;

namespace NetOps.Web.Tests.Components;

/// <summary>The coverage page's timeline: read from the operational database, and again when it stores new changes.</summary>
public sealed class EventTimelineTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly EntityRef Camera = EntityRef.Endpoint("cam-1");
    private readonly BunitContext _context = new();

    public EventTimelineTests()
    {
        _context.AddAuthorization().SetAuthorized("op").SetRoles(NetOps.Core.Security.NetOpsRoles.Operator);
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Timeline_ShowsTheRecordedStretches_AndTheChangeStoredWhileItIsOpen()
    {
        await using var database = await OperationalDatabase.StartAsync();
        await database.History.WriteAsync([new StateChange(Now.AddMinutes(-30), Camera, StateValue.Unknown, StateValue.Up, Reason.Of(ReasonCodes.EndpointSeen))], default);
        _context.Services.AddSingleton<IStateHistory>(database.History);
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(Inventory()));
        _context.Services.AddSingleton(TimeProvider.System);

        var timeline = Render();

        timeline.WaitForAssertion(() => Assert.Equal(["reachable"], Values(timeline, "div[data-entity='endpoint:cam-1'] rect")));
        // The axis starts when NetOps first recorded the event, half an hour after it began; its one camera reachable since.
        Assert.Equal(["1/1"], Values(timeline, "div[data-zone='stift'] > div.row-zone rect"));
        Assert.Contains("NetOps recorded the event from", timeline.Find("section.timeline p.recorded").TextContent, StringComparison.Ordinal);
        Assert.Equal("0", timeline.Find("div[data-entity='endpoint:cam-1'] rect").GetAttribute("x"));
        Assert.Empty(timeline.FindAll("div[data-entity='endpoint:cam-9']"));
        var reachable = timeline.Find("div[data-entity='endpoint:cam-1'] rect[data-value='reachable']");
        Assert.StartsWith(Now.AddMinutes(-30).UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
            reachable.GetAttribute("data-from"), StringComparison.Ordinal);
        Assert.Contains("reachable", reachable.QuerySelector("title")!.TextContent, StringComparison.Ordinal);

        // The camera goes down while the page is open: once stored, the timeline reads again (after its throttle).
        await database.History.WriteAsync([new StateChange(DateTimeOffset.UtcNow, Camera, StateValue.Up, StateValue.Down, Reason.Of(ReasonCodes.EndpointPortDown))], default);
        await Eventually.TrueAsync(() => timeline.InvokeAsync(() => Values(timeline, "div[data-entity='endpoint:cam-1'] rect").SequenceEqual(["reachable", "down"])),
            TimeSpan.FromSeconds(15), "the timeline to show the camera down");
        Assert.Equal(["1/1", "0/1"], Values(timeline, "div[data-zone='stift'] > div.row-zone rect"));
    }

    [Fact]
    public async Task Timeline_BeforeTheEventStarts_ShowsNothing()
    {
        await using var database = await OperationalDatabase.StartAsync();
        _context.Services.AddSingleton<IStateHistory>(database.History);
        _context.Services.AddSingleton<IInventoryProvider>(new FixedInventoryProvider(Inventory(start: Now.AddDays(1))));
        _context.Services.AddSingleton(TimeProvider.System);

        var timeline = Render();

        timeline.WaitForAssertion(() => Assert.Empty(timeline.FindAll("section.timeline")));
    }

    /// <summary>As a live circuit renders it (the prerendered page does not listen).</summary>
    private IRenderedComponent<EventTimeline> Render()
    {
        _context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return _context.Render<EventTimeline>(p => p.Add(t => t.EventId, "kerwe"));
    }

    private static List<string?> Values(IRenderedComponent<EventTimeline> timeline, string selector) =>
        [.. timeline.FindAll(selector).Select(r => r.GetAttribute("data-value"))];

    private static FleetInventory Inventory(DateTimeOffset? start = null)
    {
        var from = start ?? Now.AddHours(-1);
        var kerwe = new Assignment("kerwe", "stift", from.AddDays(-1), from.AddDays(2));
        var fest = new Assignment("fest", "platz", Now.AddDays(10), Now.AddDays(12));
        return new FleetInventory([], [], [],
            [new MobileNode("n1", "Node 1", null, TimeSpan.FromSeconds(10), [kerwe]),
             new MobileNode("n9", "Node 9", null, TimeSpan.FromSeconds(10), [fest])],
            [new Core.Inventory.Endpoint("cam-1", "Camera 1", EndpointKind.Camera, "02:00:00:00:00:01", "n1", "ge-0/0/1", []),
             new Core.Inventory.Endpoint("cam-9", "Camera 9", EndpointKind.Camera, "02:00:00:00:00:09", "n9", null, [])],
            [new Event("kerwe", "Kerwe", from, from.AddDays(1), [new Zone("stift", "Stiftsplatz")]),
             new Event("fest", "Fest", Now.AddDays(10), Now.AddDays(12), [new Zone("platz", "Platz")])]);
    }
}
