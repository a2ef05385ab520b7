using System.Diagnostics;
using NetOps.Core.Inventory;
using NetOps.Snmp;

namespace NetOps.Simulator;

/// <summary>
/// One simulated switch: the MIB a real agent would serve (system group, IF-MIB ifTable and ifXTable) with
/// counters that move with the traffic model and ports the simulator can take down. Further MIBs live in their own
/// parts: transceiver optics, LLDP neighbours, forwarding table and PoE.
/// </summary>
public sealed partial class SimulatedSwitch
{
    private static readonly Oid System = Oid.Parse("1.3.6.1.2.1.1");
    private static readonly Oid IfNumber = Oid.Parse("1.3.6.1.2.1.2.1.0");
    private static readonly Oid IfEntry = Oid.Parse("1.3.6.1.2.1.2.2.1");
    private static readonly Oid IfXEntry = Oid.Parse("1.3.6.1.2.1.31.1.1.1");

    private readonly long _bootTimestamp = Stopwatch.GetTimestamp();
    private readonly Dictionary<string, SimulatedPort> _ports = new(StringComparer.Ordinal);

    public SimulatedSwitch(Device device, Random traffic, ISet<string> linkedPorts)
        : this(device, traffic, linkedPorts, FleetInventory.Empty)
    {
    }

