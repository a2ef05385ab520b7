using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Snmp;

namespace NetOps.Collector;

/// <summary>
/// Reads transceiver levels (digital optical monitoring) into <see cref="OpticSample"/>s per port:
/// ENTITY-SENSOR-MIB (RFC 3433) and CISCO-ENTITY-SENSOR-MIB sensors, mapped to their port through ENTITY-MIB (a
/// transceiver's sensors sit below the port's physical entity, whose alias mapping names the ifIndex), and
/// JUNIPER-DOM-MIB, indexed by ifIndex. Sensor names are device-supplied text: they only classify, never reach a sample.
/// </summary>
public sealed class OpticsSection : IPollSection
{
    internal static readonly Oid EntPhysicalEntry = Oid.Parse("1.3.6.1.2.1.47.1.1.1.1");
    internal static readonly Oid EntAliasMappingEntry = Oid.Parse("1.3.6.1.2.1.47.1.3.2.1");
    internal static readonly Oid EntPhySensorEntry = Oid.Parse("1.3.6.1.2.1.99.1.1.1");
    internal static readonly Oid CiscoSensorValueEntry = Oid.Parse("1.3.6.1.4.1.9.9.91.1.1.1.1");
    internal static readonly Oid CiscoSensorThresholdEntry = Oid.Parse("1.3.6.1.4.1.9.9.91.1.2.1.1");
    internal static readonly Oid JuniperDomCurrentEntry = Oid.Parse("1.3.6.1.4.1.2636.3.60.1.1.1.1");

    public const string EntitySensorMib = "ENTITY-SENSOR-MIB";
    public const string CiscoEntitySensorMib = "CISCO-ENTITY-SENSOR-MIB";
    public const string JuniperDomMib = "JUNIPER-DOM-MIB";

    // ENTITY-MIB entPhysicalEntry
    private const uint PhysDescr = 2, PhysContainedIn = 4, PhysName = 7;

    // entAliasMappingEntry
    private const uint AliasMappingIdentifier = 2;

    // entPhySensorEntry (RFC 3433) and entSensorValueEntry (Cisco) share the first five columns.
    private const uint SensorType = 1, SensorScale = 2, SensorPrecision = 3, SensorValue = 4, SensorStatus = 5;

    // entSensorThresholdEntry (Cisco), indexed by entPhysicalIndex.thresholdIndex
    private const uint ThresholdSeverity = 2, ThresholdRelation = 3, ThresholdValue = 4;

    // jnxDomCurrentEntry, indexed by ifIndex
    private const uint JnxRxPower = 5, JnxTxBias = 6, JnxTxPower = 7, JnxTemperature = 8, JnxRxLowAlarm = 10, JnxRxLowWarning = 12;

    /// <summary>How far up ENTITY-MIB's containment a sensor's port may be (sensor → transceiver → port → slot).</summary>
    private const int MaxContainmentHops = 4;

    public PollSections Sections => PollSections.Optics;

    public async Task<DevicePollObservation> ReadAsync(
        SnmpClient client,
        Snmp.SnmpTarget target,
        IReadOnlyDictionary<int, string> ports,
        DevicePollObservation poll,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(poll);
        var standard = await client.GetTableAsync(target, EntPhySensorEntry,
            [SensorType, SensorScale, SensorPrecision, SensorValue, SensorStatus], cancellationToken).ConfigureAwait(false);
        var cisco = await client.GetTableAsync(target, CiscoSensorValueEntry,
            [SensorType, SensorScale, SensorPrecision, SensorValue, SensorStatus], cancellationToken).ConfigureAwait(false);
        var samples = new List<OpticSample>();
        if (standard.Rows.Count > 0 || cisco.Rows.Count > 0)
        {
            var entities = await client.GetTableAsync(target, EntPhysicalEntry, [PhysDescr, PhysContainedIn, PhysName], cancellationToken)
                .ConfigureAwait(false);
            var aliases = await client.GetTableAsync(target, EntAliasMappingEntry, [AliasMappingIdentifier], cancellationToken)
                .ConfigureAwait(false);
            var thresholds = cisco.Rows.Count > 0
                ? await client.GetTableAsync(target, CiscoSensorThresholdEntry, [ThresholdSeverity, ThresholdRelation, ThresholdValue], cancellationToken)
                    .ConfigureAwait(false)
                : null;
            samples.AddRange(FromEntitySensors(standard, cisco, thresholds, entities, aliases, ports));
        }

        var juniper = await client.GetTableAsync(target, JuniperDomCurrentEntry,
            [JnxRxPower, JnxTxBias, JnxTxPower, JnxTemperature, JnxRxLowAlarm, JnxRxLowWarning], cancellationToken).ConfigureAwait(false);
        var covered = samples.Select(s => s.Port).ToHashSet(StringComparer.Ordinal);
        samples.AddRange(FromJuniperDom(juniper, ports).Where(s => !covered.Contains(s.Port)));
        return poll with { Optics = samples };
    }

