using NetOps.Core.Inventory;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>First pass over what moves between events: <c>nodes:</c>, <c>endpoints:</c>, <c>events:</c> and the assignments that place them.</summary>
internal sealed partial class InventoryParser
{
    private static readonly string[] NodeKeys = ["id", "name", "class", "device", "report_interval", "assignments"];
    private static readonly string[] EndpointKeys = ["id", "name", "kind", "mac", "node", "planned_port", "assignments", "address"];
    private static readonly string[] EventKeys = ["id", "name", "start", "end", "zones", "plan"];
    private static readonly string[] ZoneKeys = ["id", "name", "polygon"];
    private static readonly string[] AssignmentKeys = ["event", "zone", "from", "until"];
    private static readonly string[] LooseAssignmentKeys = ["node", "endpoint", "event", "zone", "from", "until"];

    private static readonly Dictionary<string, EndpointKind> KindsByName =
        Enum.GetValues<EndpointKind>().ToDictionary(EndpointKinds.Name, StringComparer.Ordinal);

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
        _nodes.Add(new NodeDraft(id, map.At, complete, name, device, interval, assignments) { Class = map.Scalar("class") });
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
        var kind = ReadName(map, "kind", KindsByName, "an endpoint kind");
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

        var planGiven = map.Node.Children.TryGetValue(new YamlScalarNode("plan"), out var planNode) && planNode is YamlMappingNode;
        var plan = ReadPlan(map, ref complete);
        var polygons = new Dictionary<string, IReadOnlyList<PlanPoint>>(StringComparer.Ordinal);
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
            if (ReadPolygon(zoneMap, plan, planGiven) is { } polygon)
            {
                polygons[zoneId.Value] = polygon;
            }
            else if (zoneMap.Has("polygon"))
            {
                complete = false;
            }

            zones.Add(new Zone(zoneId.Value, zoneMap.Scalar("name")?.Value ?? zoneId.Value));
        }

        var value = complete
            ? new Event(id!.Value.Value, name ?? id.Value.Value, start!.Value.Value, end!.Value.Value, zones)
            {
                Plan = plan is null ? null : new SitePlan(plan.Image, plan.ImagePath, plan.Width, plan.Height, plan.Bounds, polygons, plan.Placements),
            }
            : null;
        _events.Add(new EventDraft(id, map.At, value, zoneOrigins) { PlacementIds = plan?.PlacementIds ?? [] });
    }

    /// <summary>
    /// An entry of the top-level <c>assignments:</c> section, which places a node or an endpoint by naming it (an event's
    /// plan in one file, as NetOps exports it): <c>{ node: mogli-01, event: kerwe, zone: stiftsplatz, from: …, until: … }</c>.
    /// </summary>
    private void ParseLooseAssignment(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, LooseAssignmentKeys) is not { } map)
        {
            return;
        }

        var node = map.Scalar("node");
        var endpoint = map.Scalar("endpoint");
        if ((node is null) == (endpoint is null))
        {
            Report(map.At, "names either a node or an endpoint");
            return;
        }

        if (ReadAssignment(map) is { } assignment)
        {
            _assignments.Add(new LooseAssignment(node is not null, (node ?? endpoint)!.Value, assignment));
        }
    }

    /// <summary>The top-level assignments join their node's or endpoint's own (an endpoint with one no longer travels with its node).</summary>
    private void AttachAssignments()
    {
        foreach (var loose in _assignments)
        {
            if (loose.IsNode)
            {
                if (_nodes.FirstOrDefault(n => n.Id?.Value == loose.Target.Value) is { } node)
                {
                    node.Assignments.Add(loose.Assignment);
                }
                else
                {
                    ReportUnresolved(loose.Target.At, $"unknown node '{loose.Target.Value}'");
                }

                continue;
            }

            var index = _endpoints.FindIndex(e => e.Id?.Value == loose.Target.Value);
            if (index < 0)
            {
                ReportUnresolved(loose.Target.At, $"unknown endpoint '{loose.Target.Value}'");
                continue;
            }

            _endpoints[index] = _endpoints[index] with { InheritsAssignments = false };
            _endpoints[index].Assignments.Add(loose.Assignment);
        }
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

            if (ReadAssignment(assignment) is { } value)
            {
                assignments.Add(value);
            }
            else
            {
                complete = false;
            }
        }

        return assignments;
    }

    private AssignmentDraft? ReadAssignment(MapReader assignment)
    {
        var eventId = assignment.Scalar("event", required: true);
        var zone = assignment.Scalar("zone", required: true);
        var from = ReadTime(assignment, "from", required: true);
        var until = ReadTime(assignment, "until", required: true);
        if (eventId is null || zone is null || from is null || until is null)
        {
            return null;
        }

        if (from.Value.Value >= until.Value.Value)
        {
            Report(until.Value.At, "until must be after from");
            return null;
        }

        return new AssignmentDraft(
            new Assignment(eventId.Value.Value, zone.Value.Value, from.Value.Value, until.Value.Value),
            assignment.At, eventId.Value.At, zone.Value.At);
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
}
