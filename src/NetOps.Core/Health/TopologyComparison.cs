using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Core.Health;

/// <summary>What LLDP says about a planned link.</summary>
public enum DiscoveryStatus
{
    /// <summary>Not enough fresh evidence to say: a neighbour table not read, or a port down (LLDP cannot cross it).</summary>
    Unverified,

    /// <summary>At least one end sees the other at the planned ports.</summary>
    Confirmed,

    /// <summary>Both ends' tables are fresh, both planned ports are up, and neither end sees the other anywhere.</summary>
    Missing,

    /// <summary>The two planned devices see each other, but not at the planned ports.</summary>
    Miswired,
}

/// <summary>
/// One device's fresh LLDP view: its neighbours per local port, what it advertises itself, and its ifIndex → ifName
/// map from the same poll (neighbours naming its ports by number resolve through it).
/// </summary>
public sealed record NeighbourView(
    string DeviceId,
    IReadOnlyList<LldpNeighbour> Neighbours,
    LldpLocalSystem? Local = null,
    IReadOnlyDictionary<int, string>? IfNames = null);

/// <summary>
/// One end of a discovered adjacency: an inventory device's port (<see cref="DeviceId"/> set; <see cref="Port"/> null
/// when the neighbour's port id matched no port), or a chassis not in the inventory. Ids and names are device-supplied.
/// </summary>
public sealed record AdjacencyEnd(
    string? DeviceId,
    string? Port,
    string? ChassisId = null,
    string? SysName = null,
    LldpPortIdKind? PortIdKind = null,
    string? PortId = null,
    string? PortDescription = null)
{
    /// <summary>A stable key, safe as part of an entity id: "device/port", or the chassis and port id (hashed when odd).</summary>
    public string Key => DeviceId is not null
        ? $"{DeviceId}/{Port ?? "?" + TopologyComparison.SafeKey(PortId ?? "")}"
        : $"{TopologyComparison.SafeKey(ChassisId ?? SysName ?? "unknown")}/{TopologyComparison.SafeKey(PortId ?? "?")}";

    /// <summary>"device port" for people; for a foreign chassis its sysName (or chassis id) and port id. Untrusted text.</summary>
    public string Display => DeviceId is not null
        ? $"{DeviceId} {Port ?? PortDescription ?? PortId ?? "?"}"
        : $"{SysName ?? ChassisId ?? "unknown"} {PortId ?? PortDescription ?? "?"}";
}

/// <summary>An adjacency LLDP shows, seen from one end or both; <see cref="A"/> is the end with the lower key.</summary>
public sealed record Adjacency(AdjacencyEnd A, AdjacencyEnd B, bool SeenFromA, bool SeenFromB)
{
    /// <summary>The entity id of this adjacency as a discovered link: stable while both ends stay the same.</summary>
    public string Id => "discovered:" + A.Key + "--" + B.Key;

    /// <summary>The end at <paramref name="deviceId"/>, or null.</summary>
    public AdjacencyEnd? EndAt(string deviceId) => A.DeviceId == deviceId ? A : B.DeviceId == deviceId ? B : null;
}

/// <summary>What LLDP says about one planned link, with what each planned port sees (untrusted text).</summary>
public sealed record PlannedLinkDiscovery(string LinkId, DiscoveryStatus Status, string Detail)
{
    /// <summary>What the planned port at end A sees ("nothing" when its table is fresh and empty there); null when not read.</summary>
    public string? SeenAtA { get; init; }

    /// <summary>What the planned port at end B sees.</summary>
    public string? SeenAtB { get; init; }

    /// <summary>For a miswire: the adjacency that is there instead, with its ends at A's and B's device.</summary>
    public (AdjacencyEnd AtA, AdjacencyEnd AtB)? Actual { get; init; }
}

/// <summary>The planned links judged against LLDP, and the adjacencies no planned link explains.</summary>
public sealed record TopologyResult(IReadOnlyDictionary<string, PlannedLinkDiscovery> Planned, IReadOnlyList<Adjacency> Unexpected);