    /// <summary>One sensor of a transceiver, in base units (dBm for power, A, V, °C).</summary>
    private sealed record Reading(OpticQuantity Quantity, double? Value, bool Ok, string Mib);

    /// <summary>
    /// Transceiver samples from the entity sensor tables. A sensor in both tables is read from Cisco's (it can say
    /// dBm and carries the thresholds); a port gets a sample when at least one of its sensors is optical.
    /// </summary>
    internal static IEnumerable<OpticSample> FromEntitySensors(
        SnmpTable standard,
        SnmpTable cisco,
        SnmpTable? thresholds,
        SnmpTable entities,
        SnmpTable aliases,
        IReadOnlyDictionary<int, string> ports)
    {
        var physical = entities.Rows.Where(r => r.Index.Length == 1).ToDictionary(r => r.Index[0]);
        var ifIndexOf = new Dictionary<uint, int>();
        foreach (var row in aliases.Rows)
        {
            // entAliasMappingEntry is indexed by entPhysicalIndex.entAliasLogicalIndexOrZero; the value is ifIndex.N.
            if (row.Index.Length >= 1 && row.TryGet(AliasMappingIdentifier, out var alias) && EntityAliasMapping.TryGetIfIndex(alias, out var ifIndex))
            {
                ifIndexOf.TryAdd(row.Index[0], ifIndex);
            }
        }

        var rows = new Dictionary<uint, (SnmpTableRow Row, string Mib)>();
        foreach (var row in standard.Rows.Where(r => r.Index.Length == 1))
        {
            rows[row.Index[0]] = (row, EntitySensorMib);
        }

        foreach (var row in cisco.Rows.Where(r => r.Index.Length == 1))
        {
            rows[row.Index[0]] = (row, CiscoEntitySensorMib);
        }

        var thresholdsOf = (thresholds?.Rows ?? []).Where(r => r.Index.Length == 2).ToLookup(r => r.Index[0]);
        var byPort = new Dictionary<string, List<(Reading Reading, double? LowAlarm, double? LowWarning)>>(StringComparer.Ordinal);
        foreach (var (index, (row, mib)) in rows)
        {
            if (!TryInt(row, SensorType, out var type))
            {
                continue;
            }

            physical.TryGetValue(index, out var entity);
            var name = Text(entity, PhysName);
            var quantity = Optics.Classify((int)type, name);
            if (quantity == OpticQuantity.Other)
            {
                quantity = Optics.Classify((int)type, Text(entity, PhysDescr));
            }

            if (quantity == OpticQuantity.Other || PortOf(index, physical, ifIndexOf, ports) is not { } port)
            {
                continue; // a chassis temperature, a fan, a supply: not a transceiver's
            }

            var scale = TryInt(row, SensorScale, out var s) && s is >= 1 and <= 17 ? (int)s : Optics.ScaleUnits;
            var precision = TryInt(row, SensorPrecision, out var p) ? (int)p : 0;
            var ok = !TryInt(row, SensorStatus, out var status) || status == 1;
            double? value = ok && TryInt(row, SensorValue, out var raw) ? InBaseUnits(quantity, type, raw, scale, precision) : null;
            double? lowAlarm = null, lowWarning = null;
            if (quantity == OpticQuantity.RxPower && mib == CiscoEntitySensorMib)
            {
                (lowAlarm, lowWarning) = LowThresholds(thresholdsOf[index], type, scale, precision);
            }

            if (!byPort.TryGetValue(port, out var readings))
            {
                byPort[port] = readings = [];
            }

            readings.Add((new Reading(quantity, value, ok, mib), lowAlarm, lowWarning));
        }

        foreach (var (port, readings) in byPort.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            double? Get(OpticQuantity q) => readings.Select(r => r.Reading).FirstOrDefault(r => r.Quantity == q && r.Value is not null)?.Value;
            var rx = readings.FirstOrDefault(r => r.Reading.Quantity == OpticQuantity.RxPower);
            yield return new OpticSample(
                port,
                readings.Any(r => r.Reading.Mib == CiscoEntitySensorMib) ? CiscoEntitySensorMib : EntitySensorMib,
                Get(OpticQuantity.RxPower),
                Get(OpticQuantity.TxPower),
                Get(OpticQuantity.Temperature),
                Get(OpticQuantity.BiasCurrent) is { } amperes ? Math.Round(amperes * 1000, 4) : null,
                Get(OpticQuantity.Voltage))
            {
                RxPowerLowAlarmDbm = rx.LowAlarm,
                RxPowerLowWarningDbm = rx.LowWarning,
                SensorsOk = readings.All(r => r.Reading.Ok),
            };
        }
    }

