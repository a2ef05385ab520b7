using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>What a detail page is about.</summary>
public enum DetailKind
{
    Device,
    Link,
    Node,
}

/// <summary>A fact about the entity (where it is, what it is), optionally linking to another page.</summary>
public sealed record Fact(string Label, string Value, string? Href = null);

/// <summary>A port of a device with its state, the text the device gives it (ifAlias: untrusted) and its metrics.</summary>
public sealed record PortRow(string Device, string Name, string Planned, string Alias, StateValue Value, string Reason, string Since,
    IReadOnlyList<MetricLine> Metrics);

/// <summary>An entity related to the one shown (a link of a device, the switch of a node), with its state.</summary>
public sealed record RelatedRow(string Href, string Label, StateValue Value, string Reason);

/// <summary>A change of health, rendered.</summary>
public sealed record ChangeRow(string At, string Entity, StateValue From, StateValue To, string Reason);

/// <summary>
/// Page state of a detail page (device, link, MOGLI node): the state with its reason, facts from the inventory, the
/// values the state carries, ports, related entities, the last changes and which charts to draw. Rebuilt from the live
/// view when one of the entities it shows changes.
/// </summary>
public sealed class DetailViewModel(IStateReader live, IStateHistory history, ReasonText text)
{
    public bool Found { get; private set; }
    public string Title { get; private set; } = "";
    public EntityRef Entity { get; private set; }
    public StateValue Value { get; private set; } = StateValue.Unknown;
    public string Reason { get; private set; } = "";
    public string Since { get; private set; } = "";
    public string Observed { get; private set; } = "";
    public IReadOnlyList<Fact> Facts { get; private set; } = [];
    public IReadOnlyList<Fact> Attributes { get; private set; } = [];
    public IReadOnlyList<MetricLine> Metrics { get; private set; } = [];
    public IReadOnlyList<PortRow> Ports { get; private set; } = [];
    public IReadOnlyList<RelatedRow> Related { get; private set; } = [];
    /// <summary>How many of the last changes the page lists.</summary>
    public const int ChangesShown = 30;

    public IReadOnlyList<ChangeRow> Changes { get; private set; } = [];
    public IReadOnlyList<ChartSpec> Charts { get; private set; } = [];

    /// <summary>Every entity whose change should refresh the page.</summary>
    public IReadOnlySet<EntityRef> Watched { get; private set; } = new HashSet<EntityRef>();

    public void Load(DetailKind kind, string id, FleetInventory inventory, DateTimeOffset now)
    {
        var watched = new HashSet<EntityRef>();
        Found = kind switch
        {
            DetailKind.Device => LoadDevice(id, inventory, watched),
            DetailKind.Link => LoadLink(id, inventory, watched),
            _ => LoadNode(id, inventory, now, watched),
        };
        Watched = watched;
        var state = live.Get(Entity);
        Value = state?.Value ?? StateValue.Unknown;
        Reason = state is null ? "no evidence yet" : text.Render(state.Reason);
        Since = state is null ? "" : text.Local(state.Since);
        Observed = state is null ? "" : $"{text.Local(state.ObservedAt)} by {state.Source.Split('#')[0]}";
        // Attributes are descriptive values, some of them device-supplied text: shown as text, never as markup.
        Attributes = state?.Attributes.Select(a => new Fact(a.Key, a.Value)).ToList() ?? [];
        Metrics = state is null ? [] : MetricText.Lines(state.Metrics);
    }

    /// <summary>The last changes of what the page shows, from the operational database (they outlive restarts).</summary>
    public async Task LoadChangesAsync(CancellationToken cancellationToken)
    {
        var changes = await history.LastChangesAsync(Watched, ChangesShown, cancellationToken);
        Changes = changes.Select(c => new ChangeRow(text.Local(c.At), c.Entity.ToString(), c.From, c.To, text.Render(c.Reason))).ToList();
    }

