using System.Collections.Frozen;
using NetOps.Core.Alerts;

namespace NetOps.Core.Inventory;

/// <summary>What a device is for; poll plans and layout depend on it.</summary>
public enum DeviceClass
{
    Core,
    Access,
    Site,
    MobileSwitch,
}

/// <summary>What kind of endpoint hangs off a port.</summary>
public enum EndpointKind
{
    Camera,
    Sensor,
    AccessPoint,
    Other,
}

/// <summary>The names of endpoint kinds as the inventory spells them (and the API and reports repeat them).</summary>
public static class EndpointKinds
{
    public static string Name(EndpointKind kind) => kind == EndpointKind.AccessPoint ? "access-point" : kind.ToString().ToLowerInvariant();
}

/// <summary>A physical location of the fixed network (town hall, school, pumping station).</summary>
public sealed record Site(string Id, string Name, string? Ray = null);

/// <summary>How to reach a device over SNMP. The credential is a name, resolved from environment or secrets file.</summary>
public sealed record SnmpTarget(string Host, int Port, SnmpVersionSetting Version, string CredentialRef);

/// <summary>SNMP protocol version as configured in the inventory.</summary>
public enum SnmpVersionSetting
{
    V1,
    V2c,
    V3,
}

/// <summary>A port as planned: identified by its ifName, never by ifIndex.</summary>
public sealed record PortPlan(string Name, string? Description = null);

/// <summary>A managed switch or router. Its id is a stable slug; Name is for display only.</summary>
public sealed record Device(
    string Id,
    string Name,
    DeviceClass Class,
    string? SiteId,
    string? NodeId,
    SnmpTarget Snmp,
    IReadOnlyList<PortPlan> Ports,
    string? SysName = null,
    string? ChassisId = null);

/// <summary>One end of a planned link.</summary>
public sealed record LinkEnd(string DeviceId, string Port);

/// <summary>A planned link (usually a fibre) between two named ports; its class picks its health thresholds.</summary>
public sealed record Link(string Id, string Name, LinkEnd A, LinkEnd B, string Medium = "fibre", string? Class = null);

/// <summary>A time-bounded assignment of a mobile node or endpoint to an event and zone.</summary>
public sealed record Assignment(string EventId, string ZoneId, DateTimeOffset From, DateTimeOffset Until)
{
    public bool Covers(DateTimeOffset at) => at >= From && at < Until;
}

/// <summary>A portable MOGLI node: switch, power, uplink; reports telemetry over MQTT.</summary>
public sealed record MobileNode(
    string Id,
    string Name,
    string? DeviceId,
    TimeSpan ReportInterval,
    IReadOnlyList<Assignment> Assignments)
{
    /// <summary>The node class whose power thresholds apply (<c>health: node_classes:</c>); "default" unless the inventory says.</summary>
    public string Class { get; init; } = NodeClassPolicy.Default.Name;
}

/// <summary>A camera or sensor, identified by MAC address; the planned port is a plan, not a fact.</summary>
public sealed record Endpoint(
    string Id,
    string Name,
    EndpointKind Kind,
    string Mac,
    string NodeId,
    string? PlannedPort,
    IReadOnlyList<Assignment> Assignments)
{
    /// <summary>An IP address to probe with ICMP, when the endpoint has one worth probing.</summary>
    public string? Address { get; init; }
}

/// <summary>A zone of an event (main stage, east entrance).</summary>
public sealed record Zone(string Id, string Name);

/// <summary>A public event the mobile infrastructure is deployed for.</summary>
public sealed record Event(string Id, string Name, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<Zone> Zones)
{
    /// <summary>The event's site plan (the area with its zones drawn on it), when the inventory gives one.</summary>
    public SitePlan? Plan { get; init; }
}

/// <summary>Where a mobile thing is in its lifecycle at a given instant.</summary>
public enum DeploymentPhase
{
    InStorage,
    Deployed,
    TornDown,
}

