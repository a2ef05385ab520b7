using System.Globalization;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;
using NetOps.Snmp;

namespace NetOps.Simulator;

/// <summary>
/// BRIDGE-MIB base ports, the Q-BRIDGE-MIB forwarding table with the MAC of each endpoint of this switch's node on its
/// planned port, and POWER-ETHERNET-MIB for every access port (group 1, port = bridge port = ifIndex, as a single
/// HP/Aruba-style switch numbers them). Endpoints can be unplugged, lose PoE, be re-patched and restored.
/// </summary>
public sealed partial class SimulatedSwitch
{
    private static readonly Oid Dot1dBasePortIfIndex = Oid.Parse("1.3.6.1.2.1.17.1.4.1.2");
    private static readonly Oid Dot1qTpFdbEntry = Oid.Parse("1.3.6.1.2.1.17.7.1.2.2.1");
    private static readonly Oid PethPsePortEntry = Oid.Parse("1.3.6.1.2.1.105.1.1.1");

    /// <summary>The VLAN (and, as on most switches, the FDB id) the endpoints are learned in.</summary>
    private const uint EndpointVlan = 20;

    private readonly Lock _bridgeGate = new();
    private readonly Dictionary<string, SimulatedEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly List<Oid> _fdbOids = [];
    private Dictionary<string, uint> _portIndex = new(StringComparer.Ordinal);