    private bool LoadDevice(string id, FleetInventory inventory, HashSet<EntityRef> watched)
    {
        Entity = EntityRef.Device(id);
        watched.Add(Entity);
        if (!inventory.Devices.TryGetValue(id, out var device))
        {
            Title = id;
            return false;
        }

        Title = device.Name;
        var facts = new List<Fact> { new("id", device.Id), new("class", device.Class.ToString()), new("address", $"{device.Snmp.Host}:{device.Snmp.Port}") };
        if (device.SiteId is { } site)
        {
            facts.Add(new("site", inventory.Sites.TryGetValue(site, out var s) ? s.Name + (s.Ray is null ? "" : $" (ray {s.Ray})") : site));
        }

        if (device.NodeId is { } node)
        {
            facts.Add(new("MOGLI node", inventory.Nodes.TryGetValue(node, out var n) ? n.Name : node, "nodes/" + Uri.EscapeDataString(node)));
        }

        if (device.SysName is { } sysName)
        {
            facts.Add(new("sysName (planned)", sysName));
        }

        Facts = facts;
        Ports = device.Ports.Select(p => Port(device.Id, p, watched)).ToList();
        var links = inventory.Links.Values.Where(l => l.A.DeviceId == id || l.B.DeviceId == id).OrderBy(l => l.Id, StringComparer.Ordinal).ToList();
        watched.UnionWith(links.Select(l => EntityRef.Link(l.Id)));
        Related = links.Select(l => RelatedLink(l, id)).ToList();
        Charts =
        [
            new ChartSpec("answering SNMP", "device", "reachable", Tags(("device", id)), "reachable"),
            new ChartSpec("traffic in per port", "port", "in_octets", Tags(("device", id)), "in_bps") { GroupBy = "port", CounterToBits = true },
            new ChartSpec("traffic out per port", "port", "out_octets", Tags(("device", id)), "out_bps") { GroupBy = "port", CounterToBits = true },
        ];
        return true;
    }

    private bool LoadLink(string id, FleetInventory inventory, HashSet<EntityRef> watched)
    {
        Entity = EntityRef.Link(id);
        watched.Add(Entity);
        if (!inventory.Links.TryGetValue(id, out var link))
        {
            // A link seen by discovery only has no plan: its state (and the ends as reported) is all there is.
            Title = id;
            Facts = [new("id", id), new("planned", "no")];
            return live.Get(Entity) is not null;
        }

        Title = link.Name;
        Facts = [new("id", link.Id), new("medium", link.Medium), new("class", link.Class ?? "default"),
            new("end A", $"{link.A.DeviceId} {link.A.Port}", "devices/" + Uri.EscapeDataString(link.A.DeviceId)),
            new("end B", $"{link.B.DeviceId} {link.B.Port}", "devices/" + Uri.EscapeDataString(link.B.DeviceId))];
        Ports = new[] { link.A, link.B }
            .Select(end => Port(end.DeviceId,
                inventory.Devices.TryGetValue(end.DeviceId, out var d) ? d.Ports.FirstOrDefault(p => p.Name == end.Port) ?? new PortPlan(end.Port) : new PortPlan(end.Port),
                watched))
            .ToList();
        Related = new[] { link.A.DeviceId, link.B.DeviceId }.Distinct(StringComparer.Ordinal)
            .Select(d => Related1("devices/" + Uri.EscapeDataString(d), inventory.Devices.TryGetValue(d, out var dev) ? dev.Name : d, EntityRef.Device(d)))
            .ToList();
        Charts = new[] { link.A, link.B }.SelectMany(end => new[]
        {
            new ChartSpec($"{end.DeviceId} {end.Port}: in", "port", "in_octets", Tags(("device", end.DeviceId), ("port", end.Port)), "in_bps") { CounterToBits = true },
            new ChartSpec($"{end.DeviceId} {end.Port}: out", "port", "out_octets", Tags(("device", end.DeviceId), ("port", end.Port)), "out_bps") { CounterToBits = true },
            new ChartSpec($"{end.DeviceId} {end.Port}: optical rx", "port", "rx_dbm", Tags(("device", end.DeviceId), ("port", end.Port)), "rx_dbm"),
        }).ToList();
        return true;
    }

