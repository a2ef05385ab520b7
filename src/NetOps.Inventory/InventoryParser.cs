using System.Globalization;
using NetOps.Core.Inventory;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>One inventory file's name (as it should appear in errors) and text.</summary>
public sealed record InventorySource(string File, string Text);

/// <summary>
/// Parses and validates inventory files into one <see cref="FleetInventory"/>. Two passes: each file is read
/// on its own (syntax, keys, value formats), then the merged drafts are cross-checked (duplicates, references).
/// Every error is collected; an inventory is built only when there are none.
/// </summary>
internal sealed partial class InventoryParser(ICredentialStore credentials, DateTimeOffset now)
{
    private static readonly string[] TopKeys = ["fleet_defaults", "defaults", "sites", "devices", "links", "nodes", "endpoints", "events", "health"];
    private static readonly string[] DefaultsKeys = ["snmp", "medium", "report_interval"];
    private static readonly string[] SnmpKeys = ["version", "port", "credential"];
    private static readonly string[] SiteKeys = ["id", "name", "ray"];
    private static readonly string[] DeviceKeys = ["id", "name", "class", "site", "node", "address", "snmp", "ports", "sys_name", "chassis_id"];
    private static readonly string[] PortKeys = ["name", "description"];
    private static readonly string[] LinkKeys = ["id", "name", "a", "b", "medium", "class"];
    private static readonly string[] LinkEndKeys = ["device", "port"];
    private static readonly string[] NodeKeys = ["id", "name", "device", "report_interval", "assignments"];
    private static readonly string[] EndpointKeys = ["id", "name", "kind", "mac", "node", "planned_port", "assignments", "address"];
    private static readonly string[] EventKeys = ["id", "name", "start", "end", "zones"];
    private static readonly string[] ZoneKeys = ["id", "name"];
    private static readonly string[] AssignmentKeys = ["event", "zone", "from", "until"];

    private readonly List<InventoryError> _errors = [];
    private readonly List<Draft<Site>> _sites = [];
    private readonly List<DeviceDraft> _devices = [];
    private readonly List<LinkDraft> _links = [];
    private readonly List<NodeDraft> _nodes = [];
    private readonly List<EndpointDraft> _endpoints = [];
    private readonly List<EventDraft> _events = [];

