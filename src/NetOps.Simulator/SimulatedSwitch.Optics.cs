using System.Collections.Concurrent;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Snmp;

namespace NetOps.Simulator;

/// <summary>
/// Transceivers in the fibre ports (names xe-… and Te…, and ports of planned fibre links), with digital optical
/// monitoring as the real devices serve it: Rainbow switches through ENTITY-MIB and ENTITY-SENSOR-MIB (core and access
/// switches also CISCO-ENTITY-SENSOR-MIB with the transceiver's own thresholds), MOGLI switches through JUNIPER-DOM-MIB.
/// A port that is down receives no light.
/// </summary>
public sealed partial class SimulatedSwitch
{
    private static readonly Oid EntPhysicalEntry = Oid.Parse("1.3.6.1.2.1.47.1.1.1.1");
    private static readonly Oid EntAliasMappingIdentifier = Oid.Parse("1.3.6.1.2.1.47.1.3.2.1.2");
    private static readonly Oid EntPhySensorEntry = Oid.Parse("1.3.6.1.2.1.99.1.1.1");
    private static readonly Oid CiscoSensorValueEntry = Oid.Parse("1.3.6.1.4.1.9.9.91.1.1.1.1");
    private static readonly Oid CiscoSensorThresholdEntry = Oid.Parse("1.3.6.1.4.1.9.9.91.1.2.1.1");
    private static readonly Oid JuniperDomCurrentEntry = Oid.Parse("1.3.6.1.4.1.2636.3.60.1.1.1.1");
    private static readonly Oid IfIndexColumn = Oid.Parse("1.3.6.1.2.1.2.2.1.1");

    /// <summary>The transceivers' low receive-power alarm and warning (a 10 km LR optic), in dBm.</summary>
    public const double RxLowAlarmDbm = -14.4;

    public const double RxLowWarningDbm = -13.0;

    private readonly ConcurrentDictionary<string, double> _healthyRx = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _rxOverride = new(StringComparer.Ordinal);

