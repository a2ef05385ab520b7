using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Storage.Points;

/// <summary>
/// Maps Core observations to points of the schema in <see cref="Schema"/>. Raw SNMP counters are stored as they are
/// (rates are derived at query time or by the worker later); values InfluxDB cannot take are guarded here.
/// </summary>
/// <param name="inventory">The inventory in force (it reloads), to tag node points with the event and zone they are
/// deployed to at the observed instant; null leaves those tags out.</param>
public sealed class ObservationPoints(Func<FleetInventory?>? inventory = null)
{
    /// <summary>Counter64 values above this are stored modulo 2^63 (docs/storage.md: "Counters").</summary>
    public const ulong MaxStoredCounter = long.MaxValue;

    /// <summary>Appends the points of one observation; returns how many it added (0 for kinds not stored).</summary>
    public int Map(Observation observation, ICollection<Point> into)
    {
        var before = into.Count;
        switch (observation)
        {
            case DevicePollObservation poll:
                MapPoll(poll, into);
                break;
            case NodeTelemetryObservation telemetry:
                MapTelemetry(telemetry, into);
                break;
            case NodePresenceObservation presence:
                var at = presence.ObservedAt;
                into.Add(new Point(Schema.NodePresence, NodeTags(presence.NodeId, at),
                    [Field.Integer(Schema.Fields.Online, presence.Online ? 1 : 0)], Point.ToNanoseconds(at)));
                break;
            case EndpointHeartbeatObservation { Reading: { } reading } heartbeat when double.IsFinite(reading.Value):
                into.Add(new Point(Schema.Sensor,
                    [new Tag(Schema.Tags.Endpoint, heartbeat.EndpointId), new Tag(Schema.Tags.Quantity, reading.Quantity)],
                    [Field.Float(Schema.Fields.Value, reading.Value)], Point.ToNanoseconds(heartbeat.ObservedAt)));
                break;
            case DeviceNotificationObservation notification:
                into.Add(TrapPoints.ToPoint(notification));
                break;
            case CameraStatusObservation camera:
                into.Add(new Point(Schema.CameraStatus, [new Tag(Schema.Tags.Endpoint, camera.EndpointId)],
                    [Field.Integer(Schema.Fields.Online, camera.Online ? 1 : 0)], Point.ToNanoseconds(camera.ObservedAt)));
                break;
        }

        return into.Count - before;
    }

    /// <summary>The points of many observations.</summary>
    public List<Point> Map(IEnumerable<Observation> observations)
    {
        var points = new List<Point>();
        foreach (var observation in observations)
        {
            Map(observation, points);
        }

        return points;
    }

    /// <summary>A Counter64 as an InfluxDB integer: values past 2^63-1 wrap modulo 2^63, which rate queries read as a counter reset.</summary>
    public static long Counter(ulong value) => (long)(value & MaxStoredCounter);

    /// <summary>Optical or radio power in dBm from µW; 0 µW (no light) has no dBm value and yields null: the field is left out.</summary>
    public static double? DbmFromMicrowatts(double microwatts) =>
        microwatts > 0 && double.IsFinite(microwatts) ? 10 * Math.Log10(microwatts / 1000) : null;

    private static void MapPoll(DevicePollObservation poll, ICollection<Point> into)
    {
        var ns = Point.ToNanoseconds(poll.ObservedAt);
        var fields = new List<Field>(4) { Field.Integer(Schema.Fields.Reachable, poll.Reachable ? 1 : 0) };
        if (poll.SysUpTime is { } uptime)
        {
            fields.Add(Field.Float(Schema.Fields.UptimeSeconds, uptime.TotalSeconds));
        }

        if (!string.IsNullOrEmpty(poll.Error))
        {
            fields.Add(Field.String(Schema.Fields.Error, poll.Error));
        }

        if (poll.Reachable)
        {
            fields.Add(Field.Integer(Schema.Fields.PortCount, poll.Ports.Count));
        }

        into.Add(new Point(Schema.Device, [new Tag(Schema.Tags.Device, poll.DeviceId)], [.. fields], ns));

        // One point per port: its interface counters when the poll read them, its transceiver levels when it read those.
        var ports = new SortedDictionary<string, List<Field>>(StringComparer.Ordinal);
        List<Field> FieldsOf(string port) => ports.TryGetValue(port, out var f) ? f : ports[port] = new List<Field>(16);
        foreach (var port in poll.Ports)
        {
            var portFields = FieldsOf(port.Name);
            portFields.Add(Field.Integer(Schema.Fields.IfIndex, port.IfIndex));
            if (port.AdminUp is { } admin)
            {
                portFields.Add(Field.Integer(Schema.Fields.AdminUp, admin ? 1 : 0));
            }

            if (port.OperUp is { } oper)
            {
                portFields.Add(Field.Integer(Schema.Fields.OperUp, oper ? 1 : 0));
            }

            AddCounter(portFields, Schema.Fields.InOctets, port.InOctets);
            AddCounter(portFields, Schema.Fields.OutOctets, port.OutOctets);
            AddCounter(portFields, Schema.Fields.InUcastPkts, port.InUcastPkts);
            AddCounter(portFields, Schema.Fields.OutUcastPkts, port.OutUcastPkts);
            AddCounter(portFields, Schema.Fields.InMulticastPkts, port.InMulticastPkts);
            AddCounter(portFields, Schema.Fields.OutMulticastPkts, port.OutMulticastPkts);
            AddCounter(portFields, Schema.Fields.InBroadcastPkts, port.InBroadcastPkts);
            AddCounter(portFields, Schema.Fields.OutBroadcastPkts, port.OutBroadcastPkts);
            AddCounter(portFields, Schema.Fields.InErrors, port.InErrors);
            AddCounter(portFields, Schema.Fields.OutErrors, port.OutErrors);
            AddCounter(portFields, Schema.Fields.InDiscards, port.InDiscards);
            AddCounter(portFields, Schema.Fields.OutDiscards, port.OutDiscards);
            if (port.InOctets is not null || port.OutOctets is not null)
            {
                portFields.Add(Field.Integer(Schema.Fields.CounterBits, port.CounterBits));
            }

            if (port.HighSpeedMbps is { } mbps)
            {
                portFields.Add(Field.Float(Schema.Fields.SpeedBps, mbps * 1e6));
            }
        }

        foreach (var optic in poll.Optics ?? [])
        {
            var opticFields = FieldsOf(optic.Port);
            AddFinite(opticFields, Schema.Fields.RxDbm, optic.RxPowerDbm);
            AddFinite(opticFields, Schema.Fields.TxDbm, optic.TxPowerDbm);
            AddFinite(opticFields, Schema.Fields.TemperatureC, optic.TemperatureC);
            AddFinite(opticFields, Schema.Fields.BiasMa, optic.BiasCurrentMa);
            AddFinite(opticFields, Schema.Fields.VoltageV, optic.VoltageV);
        }

        foreach (var (port, portFields) in ports.Where(p => p.Value.Count > 0))
        {
            into.Add(new Point(Schema.Port,
                [new Tag(Schema.Tags.Device, poll.DeviceId), new Tag(Schema.Tags.Port, port)], [.. portFields], ns));
        }
    }