/// <summary>
/// Compares planned links with the neighbours devices report over LLDP. Pure: the state engine feeds it the fresh
/// neighbour views and the port states, and turns the result into attributes, complaints and discovered links.
/// </summary>
public static class TopologyComparison
{
    /// <summary>
    /// Judges every planned link and collects unexplained adjacencies. <paramref name="portUp"/> says whether a planned
    /// port is up (true), down (false) or unknown (null).
    /// </summary>
    public static TopologyResult Compare(
        FleetInventory inventory,
        IReadOnlyDictionary<string, NeighbourView> views,
        Func<LinkEnd, bool?> portUp)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(portUp);
        var resolver = new Resolver(inventory, views);
        var sightings = Sightings(inventory, views, resolver);
        var adjacencies = Merge(sightings);
        var explained = new HashSet<Adjacency>();
        var planned = new Dictionary<string, PlannedLinkDiscovery>(StringComparer.Ordinal);
        var links = inventory.Links.Values.OrderBy(l => l.Id, StringComparer.Ordinal).ToList();

        // Exact confirmations first, so that a second planned link between the same devices is not taken as a miswire.
        foreach (var link in links)
        {
            var confirming = adjacencies.Where(a => Covers(a, link.A, link.B)).ToList();
            if (confirming.Count == 0)
            {
                continue;
            }

            explained.UnionWith(confirming);
            var seenFrom = new[] { link.A, link.B }
                .Where(end => confirming.Any(a => a.EndAt(end.DeviceId) is { } e && e.Port == end.Port && SeenFrom(a, e)))
                .Select(end => $"{end.DeviceId} {end.Port}")
                .ToList();
            var detail = seenFrom.Count == 2 ? "seen from both ends" : $"seen from {string.Join(" and ", seenFrom)}";
            if (confirming.All(a => a.A.Port is null || a.B.Port is null))
            {
                detail += "; the peer's port id matched no port";
            }

            planned[link.Id] = new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Confirmed, detail);
        }

        foreach (var link in links.Where(l => !planned.ContainsKey(l.Id)))
        {
            var candidate = adjacencies
                .Where(a => !explained.Contains(a) && link.A.DeviceId != link.B.DeviceId &&
                            a.EndAt(link.A.DeviceId) is not null && a.EndAt(link.B.DeviceId) is not null)
                .OrderByDescending(a => SharesPlannedPort(a, link))
                .ThenBy(a => a.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (candidate is not null)
            {
                explained.Add(candidate);
                var atA = candidate.EndAt(link.A.DeviceId)!;
                var atB = candidate.EndAt(link.B.DeviceId)!;
                planned[link.Id] = new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Miswired,
                    $"planned {link.A.DeviceId} {link.A.Port} ↔ {link.B.DeviceId} {link.B.Port}, seen {atA.Display} ↔ {atB.Display}")
                {
                    Actual = (atA, atB),
                };
                continue;
            }

            planned[link.Id] = NotSeen(link, views, portUp);
        }

        foreach (var link in links)
        {
            planned[link.Id] = planned[link.Id] with
            {
                SeenAtA = SeenAt(link.A, views, sightings),
                SeenAtB = SeenAt(link.B, views, sightings),
            };
        }

        var unexpected = adjacencies.Where(a => !explained.Contains(a)).OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        return new TopologyResult(planned, unexpected);
    }

    /// <summary>Device-supplied text as a key part: kept when short and plain, otherwise a stable hash ("h" + 16 hex digits).</summary>
    public static string SafeKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '-'))
        {
            return text;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return "h" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>Both ends of the link at the planned ports, or one at its planned port and the other device with a port id nothing matched.</summary>
    private static bool Covers(Adjacency adjacency, LinkEnd x, LinkEnd y)
    {
        static bool Exact(AdjacencyEnd e, LinkEnd l) => e.DeviceId == l.DeviceId && e.Port == l.Port;
        static bool Loose(AdjacencyEnd e, LinkEnd l) => e.DeviceId == l.DeviceId && (e.Port is null || e.Port == l.Port);
        var (a, b) = (adjacency.A, adjacency.B);
        return (Exact(a, x) && Loose(b, y)) || (Loose(a, x) && Exact(b, y)) || (Exact(a, y) && Loose(b, x)) || (Loose(a, y) && Exact(b, x));
    }

    private static bool SeenFrom(Adjacency adjacency, AdjacencyEnd end) => ReferenceEquals(end, adjacency.A) ? adjacency.SeenFromA : adjacency.SeenFromB;

    private static bool SharesPlannedPort(Adjacency adjacency, Link link) =>
        adjacency.EndAt(link.A.DeviceId)?.Port == link.A.Port || adjacency.EndAt(link.B.DeviceId)?.Port == link.B.Port;

    /// <summary>
    /// Neither end sees the other. Missing only when it could have: both tables fresh and both ports up. A link with a
    /// port down is down, not missing; without both tables nothing can be said.
    /// </summary>
    private static PlannedLinkDiscovery NotSeen(Link link, IReadOnlyDictionary<string, NeighbourView> views, Func<LinkEnd, bool?> portUp)
    {
        var ends = new[] { link.A, link.B };
        if (ends.FirstOrDefault(e => portUp(e) == false) is { } down)
        {
            return new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Unverified, $"port {down.Port} on {down.DeviceId} is down: LLDP cannot cross it");
        }

        if (ends.FirstOrDefault(e => !views.ContainsKey(e.DeviceId)) is { } unread)
        {
            return new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Unverified, $"no fresh neighbour table from {unread.DeviceId}");
        }

        if (ends.FirstOrDefault(e => portUp(e) is null) is { } unknown)
        {
            return new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Unverified, $"state of port {unknown.Port} on {unknown.DeviceId} unknown");
        }

        return new PlannedLinkDiscovery(link.Id, DiscoveryStatus.Missing,
            $"both ports up, but neither {link.A.DeviceId} nor {link.B.DeviceId} sees the other over LLDP");
    }

    private static string? SeenAt(LinkEnd end, IReadOnlyDictionary<string, NeighbourView> views, IReadOnlyList<Sighting> sightings)
    {
        if (!views.ContainsKey(end.DeviceId))
        {
            return null;
        }

        var seen = sightings.Where(s => s.Local.DeviceId == end.DeviceId && s.Local.Port == end.Port).Select(s => s.Remote.Display).ToList();
        return seen.Count == 0 ? "nothing" : string.Join("; ", seen);
    }

    /// <summary>Every neighbour of every fresh view, its remote end resolved to an inventory device and port where possible.</summary>
    private static List<Sighting> Sightings(FleetInventory inventory, IReadOnlyDictionary<string, NeighbourView> views, Resolver resolver)
    {
        var sightings = new List<Sighting>();
        foreach (var view in views.Values.Where(v => inventory.Devices.ContainsKey(v.DeviceId)).OrderBy(v => v.DeviceId, StringComparer.Ordinal))
        {
            foreach (var n in view.Neighbours)
            {
                var remoteDevice = resolver.Device(n);
                var remote = new AdjacencyEnd(remoteDevice, remoteDevice is null ? null : resolver.Port(remoteDevice, n),
                    n.RemoteChassisId, n.RemoteSysName, n.RemotePortIdKind, n.RemotePortId, n.RemotePortDescription);
                sightings.Add(new Sighting(new AdjacencyEnd(view.DeviceId, n.LocalPort), remote));
            }
        }

        // A port id nothing matched (a MAC, a number) is settled by the other end, when it sees this end at a known port.
        for (var i = 0; i < sightings.Count; i++)
        {
            var s = sightings[i];
            if (s.Remote.DeviceId is not { } remoteDevice || s.Remote.Port is not null)
            {
                continue;
            }

            var back = sightings.Where(o => o.Local.DeviceId == remoteDevice && o.Remote.DeviceId == s.Local.DeviceId && o.Remote.Port == s.Local.Port).ToList();
            if (back.Count == 1)
            {
                sightings[i] = s with { Remote = s.Remote with { Port = back[0].Local.Port } };
            }
        }

        return sightings;
    }

    /// <summary>Sightings of the same two ends, from either side, become one adjacency.</summary>
    private static List<Adjacency> Merge(IReadOnlyList<Sighting> sightings)
    {
        var merged = new Dictionary<string, Adjacency>(StringComparer.Ordinal);
        foreach (var s in sightings)
        {
            var localFirst = string.CompareOrdinal(s.Local.Key, s.Remote.Key) <= 0;
            var key = localFirst ? s.Local.Key + "--" + s.Remote.Key : s.Remote.Key + "--" + s.Local.Key;
            if (!merged.TryGetValue(key, out var adjacency))
            {
                merged[key] = localFirst ? new Adjacency(s.Local, s.Remote, true, false) : new Adjacency(s.Remote, s.Local, false, true);
                continue;
            }

            // Seen from the other side too: the remote end carries what its neighbour advertised (names, port ids).
            merged[key] = localFirst
                ? adjacency with { SeenFromA = true, B = Richer(adjacency.B, s.Remote) }
                : adjacency with { SeenFromB = true, A = Richer(adjacency.A, s.Remote) };
        }

        return [.. merged.Values];
    }

    private static AdjacencyEnd Richer(AdjacencyEnd current, AdjacencyEnd reported) =>
        current.ChassisId is null && current.SysName is null && current.PortId is null ? reported with { Port = current.Port ?? reported.Port } : current;

    /// <summary>One neighbour as one device reports it.</summary>
    private sealed record Sighting(AdjacencyEnd Local, AdjacencyEnd Remote);

    /// <summary>Maps what a neighbour advertises to an inventory device and port.</summary>
    private sealed class Resolver
    {
        private readonly FleetInventory _inventory;
        private readonly IReadOnlyDictionary<string, NeighbourView> _views;
        private readonly Dictionary<string, string> _byChassis = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _byName = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _byHostLabel = new(StringComparer.OrdinalIgnoreCase);

        public Resolver(FleetInventory inventory, IReadOnlyDictionary<string, NeighbourView> views)
        {
            _inventory = inventory;
            _views = views;
            foreach (var device in inventory.Devices.Values.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                // Configured identity wins over what a device advertises about itself.
                if (device.ChassisId is { Length: > 0 } chassis)
                {
                    _byChassis.TryAdd(MacAddress.Normalise(chassis), device.Id);
                }

                if (device.SysName is { Length: > 0 } sysName)
                {
                    _byName.TryAdd(sysName, device.Id);
                }

                _byName.TryAdd(device.Id, device.Id);
            }

            foreach (var view in views.Values.Where(v => inventory.Devices.ContainsKey(v.DeviceId)).OrderBy(v => v.DeviceId, StringComparer.Ordinal))
            {
                if (view.Local?.ChassisId is { Length: > 0 } chassis)
                {
                    _byChassis.TryAdd(MacAddress.Normalise(chassis), view.DeviceId);
                }

                if (view.Local?.SysName is { Length: > 0 } sysName)
                {
                    _byName.TryAdd(sysName, view.DeviceId);
                }
            }

            foreach (var (name, id) in _byName.ToList())
            {
                _byHostLabel.TryAdd(HostLabel(name), id);
            }
        }

        /// <summary>By chassis id, then sysName (configured, the device id, or as the device advertises it), then its host label.</summary>
        public string? Device(LldpNeighbour neighbour)
        {
            if (neighbour.RemoteChassisId is { Length: > 0 } chassis && _byChassis.TryGetValue(MacAddress.Normalise(chassis), out var byChassis))
            {
                return byChassis;
            }

            if (neighbour.RemoteSysName is not { Length: > 0 } sysName)
            {
                return null;
            }

            return _byName.TryGetValue(sysName, out var byName) ? byName
                : _byHostLabel.TryGetValue(HostLabel(sysName), out var byLabel) ? byLabel
                : null;
        }

        /// <summary>
        /// The port of <paramref name="deviceId"/> a neighbour's port id names: what that device advertises on its ports
        /// (the surest), then by subtype (ifName; ifAlias as the port's planned description; a local number as ifIndex),
        /// then a port id or port description that equals a port name. Null when nothing matches.
        /// </summary>
        public string? Port(string deviceId, LldpNeighbour neighbour)
        {
            var device = _inventory.Devices[deviceId];
            var view = _views.GetValueOrDefault(deviceId);
            bool Planned(string name) => device.Ports.Any(p => p.Name == name);
            if (neighbour.RemotePortId is { Length: > 0 } id)
            {
                var advertised = view?.Local?.Ports.FirstOrDefault(p => p.Kind == neighbour.RemotePortIdKind &&
                    string.Equals(p.PortId, id, StringComparison.OrdinalIgnoreCase));
                if (advertised is not null)
                {
                    return advertised.Port;
                }

                switch (neighbour.RemotePortIdKind)
                {
                    case LldpPortIdKind.InterfaceName:
                        return id;
                    case LldpPortIdKind.InterfaceAlias when device.Ports.FirstOrDefault(p => p.Description == id) is { } aliased:
                        return aliased.Name;
                    case LldpPortIdKind.Local when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var ifIndex) &&
                                                   view?.IfNames is { } names && names.TryGetValue(ifIndex, out var byIndex):
                        return byIndex;
                }

                if (Planned(id))
                {
                    return id;
                }
            }

            return neighbour.RemotePortDescription is { Length: > 0 } description && Planned(description) ? description : null;
        }

        private static string HostLabel(string name) => name.Split('.', 2)[0];
    }
}
