using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>One camera or sensor as a security coordinator sees it: what it is, where, and whether it is connected.</summary>
public sealed record EndpointRow(
    EntityRef Entity,
    string Name,
    EndpointKind Kind,
    string Node,
    StateValue Value,
    string Reason,
    string Since,
    string Note);

/// <summary>A zone of an event: its mobile nodes and the endpoints they carry, with counts per state.</summary>
public sealed record ZoneCoverage(string ZoneId, string Name, IReadOnlyList<StateRow> Nodes, IReadOnlyList<EndpointRow> Endpoints)
{
    /// <summary>Reachable (up or degraded) of those planned, as the site plan and alerting count them (<see cref="EventCoverage.IsReachable"/>).</summary>
    public int Connected { get; init; }

    /// <summary>Each planned node's power and uplink against its node class.</summary>
    public IReadOnlyList<NodePowerRow> Power { get; init; } = [];

    /// <summary>What is deployed here and not doing its job, with the reason.</summary>
    public IReadOnlyList<CoverageGap> Gaps { get; init; } = [];
}

/// <summary>One node's power and uplink as the zone shows it; <see cref="Deployed"/> false: planned here, nothing expected.</summary>
public sealed record NodePowerRow(string NodeId, string Name, bool Deployed, NodePower Power);

/// <summary>An event with its zones, as the coverage page lists it.</summary>
public sealed record EventSummary(string Id, string Name, DateTimeOffset Start, DateTimeOffset End, bool Running, EventPhase Phase);

/// <summary>
/// Page state of the coverage page: for one event, its phase, and every zone with the nodes and cameras and sensors
/// planned there (<see cref="EventCoverage"/>) and the connectivity of each. Read-only; rebuilt from the process's live view.
/// </summary>
public sealed class CoverageViewModel(IStateReader live, ReasonText text, TimeProvider time)
{
    public IReadOnlyList<EventSummary> Events { get; private set; } = [];

    public EventSummary? Event { get; private set; }

    public IReadOnlyList<ZoneCoverage> Zones { get; private set; } = [];

    public IReadOnlyDictionary<StateValue, int> Counts { get; private set; } = new Dictionary<StateValue, int>();

    /// <summary>The event's site plan with its zones shaded and things placed; null when the event has none.</summary>
    public SitePlanView? Plan { get; private set; }

    /// <summary>Where the event is in its life now.</summary>
    public EventPhase Phase { get; private set; }

    public long Version { get; private set; }

    /// <summary>Rebuilds the page for <paramref name="eventId"/>, or only the event list when it is null or unknown.</summary>
    public void Refresh(FleetInventory inventory, string? eventId)
    {
        var now = time.GetUtcNow();
        Version = live.Version;
        Events = inventory.Events.Values
            .OrderBy(e => e.End < now).ThenBy(e => e.Start)
            .Select(e => new EventSummary(e.Id, e.Name, e.Start, e.End, e.Start <= now && now < e.End, EventLifecycle.Of(inventory, e).PhaseAt(now)))
            .ToList();
        Event = eventId is not null ? Events.FirstOrDefault(e => e.Id == eventId) : null;
        if (Event is null || !inventory.Events.TryGetValue(Event.Id, out var ev))
        {
            Zones = [];
            Counts = new Dictionary<StateValue, int>();
            Plan = null;
            return;
        }

        var coverage = EventCoverage.Of(inventory, ev, live, now);
        Phase = coverage.Phase;
        Plan = SitePlanView.Of(coverage, text);
        Zones = coverage.Zones
            .Select(z => new ZoneCoverage(z.Zone.Id, z.Zone.Name,
                [.. z.Nodes.Select(n => NodeRow(inventory, n))],
                [.. z.Endpoints.Select(e => EndpointRowOf(inventory, e))])
            {
                Power = [.. z.Nodes.Select(n => new NodePowerRow(n.Node.Id, n.Node.Name, n.Deployed, n.Power(inventory.Policy, text)))],
                Gaps = z.Gaps(inventory.Policy, text),
                Connected = z.Reachable,
            })
            .ToList();
        Counts = Zones.SelectMany(z => z.Endpoints).GroupBy(e => e.Value).ToDictionary(g => g.Key, g => g.Count());
    }

    private StateRow NodeRow(FleetInventory inventory, NodeCoverage planned)
    {
        var node = planned.Node;
        var device = node.DeviceId is { } id && inventory.Devices.TryGetValue(id, out var d) ? d.Name : "";
        return planned.State is not { } state
            ? new StateRow(EntityRef.Node(node.Id), node.Name, device, Missing(planned.Deployed), Absent(planned.Deployed), "", "")
            : new StateRow(EntityRef.Node(node.Id), node.Name, device, state.Value, text.Render(state.Reason), text.Local(state.Since), "");
    }

    private EndpointRow EndpointRowOf(FleetInventory inventory, EndpointCoverage planned)
    {
        var endpoint = planned.Endpoint;
        var entity = EntityRef.Endpoint(endpoint.Id);
        var node = inventory.Nodes.TryGetValue(endpoint.NodeId, out var n) ? n.Name : endpoint.NodeId;
        if (planned.State is not { } state)
        {
            return new EndpointRow(entity, endpoint.Name, endpoint.Kind, node, Missing(planned.Deployed), Absent(planned.Deployed), "", "");
        }

        // The note is engine text with device-supplied parts: shown as text only.
        var note = state.Attributes.GetValueOrDefault("note") ?? "";
        return new EndpointRow(entity, endpoint.Name, endpoint.Kind, node, state.Value, text.Render(state.Reason), text.Local(state.Since), note);
    }

    /// <summary>Planned but not deployed for this event now (before setup, after teardown, at another event): not missing.</summary>
    private static StateValue Missing(bool deployed) => deployed ? StateValue.Unknown : StateValue.Inactive;

    private static string Absent(bool deployed) => deployed ? "no evidence yet" : "planned here, not deployed for this event now";
}
