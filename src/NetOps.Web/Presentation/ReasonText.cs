using System.Globalization;
using NetOps.Core.State;

namespace NetOps.Web.Presentation;

/// <summary>
/// Renders reason codes with their values to English text, times in Europe/Berlin. A German UI is a second
/// table here, not a change in the domain.
/// </summary>
public sealed class ReasonText(TimeZoneInfo zone)
{
    public static ReasonText Berlin { get; } = new(FindBerlin());

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
        ReasonCodes.LinkEndDegraded => $"port {reason["port"]} on {reason["device"]}: {Render(new Reason(reason["cause"] ?? "", reason.Args))}",
        ReasonCodes.NodeReporting => "reporting, on mains and fibre",
        ReasonCodes.NodeOffline => "offline (connection lost)",
        ReasonCodes.NodeOnBattery => $"on battery, {reason["battery_pct"]} %",
        ReasonCodes.NodeOnLte => "uplink on LTE backup",
        ReasonCodes.NodeNoUplink => "no uplink",
        ReasonCodes.PortUtilisationHigh => $"port {reason["port"]} on {reason["device"]} at {reason["value"]} % utilisation ({reason["level"]}: {reason["threshold"]} % for {reason["class"]} links)",
        ReasonCodes.PortErrorsHigh => $"port {reason["port"]} on {reason["device"]} has {reason["value"]} errors/s ({reason["level"]}: {reason["threshold"]}/s for {reason["class"]} links)",
        ReasonCodes.NotDeployed => reason["phase"] == "TornDown" ? "torn down" : "in storage",
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