    partial void AddBridge(FleetInventory fleet)
    {
        _portIndex = Device.Ports.Select((p, i) => (p.Name, Index: (uint)(i + 1))).ToDictionary(p => p.Name, p => p.Index, StringComparer.Ordinal);
        foreach (var (_, index) in _portIndex)
        {
            View.Set(Dot1dBasePortIfIndex.Append(index), SnmpValue.Integer(index));
        }

        var node = Device.NodeId is { } nodeId && fleet.Nodes.TryGetValue(nodeId, out var n) && n.DeviceId == Device.Id ? n : null;
        foreach (var endpoint in fleet.Endpoints.Values.Where(e => node is not null && e.NodeId == node.Id))
        {
            if (endpoint.PlannedPort is { } port && _portIndex.ContainsKey(port) && MacOctets(endpoint.Mac) is { } mac)
            {
                _endpoints[endpoint.Id] = new SimulatedEndpoint(endpoint, mac) { Port = port };
            }
        }

        // The switch's own address: a real table holds it with status self, and readers must skip it.
        View.Set(Dot1qTpFdbEntry.Append(2).Append(EndpointVlan, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01), SnmpValue.Integer(0));
        View.Set(Dot1qTpFdbEntry.Append(3).Append(EndpointVlan, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01), SnmpValue.Integer(4));

        var uplinks = fleet.Links.Values.SelectMany(l => new[] { l.A, l.B }).Where(e => e.DeviceId == Device.Id).Select(e => e.Port).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, index) in _portIndex.Where(p => !uplinks.Contains(p.Key)))
        {
            View.Set(PethPsePortEntry.Append(3, 1, index), SnmpValue.Integer(1));
            View.SetProvider(PethPsePortEntry.Append(6, 1, index), () => SnmpValue.Integer((long)PoeDetectionOf(name)));
        }

        PublishForwarding();
    }

    /// <summary>The endpoints of this switch's node that it simulates.</summary>
    public IReadOnlyCollection<string> Endpoints
    {
        get
        {
            lock (_bridgeGate)
            {
                return [.. _endpoints.Keys];
            }
        }
    }

    /// <summary>Whether the endpoint is on the wire (plugged, and powered when it takes PoE); null when not simulated here.</summary>
    public bool? IsEndpointUp(string endpointId)
    {
        lock (_bridgeGate)
        {
            return _endpoints.TryGetValue(endpointId, out var endpoint) ? Visible(endpoint) : null;
        }
    }

    /// <summary>Pulls the endpoint's cable: its port goes down and its MAC ages out of the table.</summary>
    public bool UnplugEndpoint(string endpointId) => Change(endpointId, e =>
    {
        if (e.Port is { } port)
        {
            SetOperUp(port, false);
        }

        e.Plugged = false;
        return true;
    });

    /// <summary>The port's PoE reports a fault: a powered endpoint goes dark, its link drops and its MAC is gone.</summary>
    public bool PoeFault(string endpointId) => Change(endpointId, e =>
    {
        e.PoeFault = true;
        if (e.Port is { } port && PoweredByPoe(e.Endpoint))
        {
            SetOperUp(port, false);
        }

        return true;
    });

    /// <summary>Moves the endpoint's cable to another port of this switch: the old port goes down, the new one up.</summary>
    public bool Repatch(string endpointId, string newPort) => _portIndex.ContainsKey(newPort) && Change(endpointId, e =>
    {
        if (e.Port is { } old && old != newPort)
        {
            SetOperUp(old, false);
        }

        e.Port = newPort;
        e.Plugged = true;
        e.PoeFault = false;
        SetOperUp(newPort, true);
        return true;
    });

    /// <summary>Puts the endpoint back on its planned port, powered and plugged.</summary>
    public bool RestoreEndpoint(string endpointId) => Change(endpointId, e =>
    {
        if (e.Port is { } current && current != e.Endpoint.PlannedPort)
        {
            SetOperUp(current, false);
        }

        e.Port = e.Endpoint.PlannedPort;
        e.Plugged = true;
        e.PoeFault = false;
        SetOperUp(e.Port!, true);
        return true;
    });

    private bool Change(string endpointId, Func<SimulatedEndpoint, bool> change)
    {
        lock (_bridgeGate)
        {
            if (!_endpoints.TryGetValue(endpointId, out var endpoint) || !change(endpoint))
            {
                return false;
            }

            PublishForwarding();
            return true;
        }
    }

    /// <summary>Rewrites the forwarding table: one learned entry per endpoint that is plugged in and has power (or needs none).</summary>
    private void PublishForwarding()
    {
        foreach (var oid in _fdbOids)
        {
            View.Remove(oid);
        }

        _fdbOids.Clear();
        foreach (var endpoint in _endpoints.Values.Where(Visible))
        {
            var index = _portIndex[endpoint.Port!];
            var row = new Oid([EndpointVlan, .. endpoint.Mac]);
            var port = Dot1qTpFdbEntry.Append(2).Append(row);
            var status = Dot1qTpFdbEntry.Append(3).Append(row);
            View.Set(port, SnmpValue.Integer(index));
            View.Set(status, SnmpValue.Integer(3));
            _fdbOids.Add(port);
            _fdbOids.Add(status);
        }
    }

    private static bool Visible(SimulatedEndpoint e) => e.Plugged && e.Port is not null && !(e.PoeFault && PoweredByPoe(e.Endpoint));

    private PoeDetection PoeDetectionOf(string port)
    {
        lock (_bridgeGate)
        {
            var here = _endpoints.Values.FirstOrDefault(e => e.Port == port && e.Plugged && PoweredByPoe(e.Endpoint));
            return here is null ? PoeDetection.Searching : here.PoeFault ? PoeDetection.Fault : PoeDetection.DeliveringPower;
        }
    }

    private static bool PoweredByPoe(Endpoint endpoint) => endpoint.Kind is EndpointKind.Camera or EndpointKind.AccessPoint;

    /// <summary>The six octets of a MAC address, or null when the inventory's text is not one.</summary>
    private static uint[]? MacOctets(string mac)
    {
        var octets = MacAddress.Normalise(mac).Split(':');
        return octets.Length == 6 && octets.All(o => o.Length == 2 && o.All(char.IsAsciiHexDigit))
            ? octets.Select(o => uint.Parse(o, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray()
            : null;
    }

    /// <summary>Where an endpoint's cable is and whether it has power.</summary>
    private sealed class SimulatedEndpoint(Endpoint endpoint, uint[] mac)
    {
        public Endpoint Endpoint { get; } = endpoint;

        public uint[] Mac { get; } = mac;

        public string? Port { get; set; }

        public bool Plugged { get; set; } = true;

        public bool PoeFault { get; set; }
    }
}
