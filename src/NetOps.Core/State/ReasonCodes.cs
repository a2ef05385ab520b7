namespace NetOps.Core.State;

/// <summary>Stable reason codes; the UI renders them to text with their values.</summary>
public static class ReasonCodes
{
    public const string NoEvidence = "no-evidence";
    public const string Stale = "stale";
    public const string SourceGone = "source-gone";
    public const string DeviceResponding = "device.responding";
    public const string DeviceUnreachable = "device.unreachable";
    public const string BehindFailedLink = "device.behind-failed-link";
    public const string PortOperUp = "port.oper-up";
    public const string PortOperDown = "port.oper-down";
    public const string PortAdminDown = "port.admin-down";
    public const string PortNotFound = "port.not-found";
    public const string PortTrapLinkDown = "port.trap-link-down";
    public const string LinkUp = "link.up";
    public const string LinkEndDown = "link.end-down";
    public const string LinkEndAdminDown = "link.end-admin-down";
    public const string LinkEndUnknown = "link.end-unknown";
    public const string LinkEndDegraded = "link.end-degraded";
    public const string NodeReporting = "node.reporting";
    public const string NodeOffline = "node.offline";
    public const string NodeOnBattery = "node.on-battery";
    public const string NodeOnLte = "node.on-lte";
    public const string NodeNoUplink = "node.no-uplink";
    public const string NotDeployed = "not-deployed";

    // [health] ports: utilisation and errors against the link class's thresholds
    public const string PortUtilisationHigh = "port.utilisation-high";
    public const string PortErrorsHigh = "port.errors-high";
}