    /// <summary>
    /// JUNIPER-DOM-MIB rows by ifIndex. A port without a transceiver still has a row, all zeros (thresholds too): it
    /// says nothing and yields no sample.
    /// </summary>
    internal static IEnumerable<OpticSample> FromJuniperDom(SnmpTable table, IReadOnlyDictionary<int, string> ports)
    {
        foreach (var row in table.Rows)
        {
            if (row.Index.Length != 1 || !ports.TryGetValue((int)row.Index[0], out var port))
            {
                continue;
            }

            long? Column(uint column) => TryInt(row, column, out var v) ? v : null;
            var rx = Column(JnxRxPower);
            var tx = Column(JnxTxPower);
            var lowAlarm = Column(JnxRxLowAlarm);
            if (rx is null or 0 && tx is null or 0 && lowAlarm is null or 0)
            {
                continue;
            }

            yield return new OpticSample(
                port,
                JuniperDomMib,
                rx is { } r ? Optics.HundredthsDbm(r) : null,
                tx is { } t ? Optics.HundredthsDbm(t) : null,
                Column(JnxTemperature),
                Column(JnxTxBias) is { } bias ? Optics.MicroampsToMilliamps(bias) : null,
                null)
            {
                RxPowerLowAlarmDbm = lowAlarm is { } a and not 0 ? Optics.HundredthsDbm(a) : null,
                RxPowerLowWarningDbm = Column(JnxRxLowWarning) is { } w and not 0 ? Optics.HundredthsDbm(w) : null,
            };
        }
    }

    /// <summary>The port a sensor belongs to: up its containment to an entity with an alias mapping, else by name.</summary>
    private static string? PortOf(uint sensor, Dictionary<uint, SnmpTableRow> physical, Dictionary<uint, int> ifIndexOf,
        IReadOnlyDictionary<int, string> ports)
    {
        var index = sensor;
        for (var hop = 0; hop <= MaxContainmentHops && index != 0; hop++)
        {
            if (ifIndexOf.TryGetValue(index, out var ifIndex) && ports.TryGetValue(ifIndex, out var mapped))
            {
                return mapped;
            }

            if (!physical.TryGetValue(index, out var entity) || !TryInt(entity, PhysContainedIn, out var parent) || parent == index)
            {
                break;
            }

            index = (uint)parent;
        }

        // No alias mapping (many agents leave entAliasMappingTable empty): the port name within the sensor's own name.
        physical.TryGetValue(sensor, out var own);
        return NamedPort(Text(own, PhysName), ports.Values) ?? NamedPort(Text(own, PhysDescr), ports.Values);
    }

    /// <summary>The longest interface name that stands as a whole word in <paramref name="text"/> ("Te1/1/1 Receive Power Sensor").</summary>
    internal static string? NamedPort(string? text, IEnumerable<string> names)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string? best = null;
        foreach (var name in names)
        {
            if (name.Length == 0 || (best is not null && name.Length <= best.Length))
            {
                continue;
            }

            for (var at = text.IndexOf(name, StringComparison.Ordinal); at >= 0; at = text.IndexOf(name, at + 1, StringComparison.Ordinal))
            {
                var end = at + name.Length;
                if ((at == 0 || !IsNameChar(text[at - 1])) && (end == text.Length || !IsNameChar(text[end])))
                {
                    best = name;
                    break;
                }
            }
        }

        return best;
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '/' or '.' or ':' or '-';

    private static double InBaseUnits(OpticQuantity quantity, long type, long raw, int scale, int precision)
    {
        var value = Optics.SensorValue(raw, scale, precision);
        return quantity is OpticQuantity.RxPower or OpticQuantity.TxPower && type == Optics.TypeWatts ? Optics.WattsToDbm(value) : value;
    }

    /// <summary>
    /// The low alarm and low warning of a receive-power sensor from entSensorThresholdTable: thresholds that fire when
    /// the value falls (lessThan, lessOrEqual); of those the most severe is the alarm, the least severe the warning.
    /// </summary>
    private static (double? Alarm, double? Warning) LowThresholds(IEnumerable<SnmpTableRow> rows, long type, int scale, int precision)
    {
        var low = rows
            .Where(r => TryInt(r, ThresholdRelation, out var relation) && relation is 1 or 2 && TryInt(r, ThresholdValue, out _))
            .Select(r => (Severity: TryInt(r, ThresholdSeverity, out var severity) ? severity : 0,
                Dbm: InBaseUnits(OpticQuantity.RxPower, type, r[ThresholdValue].AsInt64(), scale, precision)))
            .OrderByDescending(t => t.Severity)
            .ToList();
        return low.Count switch
        {
            0 => (null, null),
            1 => (low[0].Dbm, null),
            _ => (low[0].Dbm, low[^1].Dbm),
        };
    }

    private static bool TryInt(SnmpTableRow? row, uint column, out long value)
    {
        value = 0;
        if (row is null || !row.TryGet(column, out var cell) || !cell.IsNumeric)
        {
            return false;
        }

        value = cell.AsInt64();
        return true;
    }

    private static string? Text(SnmpTableRow? row, uint column) =>
        row is not null && row.TryGet(column, out var cell) && cell.Type == SnmpType.OctetString ? cell.AsString() : null;
}