    private bool LoadNode(string id, FleetInventory inventory, DateTimeOffset now, HashSet<EntityRef> watched)
    {
        Entity = EntityRef.Node(id);
        watched.Add(Entity);
        if (!inventory.Nodes.TryGetValue(id, out var node))
        {
            Title = id;
            return false;
        }

        Title = node.Name;
        var facts = new List<Fact> { new("id", node.Id), new("phase", FleetInventory.PhaseOf(node.Assignments, now).ToString()) };
        if (FleetInventory.CurrentAssignment(node.Assignments, now) is { } a)
        {
            var e = inventory.Events.GetValueOrDefault(a.EventId);
            facts.Add(new("event", e?.Name ?? a.EventId));
            facts.Add(new("zone", e?.Zones.FirstOrDefault(z => z.Id == a.ZoneId)?.Name ?? a.ZoneId));
            facts.Add(new("deployed until", text.Local(a.Until)));
        }

        var related = new List<RelatedRow>();
        if (node.DeviceId is { } deviceId)
        {
            facts.Add(new("switch", deviceId, "devices/" + Uri.EscapeDataString(deviceId)));
            related.Add(Related1("devices/" + Uri.EscapeDataString(deviceId), inventory.Devices.TryGetValue(deviceId, out var d) ? d.Name : deviceId,
                EntityRef.Device(deviceId)));
            watched.Add(EntityRef.Device(deviceId));
            foreach (var uplink in inventory.Links.Values.Where(l => l.A.DeviceId == deviceId || l.B.DeviceId == deviceId))
            {
                related.Add(RelatedLink(uplink, deviceId));
                watched.Add(EntityRef.Link(uplink.Id));
            }
        }

        foreach (var endpoint in inventory.Endpoints.Values.Where(e => e.NodeId == id).OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            related.Add(Related1("", $"{endpoint.Kind} {endpoint.Name} ({endpoint.Mac})", EntityRef.Endpoint(endpoint.Id)));
            watched.Add(EntityRef.Endpoint(endpoint.Id));
        }

        Facts = facts;
        Related = related;
        Charts =
        [
            new ChartSpec("battery", "node", "battery_pct", Tags(("node", id)), "battery_pct"),
            new ChartSpec("runtime left", "node", "runtime_left_s", Tags(("node", id)), "runtime_left_s"),
            new ChartSpec("enclosure temperature", "node", "enclosure_temp_c", Tags(("node", id)), "enclosure_temp_c"),
            new ChartSpec("LTE signal", "node", "lte_signal_dbm", Tags(("node", id)), "lte_signal_dbm"),
        ];
        return true;
    }

    private PortRow Port(string deviceId, PortPlan plan, HashSet<EntityRef> watched)
    {
        var entity = EntityRef.Port(deviceId, plan.Name);
        watched.Add(entity);
        var state = live.Get(entity);
        return new PortRow(deviceId, plan.Name, plan.Description ?? "", state?.Attributes.GetValueOrDefault("alias") ?? "",
            state?.Value ?? StateValue.Unknown, state is null ? "no evidence yet" : text.Render(state.Reason),
            state is null ? "" : text.Local(state.Since), state is null ? [] : MetricText.Lines(state.Metrics));
    }

    private RelatedRow RelatedLink(Link link, string from)
    {
        var far = link.A.DeviceId == from ? link.B : link.A;
        var near = link.A.DeviceId == from ? link.A : link.B;
        return Related1("links/" + Uri.EscapeDataString(link.Id), $"{link.Name}: {near.Port} → {far.DeviceId} {far.Port}", EntityRef.Link(link.Id));
    }

    private RelatedRow Related1(string href, string label, EntityRef entity)
    {
        var state = live.Get(entity);
        return new RelatedRow(href, label, state?.Value ?? StateValue.Unknown, state is null ? "no evidence yet" : text.Render(state.Reason));
    }

    private static Dictionary<string, string> Tags(params (string Key, string Value)[] tags) =>
        tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
}
