using System.Globalization;

namespace NetOps.Core.State;

/// <summary>
/// Renders reason codes with their values to English text, times in Europe/Berlin. A German UI is a second
/// table here, not a change in the domain.
/// </summary>
public sealed class ReasonText(TimeZoneInfo zone)
{
    public static ReasonText Berlin { get; } = new(FindBerlin());

    /// <summary>The time zone times are shown (and entered on the pages) in.</summary>
    public TimeZoneInfo Zone => zone;

    public string Render(Reason reason) => reason.Code switch
    {
        ReasonCodes.NoEvidence => "no evidence yet",
        ReasonCodes.Stale => $"no fresh evidence from {Source(reason["source"])} since {Time(reason["last"])}",
        ReasonCodes.SourceGone => $"collector {reason["source"]} went offline (last evidence {Time(reason["last"])})",
        ReasonCodes.DeviceResponding => "responding to SNMP",
        ReasonCodes.BehindFailedLink => $"unreachable behind link {reason["link"]}, down since {Time(reason["since"])}",
        ReasonCodes.DeviceUnreachable => $"{reason["device"]} not responding ({reason["error"]})",
        ReasonCodes.PortOperUp => "operationally up",
        ReasonCodes.PortOperDown => $"port {reason["port"]} on {reason["device"]} down",
        ReasonCodes.PortAdminDown => $"port {reason["port"]} on {reason["device"]} administratively down",
        ReasonCodes.PortTrapLinkDown => $"port {reason["port"]} on {reason["device"]} reported down by trap at {Time(reason["at"])}",
        ReasonCodes.PortNotFound => $"{reason["device"]} has no interface named {reason["port"]}",
        ReasonCodes.LinkUp => "both ends up",
        ReasonCodes.LinkEndDown => $"port {reason["port"]} on {reason["device"]} down since {Time(reason["since"])}",
        ReasonCodes.LinkEndAdminDown => $"port {reason["port"]} on {reason["device"]} administratively down",
        ReasonCodes.LinkEndUnknown => $"state of port {reason["port"]} on {reason["device"]} unknown",
        // The cause's own text names the port already.
        ReasonCodes.LinkEndDegraded => Render(new Reason(reason["cause"] ?? "", reason.Args)),
        ReasonCodes.NodeReporting => "reporting, on mains and fibre",
        ReasonCodes.NodeOffline => "offline (connection lost)",
        ReasonCodes.NodeOnBattery => $"on battery, {reason["battery_pct"]} %",
        ReasonCodes.NodeOnLte => "uplink on LTE backup",
        ReasonCodes.NodeNoUplink => "no uplink",
        ReasonCodes.PortUtilisationHigh => $"port {reason["port"]} on {reason["device"]} at {reason["value"]} % utilisation ({reason["level"]}: {reason["threshold"]} % for {reason["class"]} links)",
        ReasonCodes.PortErrorsHigh => $"port {reason["port"]} on {reason["device"]} has {reason["value"]} errors/s ({reason["level"]}: {reason["threshold"]}/s for {reason["class"]} links)",
        ReasonCodes.NotDeployed => reason["phase"] == "TornDown" ? "torn down" : "in storage",
        // Optics
        ReasonCodes.PortOpticalMarginLow => $"port {reason["port"]} on {reason["device"]}: received {reason["rx_dbm"]} dBm, " +
            $"margin {reason["margin_db"]} dB to the {(reason["floor"] == "device" ? "transceiver's low alarm" : "link class's receiver sensitivity")} ({reason["floor_dbm"]} dBm)",
        ReasonCodes.PortOpticsSensorFault => $"port {reason["port"]} on {reason["device"]}: transceiver sensor not operational",
        // Endpoints (cameras, sensors): docs/endpoints.md
        ReasonCodes.EndpointSeen => $"seen on {reason["port"]} of {reason["device"]}",
        ReasonCodes.EndpointRepatched => $"seen on {reason["port"]}, planned {reason["planned_port"]}" +
                                         (reason["device"] == reason["planned_device"] ? "" : $" (on {reason["device"]}, planned {reason["planned_device"]})"),
        ReasonCodes.EndpointLinkUp => $"link up on {reason["port"]} of {reason["device"]}",
        ReasonCodes.EndpointIcmpReachable => $"answering ping at {reason["address"]} ({reason["rtt_ms"]} ms)",
        ReasonCodes.EndpointHeartbeat => "reporting over MQTT",
        ReasonCodes.EndpointCameraOnline => "camera online (node reports)",
        ReasonCodes.EndpointPortDown => $"port {reason["port"]} on {reason["device"]} down since {Time(reason["since"])}",
        ReasonCodes.EndpointPortDisabled => $"port {reason["port"]} on {reason["device"]} administratively down",
        ReasonCodes.EndpointPoeFault => $"no PoE power on {reason["port"]} of {reason["device"]} ({reason["detection"]})",
        ReasonCodes.EndpointPoeOff => $"no PoE power on {reason["port"]} of {reason["device"]} ({reason["detection"]}: no device detected)",
        ReasonCodes.EndpointCameraOffline => $"camera offline, its node reports: {reason["detail"]}",
        ReasonCodes.EndpointIcmpSilent => reason["evidence"] == "mac"
            ? $"not answering ping but its MAC is seen on {reason["port"]}"
            : $"not answering ping but it reports ({reason["evidence"]})",
        ReasonCodes.EndpointIcmpUnreachable => $"not answering ping at {reason["address"]}",
        ReasonCodes.EndpointMacNotSeen => $"MAC not seen on {reason["device"]} (planned {reason["port"]})",
        ReasonCodes.EndpointSwitchUnknown => $"switch {reason["device"]} not reachable: state unknown",
        // Topology discovery (LLDP)
        ReasonCodes.LinkMiswired => $"miswired: planned {reason["device_a"]} {reason["port_a"]} ↔ {reason["device_b"]} {reason["port_b"]}, seen on {reason["device_a"]} {reason["seen_a"]} ↔ {reason["device_b"]} {reason["seen_b"]}",
        ReasonCodes.LinkDiscovered => $"not planned: LLDP shows {reason["a"]} ↔ {reason["b"]}",
        _ => reason.ToString(),
    };

    /// <summary>An instant from a reason value shown as local time in the UI's zone.</summary>
    public string Time(string? isoUtc)
    {
        if (!DateTimeOffset.TryParse(isoUtc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return "?";
        }

        return Local(at);
    }

    public string Local(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return local.ToString(local.Date == TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Date ? "HH:mm:ss" : "yyyy-MM-dd HH:mm",
            CultureInfo.InvariantCulture);
    }

    /// <summary>A full local time with its offset, for documents that outlive the day (reports).</summary>
    public string Full(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Source(string? source) => source?.Split('#')[0] ?? "?";

    private static TimeZoneInfo FindBerlin()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
