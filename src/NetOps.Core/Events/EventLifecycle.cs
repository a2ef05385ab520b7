using NetOps.Core.Inventory;

namespace NetOps.Core.Events;

/// <summary>Where an event is in its life: planned → setup → live → teardown → closed.</summary>
public enum EventPhase
{
    /// <summary>Before the first node or endpoint is deployed for it.</summary>
    Planned,

    /// <summary>Things are being deployed; the event has not started.</summary>
    Setup,

    /// <summary>Between the event's start and end.</summary>
    Live,

    /// <summary>The event has ended; things are still deployed.</summary>
    Teardown,

    /// <summary>Everything is packed away.</summary>
    Closed,
}

/// <summary>
/// An event's phases by its times: setup runs from the earliest assignment of a node or endpoint to the event until the
/// event starts, teardown from its end until the last assignment ends. Without assignments setup and teardown are empty.
/// </summary>
public sealed record EventLifecycle(string EventId, DateTimeOffset SetupFrom, DateTimeOffset Start, DateTimeOffset End, DateTimeOffset TeardownUntil)
{
    /// <summary>The lifecycle of <paramref name="ev"/> from the assignments of the inventory's nodes and endpoints.</summary>
    public static EventLifecycle Of(FleetInventory inventory, Event ev)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(ev);
        var windows = inventory.Nodes.Values.SelectMany(n => n.Assignments)
            .Concat(inventory.Endpoints.Values.SelectMany(e => e.Assignments))
            .Where(a => a.EventId == ev.Id)
            .ToList();
        var setup = windows.Count == 0 ? ev.Start : Min(windows.Min(a => a.From), ev.Start);
        var teardown = windows.Count == 0 ? ev.End : Max(windows.Max(a => a.Until), ev.End);
        return new EventLifecycle(ev.Id, setup, ev.Start, ev.End, teardown);
    }

    /// <summary>The phase at <paramref name="at"/>.</summary>
    public EventPhase PhaseAt(DateTimeOffset at) =>
        at < SetupFrom ? EventPhase.Planned
        : at < Start ? EventPhase.Setup
        : at < End ? EventPhase.Live
        : at < TeardownUntil ? EventPhase.Teardown
        : EventPhase.Closed;

    /// <summary>Whether the event's things are expected to be reachable: while it is set up or live.</summary>
    public bool Expected(DateTimeOffset at) => PhaseAt(at) is EventPhase.Setup or EventPhase.Live;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
