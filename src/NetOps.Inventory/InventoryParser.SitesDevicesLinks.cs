using NetOps.Core.Inventory;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>First pass over the fixed network: <c>sites:</c>, <c>devices:</c> with their ports, <c>links:</c>.</summary>
internal sealed partial class InventoryParser
{
    private static readonly string[] SiteKeys = ["id", "name", "ray"];
    private static readonly string[] DeviceKeys = ["id", "name", "class", "site", "node", "address", "snmp", "ports", "sys_name", "chassis_id"];
    private static readonly string[] PortKeys = ["name", "description"];
    private static readonly string[] LinkKeys = ["id", "name", "a", "b", "medium", "class"];
    private static readonly string[] LinkEndKeys = ["device", "port"];

    /// <summary>Device classes by name, for a device's <c>class:</c> and the health section's plans.</summary>
    private static readonly Dictionary<string, DeviceClass> DeviceClasses = new(StringComparer.Ordinal)
    {
        ["core"] = DeviceClass.Core,
        ["access"] = DeviceClass.Access,
        ["site"] = DeviceClass.Site,
        ["mobile-switch"] = DeviceClass.MobileSwitch,
    };

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

        var deviceClass = ReadName(map, "class", DeviceClasses, "a device class");
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
}