    /// <summary>Ports with a transceiver.</summary>
    public IReadOnlyList<string> OpticalPorts => [.. _healthyRx.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Sets the light a port receives (a dirty connector, a bent fibre); false when the port has no transceiver.</summary>
    public bool SetRxPower(string portName, double dbm)
    {
        if (!_healthyRx.ContainsKey(portName))
        {
            return false;
        }

        _rxOverride[portName] = dbm;
        return true;
    }

    /// <summary>Gives a port its healthy receive level back; false when the port has no transceiver.</summary>
    public bool RestoreRxPower(string portName)
    {
        _rxOverride.TryRemove(portName, out _);
        return _healthyRx.ContainsKey(portName);
    }

    /// <summary>What a port's transceiver receives now: its set or healthy level, no light while the port is down.</summary>
    public double? RxPowerDbm(string portName)
    {
        if (!_healthyRx.TryGetValue(portName, out var healthy))
        {
            return null;
        }

        if (_ports.TryGetValue(portName, out var port) && !port.OperUp)
        {
            return Optics.NoLightDbm;
        }

        return _rxOverride.TryGetValue(portName, out var set) ? set : healthy;
    }

    partial void AddOptics(FleetInventory fleet)
    {
        var fibreLinked = fleet.Links.Values
            .Where(l => string.Equals(l.Medium, "fibre", StringComparison.OrdinalIgnoreCase))
            .SelectMany(l => new[] { l.A, l.B })
            .Where(e => e.DeviceId == Device.Id)
            .Select(e => e.Port)
            .ToHashSet(StringComparer.Ordinal);
        var optical = new List<(uint IfIndex, string Port)>();
        for (var i = 0; i < Device.Ports.Count; i++)
        {
            var name = Device.Ports[i].Name;
            if (name.StartsWith("xe-", StringComparison.Ordinal) || name.StartsWith("Te", StringComparison.Ordinal) || fibreLinked.Contains(name))
            {
                // Healthy and stable per port: -5 to -9 dBm, as a patched LR link in town receives.
                _healthyRx[name] = Math.Round(-5 - (StableHash(Device.Id + "/" + name) % 400) / 100d, 2);
                optical.Add(((uint)(i + 1), name));
            }
        }

        if (optical.Count == 0)
        {
            return;
        }

        if (Device.Class == DeviceClass.MobileSwitch)
        {
            foreach (var (ifIndex, port) in optical)
            {
                AddJuniperDom(ifIndex, port);
            }

            return;
        }

        View.Set(EntPhysicalEntry.Append(2, 1), SnmpValue.OctetString("NetOps simulated switch chassis"));
        View.Set(EntPhysicalEntry.Append(4, 1), SnmpValue.Integer(0));
        View.Set(EntPhysicalEntry.Append(5, 1), SnmpValue.Integer(3)); // chassis
        View.Set(EntPhysicalEntry.Append(7, 1), SnmpValue.OctetString("Switch 1"));
        var withThresholds = Device.Class is DeviceClass.Core or DeviceClass.Access;
        foreach (var (ifIndex, port) in optical)
        {
            AddEntitySensors(ifIndex, port, withThresholds);
        }
    }

    /// <summary>
    /// ENTITY-MIB as Catalyst switches lay it out: port entity (alias-mapped to the ifIndex) → transceiver module →
    /// five sensors. Power in ENTITY-SENSOR-MIB is watts (0.1 µW steps); in CISCO-ENTITY-SENSOR-MIB dBm with one decimal.
    /// </summary>
    private void AddEntitySensors(uint ifIndex, string port, bool cisco)
    {
        var portEntity = 1000 + ifIndex * 10;
        var module = portEntity + 1;
        void Entity(uint index, int @class, uint containedIn, string name, string descr)
        {
            View.Set(EntPhysicalEntry.Append(2, index), SnmpValue.OctetString(descr));
            View.Set(EntPhysicalEntry.Append(4, index), SnmpValue.Integer(containedIn));
            View.Set(EntPhysicalEntry.Append(5, index), SnmpValue.Integer(@class));
            View.Set(EntPhysicalEntry.Append(7, index), SnmpValue.OctetString(name));
        }

        Entity(portEntity, 10, 1, port, port);
        View.Set(EntAliasMappingIdentifier.Append(portEntity, 0), SnmpValue.ObjectIdentifier(IfIndexColumn.Append(ifIndex)));
        Entity(module, 9, portEntity, $"{port} Module", "SFP-10GBase-LR");
        var rx = () => RxPowerDbm(port) ?? Optics.NoLightDbm;
        var tx = -2.1 - (StableHash(port) % 60) / 100d;
        var sensors = new (uint Offset, string Name, int Type, int Scale, int Precision, Func<double> Value, int CiscoType, int CiscoScale, int CiscoPrecision, Func<double> CiscoValue)[]
        {
            (2, "Module Temperature Sensor", Optics.TypeCelsius, 9, 1, () => 33.5, Optics.TypeCelsius, 9, 1, () => 33.5),
            (3, "Supply Voltage Sensor", Optics.TypeVoltsDc, 9, 2, () => 3.29, Optics.TypeVoltsDc, 9, 2, () => 3.29),
            (4, "Bias Current Sensor", Optics.TypeAmperes, 8, 1, () => 6.2, Optics.TypeAmperes, 8, 1, () => 6.2),
            (5, "Transmit Power Sensor", Optics.TypeWatts, 7, 1, () => Optics.DbmToWatts(tx) * 1e6, Optics.TypeDbm, 9, 1, () => tx),
            (6, "Receive Power Sensor", Optics.TypeWatts, 7, 1, () => Optics.DbmToWatts(rx()) * 1e6, Optics.TypeDbm, 9, 1, rx),
        };
        foreach (var sensor in sensors)
        {
            var index = portEntity + sensor.Offset;
            Entity(index, 8, module, $"{port} {sensor.Name}", $"{port} {sensor.Name}");
            Sensor(EntPhySensorEntry, index, sensor.Type, sensor.Scale, sensor.Precision, sensor.Value);
            if (cisco)
            {
                Sensor(CiscoSensorValueEntry, index, sensor.CiscoType, sensor.CiscoScale, sensor.CiscoPrecision, sensor.CiscoValue);
            }
        }

        if (cisco)
        {
            // The receive sensor's own thresholds, as the transceiver's EEPROM gives them: severity, relation, value.
            var rxSensor = portEntity + 6;
            (int Severity, int Relation, double Dbm)[] thresholds =
            [
                (20, 4, 0.5), // major, greaterOrEqual: high alarm
                (10, 4, -1.0), // minor, greaterOrEqual: high warning
                (10, 2, RxLowWarningDbm), // minor, lessOrEqual: low warning
                (20, 2, RxLowAlarmDbm), // major, lessOrEqual: low alarm
            ];
            for (var t = 0; t < thresholds.Length; t++)
            {
                var row = (uint)(t + 1);
                View.Set(CiscoSensorThresholdEntry.Append(2, rxSensor, row), SnmpValue.Integer(thresholds[t].Severity));
                View.Set(CiscoSensorThresholdEntry.Append(3, rxSensor, row), SnmpValue.Integer(thresholds[t].Relation));
                View.Set(CiscoSensorThresholdEntry.Append(4, rxSensor, row), SnmpValue.Integer(Fixed(thresholds[t].Dbm, 1)));
            }
        }
    }

    /// <summary>JUNIPER-DOM-MIB jnxDomCurrentTable as an EX/QFX serves it: power in 0.01 dBm, bias in µA, whole °C.</summary>
    private void AddJuniperDom(uint ifIndex, string port)
    {
        void Column(uint column, long value) => View.Set(JuniperDomCurrentEntry.Append(column, ifIndex), SnmpValue.Integer(value));
        var tx = -2.1 - (StableHash(port) % 60) / 100d;
        View.SetProvider(JuniperDomCurrentEntry.Append(5, ifIndex), () => SnmpValue.Integer((long)Math.Round((RxPowerDbm(port) ?? Optics.NoLightDbm) * 100)));
        Column(6, 6240);
        Column(7, (long)Math.Round(tx * 100));
        Column(8, 38);
        Column(9, 50);
        Column(10, (long)Math.Round(RxLowAlarmDbm * 100));
        Column(11, -100);
        Column(12, (long)Math.Round(RxLowWarningDbm * 100));
        Column(13, 70000);
        Column(14, 2000);
        Column(15, 60000);
        Column(16, 3000);
        Column(17, 100);
        Column(18, -820);
        Column(19, 0);
        Column(20, -720);
        Column(21, 85);
        Column(22, -10);
        Column(23, 80);
        Column(24, -5);
    }

    /// <summary>
    /// One sensor row: entPhySensorEntry (RFC 3433) and Cisco's entSensorValueEntry share their first five columns
    /// (type, scale, precision, value, status ok).
    /// </summary>
    private void Sensor(Oid entry, uint index, int type, int scale, int precision, Func<double> value)
    {
        View.Set(entry.Append(1, index), SnmpValue.Integer(type));
        View.Set(entry.Append(2, index), SnmpValue.Integer(scale));
        View.Set(entry.Append(3, index), SnmpValue.Integer(precision));
        View.SetProvider(entry.Append(4, index), () => SnmpValue.Integer(Fixed(value(), precision)));
        View.Set(entry.Append(5, index), SnmpValue.Integer(1));
    }

    /// <summary>A value as a fixed-point integer with <paramref name="decimals"/> decimals.</summary>
    private static long Fixed(double value, int decimals) => (long)Math.Round(value * Math.Pow(10, decimals));

    /// <summary>A hash that is the same in every run (string.GetHashCode is randomised per process).</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