    private static void AddCounter(List<Field> fields, string name, ulong? value)
    {
        if (value is { } counter)
        {
            fields.Add(Field.Integer(name, Counter(counter)));
        }
    }

    private void MapTelemetry(NodeTelemetryObservation observation, ICollection<Point> into)
    {
        var t = observation.Telemetry;
        // Gathered on the stack, then copied once into an array of the exact length: telemetry is the busiest path.
        var buffer = new TelemetryFields();
        Span<Field> fields = buffer;
        var count = 0;
        AddFinite(fields, ref count, Schema.Fields.BatteryPercent, t.BatteryPercent);
        if (t.Power is { } power)
        {
            fields[count++] = Field.String(Schema.Fields.Power, power == PowerSource.Mains ? "mains" : "battery");
            fields[count++] = Field.Integer(Schema.Fields.OnBattery, power == PowerSource.Battery ? 1 : 0);
        }

        AddFinite(fields, ref count, Schema.Fields.RuntimeLeftSeconds, t.RuntimeLeft?.TotalSeconds);
        AddFinite(fields, ref count, Schema.Fields.EnclosureTemperatureC, t.EnclosureTemperatureC);
        if (t.Uplink is { } uplink)
        {
            fields[count++] = Field.String(Schema.Fields.Uplink, uplink switch
            {
                UplinkKind.Fibre => "fibre",
                UplinkKind.Lte => "lte",
                _ => "none",
            });
        }

        // -∞ dBm (no signal) and NaN cannot be stored: the field is left out, the rest of the report is kept.
        AddFinite(fields, ref count, Schema.Fields.LteSignalDbm, t.LteSignalDbm);
        if (t.Position is { } position)
        {
            AddFinite(fields, ref count, Schema.Fields.Latitude, position.Latitude);
            AddFinite(fields, ref count, Schema.Fields.Longitude, position.Longitude);
        }

        if (count == 0)
        {
            return;
        }

        var at = observation.ObservedAt;
        into.Add(new Point(Schema.Node, NodeTags(observation.NodeId, at), fields[..count].ToArray(), Point.ToNanoseconds(at)));
    }

    /// <summary>Room for every field of a telemetry report.</summary>
    [System.Runtime.CompilerServices.InlineArray(10)]
    private struct TelemetryFields
    {
        private Field _first;
    }

    private static void AddFinite(Span<Field> fields, ref int count, string key, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            fields[count++] = Field.Float(key, v);
        }
    }

    private Tag[] NodeTags(string nodeId, DateTimeOffset at)
    {
        if (inventory?.Invoke() is { } fleet && fleet.Nodes.TryGetValue(nodeId, out var node) &&
            FleetInventory.CurrentAssignment(node.Assignments, at) is { } assignment)
        {
            // Sorted by key, as InfluxDB stores them.
            return [new Tag(Schema.Tags.Event, assignment.EventId), new Tag(Schema.Tags.Node, nodeId), new Tag(Schema.Tags.Zone, assignment.ZoneId)];
        }

        return [new Tag(Schema.Tags.Node, nodeId)];
    }

    private static void AddFinite(List<Field> fields, string key, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            fields.Add(Field.Float(key, v));
        }
    }
}
