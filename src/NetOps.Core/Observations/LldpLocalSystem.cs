namespace NetOps.Core.Observations;

/// <summary>
/// What a device advertises about itself over LLDP (lldpLocChassisId, lldpLocSysName, lldpLocPortTable), so that what
/// its neighbours report about it (a chassis MAC, a port number or MAC) can be matched to its inventory ports.
/// Device-supplied text: untrusted.
/// </summary>
public sealed record LldpLocalSystem(string? ChassisId, string? SysName, IReadOnlyList<LldpLocalPort> Ports);

/// <summary>One local port as the device advertises it: its ifName and the port id its neighbours receive.</summary>
public sealed record LldpLocalPort(string Port, LldpPortIdKind Kind, string PortId);
