namespace NetOps.Storage.Points;

/// <summary>
/// Measurement, tag and field names of the stored history: the contract with dashboards and queries.
/// docs/storage.md gives each field's type and unit; a field keeps its type forever.
/// </summary>
public static class Schema
{
    /// <summary>One point per device poll. Tags: device. Fields: reachable (integer 0/1), uptime_s (float s), error (string).</summary>
    public const string Device = "device";

    /// <summary>One point per port per poll. Tags: device, port (ifName).</summary>
    public const string Port = "port";

    /// <summary>One point per node telemetry report. Tags: node, event, zone (when deployed).</summary>
    public const string Node = "node";

    /// <summary>One point per node presence change (birth/last will). Tags: node, event, zone. Field: online (integer 0/1).</summary>
    public const string NodePresence = "node_presence";

    /// <summary>One point per sensor reading. Tags: endpoint, quantity (names its unit: noise_dba). Field: value (float).</summary>
    public const string Sensor = "sensor";

    /// <summary>One point per camera status report. Tags: endpoint. Field: online (integer 0/1).</summary>
    public const string CameraStatus = "camera_status";

    /// <summary>
    /// One point per trap or inform from an inventory device. Tags: device, kind (link-down, link-up, cold-start,
    /// warm-start, other), trap_oid. Fields: sender (address), version, port (ifName, when known), varbinds (JSON text:
    /// [{"oid","value"}]). Never a community or any other secret.
    /// </summary>
    public const string Trap = "trap";

    public static class Tags
    {
        public const string Endpoint = "endpoint";
        public const string Quantity = "quantity";
        public const string Device = "device";
        public const string Port = "port";
        public const string Node = "node";
        public const string Event = "event";
        public const string Zone = "zone";
        public const string Kind = "kind";
        public const string TrapOid = "trap_oid";
    }

    public static class Fields
    {
        public const string Reachable = "reachable";
        public const string UptimeSeconds = "uptime_s";
        public const string Error = "error";
        public const string PortCount = "port_count";

        public const string IfIndex = "if_index";
        public const string AdminUp = "admin_up";
        public const string OperUp = "oper_up";
        public const string InOctets = "in_octets";
        public const string OutOctets = "out_octets";
        public const string SpeedBps = "speed_bps";
        public const string CounterBits = "counter_bits";
        public const string InUcastPkts = "in_ucast_pkts";
        public const string OutUcastPkts = "out_ucast_pkts";
        public const string InMulticastPkts = "in_multicast_pkts";
        public const string OutMulticastPkts = "out_multicast_pkts";
        public const string InBroadcastPkts = "in_broadcast_pkts";
        public const string OutBroadcastPkts = "out_broadcast_pkts";
        public const string InErrors = "in_errors";
        public const string OutErrors = "out_errors";
        public const string InDiscards = "in_discards";
        public const string OutDiscards = "out_discards";
        public const string RxDbm = "rx_dbm";
        public const string TxDbm = "tx_dbm";
        public const string TemperatureC = "temp_c";
        public const string BiasMa = "bias_ma";
        public const string VoltageV = "voltage_v";

        public const string BatteryPercent = "battery_pct";
        public const string OnBattery = "on_battery";
        public const string Power = "power";
        public const string RuntimeLeftSeconds = "runtime_left_s";
        public const string EnclosureTemperatureC = "enclosure_temp_c";
        public const string Uplink = "uplink";
        public const string LteSignalDbm = "lte_signal_dbm";
        public const string Latitude = "lat";
        public const string Longitude = "lon";

        public const string Online = "online";
        public const string Value = "value";

        /// <summary>A trap's port (ifName): a field there, not a tag: it is known only once the device was polled.</summary>
        public const string Port = "port";
        public const string Sender = "sender";
        public const string Version = "version";
        public const string Varbinds = "varbinds";
    }
}