/// <summary>The whole inventory as loaded and validated; immutable, replaced as a whole on reload.</summary>
public sealed class FleetInventory
{
    public FleetInventory(
        IEnumerable<Site> sites,
        IEnumerable<Device> devices,
        IEnumerable<Link> links,
        IEnumerable<MobileNode> nodes,
        IEnumerable<Endpoint> endpoints,
        IEnumerable<Event> events,
        HealthPolicy? policy = null,
        AlertPolicy? alerting = null)
    {
        Policy = policy ?? HealthPolicy.Default;
        Alerting = alerting ?? AlertPolicy.Default;
        Sites = sites.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        Devices = devices.ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);
        Links = links.ToFrozenDictionary(l => l.Id, StringComparer.Ordinal);
        Nodes = nodes.ToFrozenDictionary(n => n.Id, StringComparer.Ordinal);
        Endpoints = endpoints.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal);
        Events = events.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal);
    }

    public static FleetInventory Empty { get; } = new([], [], [], [], [], []);

    public FrozenDictionary<string, Site> Sites { get; }
    public FrozenDictionary<string, Device> Devices { get; }
    public FrozenDictionary<string, Link> Links { get; }
    public FrozenDictionary<string, MobileNode> Nodes { get; }
    public FrozenDictionary<string, Endpoint> Endpoints { get; }
    public FrozenDictionary<string, Event> Events { get; }

    /// <summary>Poll plans per device class and thresholds per link class.</summary>
    public HealthPolicy Policy { get; }

    /// <summary>Alert rules, flap damping, timing and maintenance windows (the <c>alerting:</c> section).</summary>
    public AlertPolicy Alerting { get; }

    /// <summary>
    /// For each device reachable from a core device, the links on its shortest path from the core (breadth first over
    /// planned links, ties by link id): the state engine's root cause and the alerts' "behind" both read it.
    /// </summary>
    public Dictionary<string, IReadOnlyList<string>> PathsFromCore()
    {
        var adjacent = Links.Values
            .SelectMany(l => new[] { (From: l.A.DeviceId, To: l.B.DeviceId, Link: l.Id), (From: l.B.DeviceId, To: l.A.DeviceId, Link: l.Id) })
            .ToLookup(e => e.From, StringComparer.Ordinal);
        var paths = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var core in Devices.Values.Where(d => d.Class == DeviceClass.Core).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            paths[core.Id] = [];
            queue.Enqueue(core.Id);
        }

        while (queue.TryDequeue(out var device))
        {
            foreach (var edge in adjacent[device].OrderBy(e => e.Link, StringComparer.Ordinal))
            {
                if (!paths.ContainsKey(edge.To))
                {
                    paths[edge.To] = [.. paths[device], edge.Link];
                    queue.Enqueue(edge.To);
                }
            }
        }

        return paths;
    }

    /// <summary>The lifecycle phase of a set of assignments at an instant.</summary>
    public static DeploymentPhase PhaseOf(IReadOnlyList<Assignment> assignments, DateTimeOffset at)
    {
        if (assignments.Any(a => a.Covers(at)))
        {
            return DeploymentPhase.Deployed;
        }

        return assignments.Any(a => a.Until <= at) && !assignments.Any(a => a.From > at)
            ? DeploymentPhase.TornDown
            : DeploymentPhase.InStorage;
    }

    /// <summary>Where an endpoint is planned: by its own assignments when it has any, otherwise it travels with its node.</summary>
    public IReadOnlyList<Assignment> AssignmentsOf(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Assignments.Count > 0 ? endpoint.Assignments
            : Nodes.TryGetValue(endpoint.NodeId, out var node) ? node.Assignments : [];
    }

    /// <summary>The assignment in force at an instant, if any.</summary>
    public static Assignment? CurrentAssignment(IReadOnlyList<Assignment> assignments, DateTimeOffset at) =>
        assignments.FirstOrDefault(a => a.Covers(at));
}