    /// <param name="device">The device to simulate.</param>
    /// <param name="traffic">The traffic model's randomness.</param>
    /// <param name="linkedPorts">Ports with a planned link: they carry load.</param>
    /// <param name="fleet">The whole inventory: neighbours, endpoints and link classes come from it.</param>
    public SimulatedSwitch(Device device, Random traffic, ISet<string> linkedPorts, FleetInventory fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        Device = device;
        View = new MibView();
        View.Set(System.Append(1, 0), SnmpValue.OctetString($"NetOps simulated {device.Class.ToString().ToLowerInvariant()} switch {device.Name}"));
        View.Set(System.Append(2, 0), SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.8072.3.2.10")));
        View.SetProvider(System.Append(3, 0), () => SnmpValue.TimeTicks(UpTimeTicks()));
        View.Set(System.Append(4, 0), SnmpValue.OctetString("noc@kaiserslautern.example"));
        View.Set(System.Append(5, 0), SnmpValue.OctetString(device.SysName ?? device.Id));
        View.Set(System.Append(6, 0), SnmpValue.OctetString(device.SiteId ?? device.NodeId ?? ""));
        View.Set(IfNumber, SnmpValue.Integer(device.Ports.Count));
        for (var i = 0; i < device.Ports.Count; i++)
        {
            var plan = device.Ports[i];
            var index = (uint)(i + 1);
            var speedMbps = plan.Name.StartsWith("Te", StringComparison.Ordinal) || plan.Name.StartsWith("xe", StringComparison.Ordinal) ? 10_000 : 1_000;
            // Linked ports carry real load (5-40 % of line rate); the rest idle along.
            var load = linkedPorts.Contains(plan.Name) ? 0.05 + traffic.NextDouble() * 0.35 : traffic.NextDouble() * 0.01;
            var port = new SimulatedPort(speedMbps * 1_000_000d / 8 * load, speedMbps * 1_000_000d / 8 * load * (0.3 + traffic.NextDouble()));
            _ports[plan.Name] = port;
            AddInterface(index, plan, speedMbps, port);
        }

        AddOptics(fleet);
        AddNeighbours(fleet);
        AddBridge(fleet);
    }

    /// <summary>Transceiver levels of fibre ports (SimulatedSwitch.Optics.cs).</summary>
    partial void AddOptics(FleetInventory fleet);

    /// <summary>LLDP-MIB: what the planned peers advertise (SimulatedSwitch.Lldp.cs).</summary>
    partial void AddNeighbours(FleetInventory fleet);

    /// <summary>Q-BRIDGE-MIB forwarding table and POWER-ETHERNET-MIB for the endpoints (SimulatedSwitch.Bridge.cs).</summary>
    partial void AddBridge(FleetInventory fleet);

    public Device Device { get; }

    public MibView View { get; }

    /// <summary>Sets a port's operational status; false when the switch has no such port.</summary>
    public bool SetOperUp(string portName, bool up)
    {
        if (!_ports.TryGetValue(portName, out var port))
        {
            return false;
        }

        port.SetOperUp(up, UpTimeTicks());
        return true;
    }

    private uint UpTimeTicks() => (uint)(Stopwatch.GetElapsedTime(_bootTimestamp).Ticks / TimeSpan.TicksPerMillisecond / 10);

    private void AddInterface(uint index, PortPlan plan, int speedMbps, SimulatedPort port)
    {
        void Column(Oid entry, uint column, SnmpValue value) => View.Set(entry.Append(column, index), value);
        void Dynamic(Oid entry, uint column, Func<SnmpValue> value) => View.SetProvider(entry.Append(column, index), value);

        Column(IfEntry, 1, SnmpValue.Integer(index));
        Column(IfEntry, 2, SnmpValue.OctetString(plan.Name));
        Column(IfEntry, 3, SnmpValue.Integer(6));
        Column(IfEntry, 4, SnmpValue.Integer(9216));
        Column(IfEntry, 5, SnmpValue.Gauge32(speedMbps >= 4_000 ? uint.MaxValue : (uint)speedMbps * 1_000_000));
        Column(IfEntry, 6, SnmpValue.OctetString(new byte[] { 0x02, 0x00, 0x5e, (byte)(index >> 8), (byte)index, 0x01 }));
        Column(IfEntry, 7, SnmpValue.Integer(1));
        Dynamic(IfEntry, 8, () => SnmpValue.Integer(port.OperUp ? 1 : 2));
        Dynamic(IfEntry, 9, () => SnmpValue.TimeTicks(port.LastChangeTicks));
        Dynamic(IfEntry, 10, () => SnmpValue.Counter32(unchecked((uint)port.InOctets())));
        Column(IfEntry, 14, SnmpValue.Counter32(0));
        Dynamic(IfEntry, 16, () => SnmpValue.Counter32(unchecked((uint)port.OutOctets())));
        Column(IfEntry, 20, SnmpValue.Counter32(0));
        Column(IfXEntry, 1, SnmpValue.OctetString(plan.Name));
        Dynamic(IfXEntry, 6, () => SnmpValue.Counter64(port.InOctets()));
        Dynamic(IfXEntry, 10, () => SnmpValue.Counter64(port.OutOctets()));
        Column(IfXEntry, 15, SnmpValue.Gauge32((uint)speedMbps));
        Column(IfXEntry, 18, SnmpValue.OctetString(plan.Description ?? ""));
    }

    /// <summary>A port's status and its octet counters, advanced lazily at the rates of the traffic model.</summary>
    private sealed class SimulatedPort(double inBytesPerSecond, double outBytesPerSecond)
    {
        private readonly Lock _gate = new();
        private long _last = Stopwatch.GetTimestamp();
        private double _in;
        private double _out;

        public bool OperUp { get; private set; } = true;

        public uint LastChangeTicks { get; private set; }

        public void SetOperUp(bool up, uint now)
        {
            lock (_gate)
            {
                Advance();
                if (OperUp != up)
                {
                    OperUp = up;
                    LastChangeTicks = now;
                }
            }
        }

        public ulong InOctets()
        {
            lock (_gate)
            {
                Advance();
                return (ulong)_in;
            }
        }

        public ulong OutOctets()
        {
            lock (_gate)
            {
                Advance();
                return (ulong)_out;
            }
        }

        private void Advance()
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            if (OperUp)
            {
                _in += inBytesPerSecond * seconds;
                _out += outBytesPerSecond * seconds;
            }
        }
    }
}
