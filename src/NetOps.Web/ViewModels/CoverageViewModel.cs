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
    public int Connected => Endpoints.Count(e => e.Value == StateValue.Up);
}

/// <summary>An event with its zones, as the coverage page lists it.</summary>
public sealed record EventSummary(string Id, string Name, DateTimeOffset Start, DateTimeOffset End, bool Running);

/// <summary>
/// Page state of the coverage page: for one event, every zone with the nodes deployed there now and the connectivity
/// of each camera and sensor. Read-only; rebuilt from the process's live view.
/// </summary>
public sealed class CoverageViewModel(IStateReader live, ReasonText text, TimeProvider time)
{
    public IReadOnlyList<EventSummary> Events { get; private set; } = [];

    public EventSummary? Event { get; private set; }

    public IReadOnlyList<ZoneCoverage> Zones { get; private set; } = [];

    public IReadOnlyDictionary<StateValue, int> Counts { get; private set; } = new Dictionary<StateValue, int>();

    public long Version { get; private set; }

    /// <summary>Rebuilds the page for <paramref name="eventId"/>, or only the event list when it is null or unknown.</summary>
    public void Refresh(FleetInventory inventory, string? eventId)
    {
        var now = time.GetUtcNow();
        Version = live.Version;
        Events = inventory.Events.Values
            .OrderBy(e => e.End < now).ThenBy(e => e.Start)
            .Select(e => new EventSummary(e.Id, e.Name, e.Start, e.End, e.Start <= now && now < e.End))
            .ToList();
        Event = eventId is not null ? Events.FirstOrDefault(e => e.Id == eventId) : null;
        if (Event is null || !inventory.Events.TryGetValue(Event.Id, out var ev))
        {
            Zones = [];
            Counts = new Dictionary<StateValue, int>();
            return;
        }

        // Where each node is for this event now; an endpoint with its own assignment goes where that says.
        var nodesByZone = inventory.Nodes.Values
            .Select(n => (Node: n, At: FleetInventory.CurrentAssignment(n.Assignments, now)))
            .Where(x => x.At?.EventId == ev.Id)
            .ToLookup(x => x.At!.ZoneId, x => x.Node, StringComparer.Ordinal);
        var nodeZone = nodesByZone.SelectMany(g => g.Select(n => (n.Id, Zone: g.Key))).ToDictionary(x => x.Id, x => x.Zone, StringComparer.Ordinal);
        var endpointsByZone = inventory.Endpoints.Values
            .Select(e => (Endpoint: e, Zone: e.Assignments.Count > 0
                ? FleetInventory.CurrentAssignment(e.Assignments, now) is { } a && a.EventId == ev.Id ? a.ZoneId : null
                : nodeZone.GetValueOrDefault(e.NodeId)))
            .Where(x => x.Zone is not null)
            .ToLookup(x => x.Zone!, x => x.Endpoint, StringComparer.Ordinal);

        Zones = ev.Zones
            .Select(z => new ZoneCoverage(z.Id, z.Name,
                nodesByZone[z.Id].OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => NodeRow(inventory, n)).ToList(),
                endpointsByZone[z.Id].OrderBy(e => e.Kind).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => EndpointRowOf(inventory, e)).ToList()))
            .ToList();
        Counts = Zones.SelectMany(z => z.Endpoints).GroupBy(e => e.Value).ToDictionary(g => g.Key, g => g.Count());
    }

    private StateRow NodeRow(FleetInventory inventory, MobileNode node)
    {
        var state = live.Get(EntityRef.Node(node.Id));
        var device = node.DeviceId is { } id && inventory.Devices.TryGetValue(id, out var d) ? d.Name : "";
        return state is null
            ? new StateRow(EntityRef.Node(node.Id), node.Name, device, StateValue.Unknown, "no evidence yet", "", "")
            : new StateRow(EntityRef.Node(node.Id), node.Name, device, state.Value, text.Render(state.Reason), text.Local(state.Since), "");
    }

    private EndpointRow EndpointRowOf(FleetInventory inventory, Core.Inventory.Endpoint endpoint)
    {
        var entity = EntityRef.Endpoint(endpoint.Id);
        var node = inventory.Nodes.TryGetValue(endpoint.NodeId, out var n) ? n.Name : endpoint.NodeId;
        var state = live.Get(entity);
        if (state is null)
        {
            return new EndpointRow(entity, endpoint.Name, endpoint.Kind, node, StateValue.Unknown, "no evidence yet", "", "");
        }

        // The note is engine text with device-supplied parts: shown as text only.
        var note = state.Attributes.GetValueOrDefault("note") ?? "";
        return new EndpointRow(entity, endpoint.Name, endpoint.Kind, node, state.Value, text.Render(state.Reason), text.Local(state.Since), note);
    }
}
