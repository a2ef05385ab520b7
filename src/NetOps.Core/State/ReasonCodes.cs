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

    // Optics (StateEngine.Optics.cs)
    public const string PortOpticalMarginLow = "port.optical-margin-low";
    public const string PortOpticsSensorFault = "port.optics-sensor-fault";
    // Endpoints (cameras, sensors): StateEngine.Endpoints.cs, docs/endpoints.md
    public const string EndpointSeen = "endpoint.seen";
    public const string EndpointRepatched = "endpoint.repatched";
    public const string EndpointLinkUp = "endpoint.link-up";
    public const string EndpointIcmpReachable = "endpoint.icmp-reachable";
    public const string EndpointHeartbeat = "endpoint.heartbeat";
    public const string EndpointCameraOnline = "endpoint.camera-online";
    public const string EndpointPortDown = "endpoint.port-down";
    public const string EndpointPortDisabled = "endpoint.port-disabled";
    public const string EndpointPoeFault = "endpoint.poe-fault";
    public const string EndpointPoeOff = "endpoint.poe-off";
    public const string EndpointCameraOffline = "endpoint.camera-offline";
    public const string EndpointIcmpSilent = "endpoint.icmp-silent";
    public const string EndpointIcmpUnreachable = "endpoint.icmp-unreachable";
    public const string EndpointMacNotSeen = "endpoint.mac-not-seen";
    public const string EndpointSwitchUnknown = "endpoint.switch-unknown";
    // Topology discovery (LLDP): StateEngine.Topology.cs
    public const string LinkMiswired = "link.miswired";
    public const string LinkDiscovered = "link.discovered";
    // [health] ports: utilisation and errors against the link class's thresholds
    public const string PortUtilisationHigh = "port.utilisation-high";
    public const string PortErrorsHigh = "port.errors-high";
}