    public InventoryLoadResult Parse(IReadOnlyList<InventorySource> sources)
    {
        _errors.AddRange(credentials.Refresh());
        var documents = sources.SelectMany(Documents).ToList();

        // Fleet defaults apply to every file, so one line can move the whole fleet (e.g. to a simulator's port).
        var fleet = Defaults.None;
        Origin? fleetAt = null;
        foreach (var root in documents)
        {
            if (root.Map("fleet_defaults", DefaultsKeys) is not { } map)
            {
                continue;
            }

            if (fleetAt is { } first)
            {
                Report(map.At, $"fleet_defaults is already set at {first.Place}; keep one");
                continue;
            }

            fleetAt = map.At;
            fleet = ParseDefaults(map);
        }

        var policy = ParseHealth(documents);
        foreach (var root in documents)
        {
            ParseDocument(root, ParseDefaults(root.Map("defaults", DefaultsKeys)).Over(fleet));
        }

        CrossCheck();
        CheckLinkClasses(policy);
        if (_errors.Count > 0)
        {
            var order = sources.Select((s, i) => (s.File, i)).ToDictionary(p => p.File, p => p.i, StringComparer.Ordinal);
            return InventoryLoadResult.Failure(
                [.. _errors.OrderBy(e => order.GetValueOrDefault(e.File, -1)).ThenBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        var nodes = _nodes.Select(n => n.Build(InferredDevice(n))).ToDictionary(n => n.Id, StringComparer.Ordinal);
        return InventoryLoadResult.Success(new FleetInventory(
            _sites.Select(s => s.Value!),
            _devices.Select(d => d.Value!),
            _links.Select(l => l.Value!),
            nodes.Values,
            _endpoints.Select(e => e.Build(nodes[e.Node!.Value.Value].Assignments)),
            _events.Select(e => e.Value!),
            policy));
    }

    private IEnumerable<MapReader> Documents(InventorySource source)
    {
        var context = new FileContext(source.File, _errors);
        if (!Yaml.TryLoad(new StringReader(source.Text), out var stream, out var syntax))
        {
            _errors.Add(new InventoryError(source.File, syntax.Line, syntax.Column, "", "YAML syntax error: " + syntax.Message));
            return [];
        }

        return stream.Documents
            .Where(d => !Yaml.IsNull(d.RootNode))
            .Select(d => context.Map(d.RootNode, "", TopKeys))
            .OfType<MapReader>()
            .ToList();
    }

    private void ParseDocument(MapReader root, Defaults defaults)
    {
        var context = root.Context;
        foreach (var (item, field) in root.List("sites"))
        {
            ParseSite(context, item, field);
        }

        foreach (var (item, field) in root.List("devices"))
        {
            ParseDevice(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("links"))
        {
            ParseLink(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("nodes"))
        {
            ParseNode(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("endpoints"))
        {
            ParseEndpoint(context, item, field);
        }

        foreach (var (item, field) in root.List("events"))
        {
            ParseEvent(context, item, field);
        }
    }

    // ---- first pass: one file at a time ----

    private sealed record Defaults(
        Setting<SnmpVersionSetting> Version, Setting<int> Port, Setting<string> Credential,
        Setting<string> Medium, Setting<TimeSpan> ReportInterval)
    {
        public static Defaults None { get; } = new(default, default, default, default, default);

        /// <summary>These defaults where given, the fallback's elsewhere.</summary>
        public Defaults Over(Defaults fallback) => new(
            Version.Given ? Version : fallback.Version,
            Port.Given ? Port : fallback.Port,
            Credential.Given ? Credential : fallback.Credential,
            Medium.Given ? Medium : fallback.Medium,
            ReportInterval.Given ? ReportInterval : fallback.ReportInterval);
    }

    /// <summary>A value that may come from the file's defaults; Given but not Valid means already reported.</summary>
    private readonly record struct Setting<T>(bool Given, bool Valid, T? Value)
    {
        public static Setting<T> None => default;
        public static Setting<T> Bad => new(true, false, default);
        public static Setting<T> Ok(T value) => new(true, true, value);
    }

    private Defaults ParseDefaults(MapReader? map)
    {
        var snmp = map?.Map("snmp", SnmpKeys);
        return new Defaults(
            ReadVersion(snmp),
            ReadPort(snmp),
            ReadCredential(snmp),
            map?.Scalar("medium") is { } medium ? Setting<string>.Ok(medium.Value) : Setting<string>.None,
            ReadInterval(map));
    }

    private Setting<SnmpVersionSetting> ReadVersion(MapReader? snmp)
    {
        if (snmp?.Scalar("version") is not { } text)
        {
            return Setting<SnmpVersionSetting>.None;
        }

        SnmpVersionSetting? version = text.Value switch
        {
            "v1" or "1" => SnmpVersionSetting.V1,
            "v2c" or "2c" => SnmpVersionSetting.V2c,
            "v3" or "3" => SnmpVersionSetting.V3,
            _ => null,
        };
        if (version is null)
        {
            Report(text.At, $"'{text.Value}' is not an SNMP version (v1, v2c, v3)");
            return Setting<SnmpVersionSetting>.Bad;
        }

        return Setting<SnmpVersionSetting>.Ok(version.Value);
    }

    private Setting<int> ReadPort(MapReader? snmp)
    {
        if (snmp?.Scalar("port") is not { } text)
        {
            return Setting<int>.None;
        }

        if (!int.TryParse(text.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            Report(text.At, $"'{text.Value}' is not a port number (1-65535)");
            return Setting<int>.Bad;
        }

        return Setting<int>.Ok(port);
    }

    private Setting<string> ReadCredential(MapReader? snmp)
    {
        if (snmp?.Scalar("credential") is not { } text)
        {
            return Setting<string>.None;
        }

        if (!Slug.IsValid(text.Value))
        {
            // Not echoed: a value that is not a name may be a pasted secret.
            Report(text.At, "a credential is referenced by name (a slug: " + Slug.Rule + "), never by its value");
            return Setting<string>.Bad;
        }

        if (!credentials.TryResolve(text.Value, out _))
        {
            Report(text.At, $"credential '{text.Value}' is not defined: set {CredentialStore.VariableFor(text.Value)} or add it to the secrets file");
            return Setting<string>.Bad;
        }

        return Setting<string>.Ok(text.Value);
    }

    /// <summary>A v3 device needs its credential to hold a whole USM user (<see cref="Snmp.SnmpV3Credential"/>), not a community.</summary>
    private bool CheckV3Credential(string name, Origin at)
    {
        if (!credentials.TryResolve(name, out var secret) || Snmp.SnmpV3Credential.TryParse(secret.Reveal(), out _, out var error))
        {
            return true; // an undefined credential is already reported where it is named
        }

        Report(at, $"credential '{name}' is not an SNMPv3 credential: {error}");
        return false;
    }

    private Setting<TimeSpan> ReadInterval(MapReader? map)
    {
        if (map?.Scalar("report_interval") is not { } text)
        {
            return Setting<TimeSpan>.None;
        }

        if (!Values.TryParseDuration(text.Value, out var interval) || interval <= TimeSpan.Zero)
        {
            Report(text.At, $"'{text.Value}' is not a positive duration (e.g. 10s, 500ms, 2m)");
            return Setting<TimeSpan>.Bad;
        }

        return Setting<TimeSpan>.Ok(interval);
    }

    private void ParseSite(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, SiteKeys) is not { } map)
        {
            return;
        }

        var id = ReadId(map);
        var name = map.Scalar("name")?.Value;
        var ray = map.Scalar("ray")?.Value;
        _sites.Add(new Draft<Site>(id, map.At, id is null ? null : new Site(id.Value.Value, name ?? id.Value.Value, ray)));
    }

    private void ParseDevice(FileContext context, YamlNode item, string field, Defaults defaults)
    {
        if (context.Map(item, field, DeviceKeys) is not { } map)
        {
            return;
        }

        var complete = true;
        var id = ReadId(map);
        complete &= id is not null;
        var name = map.Scalar("name")?.Value;

        var classText = map.Scalar("class", required: true);
        DeviceClass? deviceClass = classText?.Value switch
        {
            "core" => DeviceClass.Core,
            "access" => DeviceClass.Access,
            "site" => DeviceClass.Site,
            "mobile-switch" => DeviceClass.MobileSwitch,
            _ => null,
        };
        if (classText is { } badClass && deviceClass is null)
        {
            Report(badClass.At, $"'{badClass.Value}' is not a device class (core, access, site, mobile-switch)");
        }

        complete &= deviceClass is not null;

        var site = map.Scalar("site");
        var node = map.Scalar("node");
        if (deviceClass == DeviceClass.MobileSwitch)
        {
            complete &= Require(map, node, "node", "a mobile-switch belongs to a node");
            complete &= Forbid(site, "a mobile-switch belongs to a node, not a site");
        }
        else if (deviceClass is not null)
        {
            complete &= Require(map, site, "site", "a fixed device stands at a site");
            complete &= Forbid(node, "only a mobile-switch belongs to a node");
        }

        var addressText = map.Scalar("address", required: true);
        string? host = null;
        if (addressText is { } address)
        {
            if (Values.TryParseAddress(address.Value, out var ip))
            {
                host = ip.ToString();
            }
            else
            {
                Report(address.At, $"'{address.Value}' is not an IP address");
            }
        }

        complete &= host is not null;

        var snmp = map.Map("snmp", SnmpKeys);
        var version = Pick(ReadVersion(snmp), defaults.Version, map, "snmp.version", ref complete);
        var port = Pick(ReadPort(snmp), defaults.Port, map, "snmp.port", ref complete);
        var credential = Pick(ReadCredential(snmp), defaults.Credential, map, "snmp.credential", ref complete);
        if (version == SnmpVersionSetting.V3 && credential is not null)
        {
            // At the device's snmp map (or the device): the credential may come from the defaults, shared by many devices.
            complete &= CheckV3Credential(credential, map.Context.At((YamlNode?)snmp?.Node ?? map.Node, map.Path("snmp.credential")));
        }

        var ports = new List<PortPlan>();
        var portOrigins = new Dictionary<string, Origin>(StringComparer.Ordinal);
        foreach (var (portNode, portField) in map.List("ports"))
        {
            string? portName;
            string? description = null;
            Origin at;
            if (portNode is YamlScalarNode)
            {
                portName = Yaml.IsNull(portNode) ? null : ((YamlScalarNode)portNode).Value;
                at = context.At(portNode, portField);
                if (portName is null)
                {
                    Report(at, "empty port name");
                }
            }
            else if (context.Map(portNode, portField, PortKeys) is { } portMap)
            {
                var nameScalar = portMap.Scalar("name", required: true);
                portName = nameScalar?.Value;
                at = nameScalar?.At ?? portMap.At;
                description = portMap.Scalar("description")?.Value;
            }
            else
            {
                complete = false;
                continue;
            }

            if (portName is null)
            {
                complete = false;
            }
            else if (portOrigins.TryGetValue(portName, out var first))
            {
                Report(at, $"duplicate port '{portName}' (first listed at {first.Place})");
            }
            else
            {
                portOrigins[portName] = at;
                ports.Add(new PortPlan(portName, description));
            }
        }

        var sysName = map.Scalar("sys_name")?.Value;
        var chassisId = map.Scalar("chassis_id")?.Value;
        Device? device = complete
            ? new Device(id!.Value.Value, name ?? id.Value.Value, deviceClass!.Value, site?.Value, node?.Value,
                new SnmpTarget(host!, port, version, credential!), ports, sysName, chassisId)
            : null;
        _devices.Add(new DeviceDraft(id, map.At, device, site, node, portOrigins));
    }

    private void ParseLink(FileContext context, YamlNode item, string field, Defaults defaults)
    {
        if (context.Map(item, field, LinkKeys) is not { } map)
        {
            return;
        }

        var id = ReadId(map);
        var name = map.Scalar("name")?.Value;
        var a = ReadEnd(map, "a");
        var b = ReadEnd(map, "b");
        var medium = map.Scalar("medium")?.Value ?? (defaults.Medium.Valid ? defaults.Medium.Value! : "fibre");
        var linkClass = map.Scalar("class");
        var link = id is not null && a is not null && b is not null
            ? new Link(id.Value.Value, name ?? id.Value.Value,
                new LinkEnd(a.Value.Device.Value, a.Value.Port.Value), new LinkEnd(b.Value.Device.Value, b.Value.Port.Value), medium,
                linkClass?.Value)
            : null;
        _links.Add(new LinkDraft(id, map.At, link, a, b) { Class = linkClass });
    }

    private static EndDraft? ReadEnd(MapReader link, string key)
    {
        if (link.Map(key, LinkEndKeys, required: true) is not { } end)
        {
            return null;
        }

        var device = end.Scalar("device", required: true);
        var port = end.Scalar("port", required: true);
        return device is null || port is null ? null : new EndDraft(device.Value, port.Value);
    }

    private void ParseNode(FileContext context, YamlNode item, string field, Defaults defaults)
    {
        if (context.Map(item, field, NodeKeys) is not { } map)
        {
            return;
        }

        var complete = true;
        var id = ReadId(map);
        complete &= id is not null;
        var name = map.Scalar("name")?.Value;
        var device = map.Scalar("device");
        var interval = Pick(ReadInterval(map), defaults.ReportInterval, map, "report_interval", ref complete);
        var assignments = ReadAssignments(map, ref complete);
        _nodes.Add(new NodeDraft(id, map.At, complete, name, device, interval, assignments));
    }

    private void ParseEndpoint(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, EndpointKeys) is not { } map)
        {
            return;
        }

        var complete = true;
        var id = ReadId(map);
        complete &= id is not null;
        var name = map.Scalar("name")?.Value;
        var kindText = map.Scalar("kind", required: true);
        EndpointKind? kind = kindText?.Value switch
        {
            "camera" => EndpointKind.Camera,
            "sensor" => EndpointKind.Sensor,
            "access-point" => EndpointKind.AccessPoint,
            "other" => EndpointKind.Other,
            _ => null,
        };
        if (kindText is { } badKind && kind is null)
        {
            Report(badKind.At, $"'{badKind.Value}' is not an endpoint kind (camera, sensor, access-point, other)");
        }

        complete &= kind is not null;
        var macText = map.Scalar("mac", required: true);
        string? mac = null;
        if (macText is { } macScalar && !MacAddress.TryParse(macScalar.Value, out mac))
        {
            Report(macScalar.At, $"'{macScalar.Value}' is not a MAC address (aa:bb:cc:dd:ee:ff)");
            mac = null;
        }

        complete &= mac is not null;
        var node = map.Scalar("node", required: true);
        complete &= node is not null;
        var plannedPort = map.Scalar("planned_port");
        var address = map.Scalar("address");
        if (address is { } addressText && !Values.TryParseAddress(addressText.Value, out _))
        {
            Report(addressText.At, $"'{addressText.Value}' is not an IP address");
            complete = false;
        }

        var inherits = !map.Has("assignments");
        var assignments = ReadAssignments(map, ref complete);
        _endpoints.Add(new EndpointDraft(id, map.At, complete, name, kind ?? default, mac, macText?.At, node, plannedPort, inherits, assignments)
        {
            Address = address?.Value,
        });
    }

    private void ParseEvent(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, EventKeys) is not { } map)
        {
            return;
        }

        var complete = true;
        var id = ReadId(map);
        complete &= id is not null;
        var name = map.Scalar("name")?.Value;
        var start = ReadTime(map, "start", required: true);
        var end = ReadTime(map, "end", required: true);
        complete &= start is not null && end is not null;
        if (start is not null && end is not null && start.Value.Value >= end.Value.Value)
        {
            Report(end.Value.At, "end must be after start");
            complete = false;
        }

        var zones = new List<Zone>();
        var zoneOrigins = new Dictionary<string, Origin>(StringComparer.Ordinal);
        foreach (var (zoneNode, zoneField) in map.List("zones"))
        {
            if (context.Map(zoneNode, zoneField, ZoneKeys) is not { } zoneMap || ReadId(zoneMap) is not { } zoneId)
            {
                complete = false;
                continue;
            }

            if (zoneOrigins.TryGetValue(zoneId.Value, out var first))
            {
                Report(zoneId.At, $"duplicate zone id '{zoneId.Value}' (first defined at {first.Place})");
                complete = false;
                continue;
            }

            zoneOrigins[zoneId.Value] = zoneId.At;
            zones.Add(new Zone(zoneId.Value, zoneMap.Scalar("name")?.Value ?? zoneId.Value));
        }

        var value = complete
            ? new Event(id!.Value.Value, name ?? id.Value.Value, start!.Value.Value, end!.Value.Value, zones)
            : null;
        _events.Add(new EventDraft(id, map.At, value, zoneOrigins));
    }

    private List<AssignmentDraft> ReadAssignments(MapReader map, ref bool complete)
    {
        var assignments = new List<AssignmentDraft>();
        foreach (var (node, field) in map.List("assignments"))
        {
            if (map.Context.Map(node, field, AssignmentKeys) is not { } assignment)
            {
                complete = false;
                continue;
            }

            var eventId = assignment.Scalar("event", required: true);
            var zone = assignment.Scalar("zone", required: true);
            var from = ReadTime(assignment, "from", required: true);
            var until = ReadTime(assignment, "until", required: true);
            if (eventId is null || zone is null || from is null || until is null)
            {
                complete = false;
                continue;
            }

            if (from.Value.Value >= until.Value.Value)
            {
                Report(until.Value.At, "until must be after from");
                complete = false;
                continue;
            }

            assignments.Add(new AssignmentDraft(
                new Assignment(eventId.Value.Value, zone.Value.Value, from.Value.Value, until.Value.Value),
                assignment.At, eventId.Value.At, zone.Value.At));
        }

        return assignments;
    }

    private (DateTimeOffset Value, Origin At)? ReadTime(MapReader map, string key, bool required)
    {
        if (map.Scalar(key, required) is not { } text)
        {
            return null;
        }

        if (!Values.TryParseTime(text.Value, now, out var value, out var problem))
        {
            Report(text.At, problem);
            return null;
        }

        return (value, text.At);
    }

    private Scalar? ReadId(MapReader map)
    {
        if (map.Scalar("id", required: true) is not { } id)
        {
            return null;
        }

        if (!Slug.IsValid(id.Value))
        {
            Report(id.At, $"'{id.Value}' is not a slug ({Slug.Rule})");
            return null;
        }

        return id;
    }

    private T Pick<T>(Setting<T> own, Setting<T> fallback, MapReader map, string key, ref bool complete)
    {
        var chosen = own.Given ? own : fallback;
        if (!chosen.Given)
        {
            Report(map.Context.At(map.Node, map.Path(key)), "missing required field (set it here or in the file's defaults)");
        }

        if (!chosen.Valid)
        {
            complete = false;
            return default!;
        }

        return chosen.Value!;
    }

    private bool Require(MapReader map, Scalar? value, string key, string why)
    {
        if (value is null)
        {
            Report(map.Context.At(map.Node, map.Path(key)), "missing required field: " + why);
            return false;
        }

        return true;
    }

    private bool Forbid(Scalar? value, string why)
    {
        if (value is { } present)
        {
            Report(present.At, why);
            return false;
        }

        return true;
    }

    private void Report(Origin at, string message) => _errors.Add(at.Error(message));

    // ---- second pass: the merged inventory ----

    private void CrossCheck()
    {
        var sites = Unique(_sites, "site");
        var devices = Unique(_devices, "device");
        Unique(_links, "link");
        var nodes = Unique(_nodes, "node");
        Unique(_endpoints, "endpoint");
        var events = Unique(_events, "event");

        foreach (var device in _devices)
        {
            if (device.Site is { } site && !sites.ContainsKey(site.Value))
            {
                Report(site.At, $"unknown site '{site.Value}'");
            }

            if (device.Node is { } node && !nodes.ContainsKey(node.Value))
            {
                Report(node.At, $"unknown node '{node.Value}'");
            }
        }

        var usedPorts = new Dictionary<(string Device, string Port), LinkDraft>();
        foreach (var link in _links)
        {
            foreach (var end in new[] { link.A, link.B })
            {
                if (end is not { } e)
                {
                    continue;
                }

                if (!devices.TryGetValue(e.Device.Value, out var device))
                {
                    Report(e.Device.At, $"unknown device '{e.Device.Value}'");
                    continue;
                }

                if (device.Value is not null && !device.Ports.ContainsKey(e.Port.Value))
                {
                    Report(e.Port.At, $"device '{e.Device.Value}' has no port '{e.Port.Value}'");
                    continue;
                }

                if (usedPorts.TryGetValue((e.Device.Value, e.Port.Value), out var other))
                {
                    Report(e.Port.At, $"port '{e.Port.Value}' of device '{e.Device.Value}' is already used by link '{other.Id?.Value}' ({other.At.Place})");
                    continue;
                }

                usedPorts[(e.Device.Value, e.Port.Value)] = link;
            }
        }

        foreach (var node in _nodes)
        {
            if (node.Device is { } deviceRef)
            {
                if (!devices.TryGetValue(deviceRef.Value, out var device))
                {
                    Report(deviceRef.At, $"unknown device '{deviceRef.Value}'");
                }
                else if (device.Value is { } d && d.NodeId != node.Id?.Value)
                {
                    Report(deviceRef.At, d.NodeId is null
                        ? $"device '{d.Id}' is not a mobile-switch of this node (it has no node)"
                        : $"device '{d.Id}' belongs to node '{d.NodeId}'");
                }
            }

            CheckAssignments(node.Assignments, events);
        }

        var macs = new Dictionary<string, EndpointDraft>(StringComparer.Ordinal);
        foreach (var endpoint in _endpoints)
        {
            if (endpoint.Mac is { } mac)
            {
                if (macs.TryGetValue(mac, out var other))
                {
                    Report(endpoint.MacAt!.Value, $"MAC {mac} is already used by endpoint '{other.Id?.Value}' ({other.MacAt!.Value.Place})");
                }
                else
                {
                    macs[mac] = endpoint;
                }
            }

            if (endpoint.Node is { } nodeRef)
            {
                if (!nodes.TryGetValue(nodeRef.Value, out var node))
                {
                    Report(nodeRef.At, $"unknown node '{nodeRef.Value}'");
                }
                else if (endpoint.PlannedPort is { } port && node.Complete)
                {
                    var device = InferredDevice(node);
                    if (device is null)
                    {
                        Report(port.At, $"node '{nodeRef.Value}' has no device to plan a port on");
                    }
                    else if (devices.TryGetValue(device, out var deviceDraft) && deviceDraft.Value is not null &&
                             !deviceDraft.Ports.ContainsKey(port.Value))
                    {
                        Report(port.At, $"device '{device}' of node '{nodeRef.Value}' has no port '{port.Value}'");
                    }
                }
            }

            CheckAssignments(endpoint.Assignments, events);
        }
    }

    private void CheckAssignments(List<AssignmentDraft> assignments, Dictionary<string, EventDraft> events)
    {
        for (var i = 0; i < assignments.Count; i++)
        {
            var assignment = assignments[i];
            if (!events.TryGetValue(assignment.Value.EventId, out var @event))
            {
                Report(assignment.EventAt, $"unknown event '{assignment.Value.EventId}'");
            }
            else if (@event.Value is not null && !@event.Zones.ContainsKey(assignment.Value.ZoneId))
            {
                Report(assignment.ZoneAt, $"event '{assignment.Value.EventId}' has no zone '{assignment.Value.ZoneId}'");
            }

            for (var j = 0; j < i; j++)
            {
                var earlier = assignments[j].Value;
                if (assignment.Value.From < earlier.Until && earlier.From < assignment.Value.Until)
                {
                    Report(assignment.At, $"overlaps the assignment to '{earlier.EventId}/{earlier.ZoneId}' at {assignments[j].At.Place}: a thing is in one place at a time");
                    break;
                }
            }
        }
    }

    /// <summary>A node's device: named by the node, else the one mobile-switch that names the node.</summary>
    private string? InferredDevice(NodeDraft node)
    {
        if (node.Device is { } named)
        {
            return named.Value;
        }

        var claiming = _devices.Where(d => d.Value is { NodeId: { } n } && n == node.Id?.Value).Take(2).ToList();
        return claiming.Count == 1 ? claiming[0].Value!.Id : null;
    }

    private Dictionary<string, TDraft> Unique<TDraft>(IEnumerable<TDraft> drafts, string kind)
        where TDraft : IDraft
    {
        var seen = new Dictionary<string, TDraft>(StringComparer.Ordinal);
        foreach (var draft in drafts)
        {
            if (draft.Id is not { } id)
            {
                continue;
            }

            if (seen.TryGetValue(id.Value, out var first))
            {
                Report(id.At, $"duplicate {kind} id '{id.Value}' (first defined at {first.Id!.Value.At.Place})");
            }
            else
            {
                seen[id.Value] = draft;
            }
        }

        return seen;
    }

    // ---- drafts: what a file said, with where it said it ----

    private interface IDraft
    {
        Scalar? Id { get; }
    }

    private sealed record Draft<T>(Scalar? Id, Origin At, T? Value) : IDraft;

    private sealed record DeviceDraft(Scalar? Id, Origin At, Device? Value, Scalar? Site, Scalar? Node, Dictionary<string, Origin> Ports) : IDraft;

    private readonly record struct EndDraft(Scalar Device, Scalar Port);

    private sealed record LinkDraft(Scalar? Id, Origin At, Link? Value, EndDraft? A, EndDraft? B) : IDraft
    {
        public Scalar? Class { get; init; }
    }

    private sealed record AssignmentDraft(Assignment Value, Origin At, Origin EventAt, Origin ZoneAt);

    private sealed record NodeDraft(
        Scalar? Id, Origin At, bool Complete, string? Name, Scalar? Device, TimeSpan Interval, List<AssignmentDraft> Assignments) : IDraft
    {
        public MobileNode Build(string? deviceId) =>
            new(Id!.Value.Value, Name ?? Id.Value.Value, deviceId, Interval, [.. Assignments.Select(a => a.Value)]);
    }

    private sealed record EndpointDraft(
        Scalar? Id, Origin At, bool Complete, string? Name, EndpointKind Kind, string? Mac, Origin? MacAt, Scalar? Node,
        Scalar? PlannedPort, bool InheritsAssignments, List<AssignmentDraft> Assignments) : IDraft
    {
        public Endpoint Build(IReadOnlyList<Assignment> nodeAssignments) =>
            new(Id!.Value.Value, Name ?? Id.Value.Value, Kind, Mac!, Node!.Value.Value, PlannedPort?.Value,
                InheritsAssignments ? nodeAssignments : [.. Assignments.Select(a => a.Value)])
            {
                Address = Address,
            };

        public string? Address { get; init; }
    }

    private sealed record EventDraft(Scalar? Id, Origin At, Event? Value, Dictionary<string, Origin> Zones) : IDraft;
}
