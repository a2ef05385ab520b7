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

    private readonly Lock _clock = new();
    private readonly TimeProvider _time;
    private long _bootTimestamp;
    private ulong _upTimeBaseTicks;
    private readonly Dictionary<string, SimulatedPort> _ports = new(StringComparer.Ordinal);

    public SimulatedSwitch(Device device, Random traffic, ISet<string> linkedPorts)
        : this(device, traffic, linkedPorts, FleetInventory.Empty)
    {
    }

    /// <param name="device">The device to simulate.</param>
    /// <param name="traffic">The traffic model's randomness.</param>
    /// <param name="linkedPorts">Ports with a planned link: they carry load.</param>
    /// <param name="fleet">The whole inventory: neighbours, endpoints and link classes come from it.</param>
    /// <param name="time">The clock sysUpTime and the counters run on; a test's fake clock makes rates exact.</param>
    public SimulatedSwitch(Device device, Random traffic, ISet<string> linkedPorts, FleetInventory fleet, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        _time = time ?? TimeProvider.System;
        _bootTimestamp = _time.GetTimestamp();
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
            var port = new SimulatedPort(_time, speedMbps * 1_000_000d / 8 * load, speedMbps * 1_000_000d / 8 * load * (0.3 + traffic.NextDouble()));
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

    private uint UpTimeTicks()
    {
        lock (_clock)
        {
            // TimeTicks wraps at 2^32 hundredths of a second (about 497 days), as on a real agent.
            return unchecked((uint)(_upTimeBaseTicks + (ulong)(_time.GetElapsedTime(_bootTimestamp).Ticks / TimeSpan.TicksPerMillisecond / 10)));
        }
    }

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
        Dynamic(IfEntry, 11, () => SnmpValue.Counter32(unchecked((uint)port.InPackets())));
        Dynamic(IfEntry, 13, () => SnmpValue.Counter32(0));
        Dynamic(IfEntry, 14, () => SnmpValue.Counter32(unchecked((uint)port.InErrors())));
        Dynamic(IfEntry, 16, () => SnmpValue.Counter32(unchecked((uint)port.OutOctets())));
        Dynamic(IfEntry, 17, () => SnmpValue.Counter32(unchecked((uint)port.OutPackets())));
        Dynamic(IfEntry, 19, () => SnmpValue.Counter32(0));
        Dynamic(IfEntry, 20, () => SnmpValue.Counter32(unchecked((uint)port.OutErrors())));
        Column(IfXEntry, 1, SnmpValue.OctetString(plan.Name));
        AddHcCounters(index, port);
        Column(IfXEntry, 15, SnmpValue.Gauge32((uint)speedMbps));
        Column(IfXEntry, 18, SnmpValue.OctetString(plan.Description ?? ""));
        Dynamic(IfXEntry, 19, () => SnmpValue.TimeTicks(port.DiscontinuityTicks));
    }

    /// <summary>The 64-bit ifXTable counters of a port (a device limited to 32-bit counters has none).</summary>
    private void AddHcCounters(uint index, SimulatedPort port)
    {
        void Dynamic(uint column, Func<SnmpValue> value) => View.SetProvider(IfXEntry.Append(column, index), value);
        Dynamic(6, () => SnmpValue.Counter64(port.InOctets()));
        Dynamic(7, () => SnmpValue.Counter64(port.InPackets()));
        Dynamic(10, () => SnmpValue.Counter64(port.OutOctets()));
        Dynamic(11, () => SnmpValue.Counter64(port.OutPackets()));
    }

    /// <summary>
    /// A port's status and its counters, advanced lazily at the rates of the traffic model. Counters are kept as 64-bit
    /// values; the ifTable columns serve them modulo 2^32, as a device does.
    /// </summary>
    private sealed class SimulatedPort(TimeProvider time, double inBytesPerSecond, double outBytesPerSecond)
    {
        /// <summary>Average frame size the packet counters are derived with.</summary>
        private const double BytesPerPacket = 800;

        private readonly Lock _gate = new();
        private long _last = time.GetTimestamp();
        private double _inRate = inBytesPerSecond;
        private double _outRate = outBytesPerSecond;
        private double _inErrorRate;
        private double _outErrorRate;
        private double _in;
        private double _out;
        private double _inErrors;
        private double _outErrors;

        public bool OperUp { get; private set; } = true;

        public uint LastChangeTicks { get; private set; }

        public uint DiscontinuityTicks { get; private set; }

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

        public ulong InOctets() => Read(ref _in);

        public ulong OutOctets() => Read(ref _out);

        public ulong InPackets() => (ulong)(InOctets() / BytesPerPacket);

        public ulong OutPackets() => (ulong)(OutOctets() / BytesPerPacket);

        public ulong InErrors() => Read(ref _inErrors);

        public ulong OutErrors() => Read(ref _outErrors);

        /// <summary>Sets the octet counters (both directions) and, when given, the discontinuity time.</summary>
        public void SetCounters(ulong octets, uint? discontinuityTicks = null)
        {
            lock (_gate)
            {
                Advance();
                _in = _out = octets;
                _inErrors = _outErrors = 0;
                if (discontinuityTicks is { } ticks)
                {
                    DiscontinuityTicks = ticks;
                }
            }
        }

        public void SetLoad(double inBytes, double outBytes)
        {
            lock (_gate)
            {
                Advance();
                (_inRate, _outRate) = (inBytes, outBytes);
            }
        }

        public void SetErrorRate(double inPerSecond, double outPerSecond)
        {
            lock (_gate)
            {
                Advance();
                (_inErrorRate, _outErrorRate) = (inPerSecond, outPerSecond);
            }
        }

        /// <summary>A restart: counters from zero, status as it was.</summary>
        public void Restart()
        {
            lock (_gate)
            {
                Advance();
                _in = _out = _inErrors = _outErrors = 0;
                DiscontinuityTicks = 0;
                LastChangeTicks = 0;
            }
        }

        private ulong Read(ref double counter)
        {
            lock (_gate)
            {
                Advance();
                return (ulong)counter;
            }
        }

        private void Advance()
        {
            var now = time.GetTimestamp();
            var seconds = time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            if (OperUp)
            {
                _in += _inRate * seconds;
                _out += _outRate * seconds;
                _inErrors += _inErrorRate * seconds;
                _outErrors += _outErrorRate * seconds;
            }
        }
    }
}
