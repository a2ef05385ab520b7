namespace NetOps.Core.Observations;

/// <summary>
/// Transceiver levels of one port in canonical units (dBm, °C, mA, V), whichever MIB they came from
/// (<see cref="Mib"/>: "ENTITY-SENSOR-MIB" or a vendor MIB). Null where the device does not report a value.
/// </summary>
public sealed record OpticSample(
    string Port,
    string Mib,
    double? RxPowerDbm,
    double? TxPowerDbm,
    double? TemperatureC,
    double? BiasCurrentMa,
    double? VoltageV)
{
    /// <summary>The device's own low receive-power alarm threshold (dBm), when its MIB carries one.</summary>
    public double? RxPowerLowAlarmDbm { get; init; }

    /// <summary>The device's own low receive-power warning threshold (dBm), when its MIB carries one.</summary>
    public double? RxPowerLowWarningDbm { get; init; }

    /// <summary>False when a sensor reports itself unavailable or non-operational (entSensorOperStatus).</summary>
    public bool SensorsOk { get; init; } = true;
}

/// <summary>How an LLDP neighbour identifies its port (lldpRemPortIdSubtype, IEEE 802.1AB).</summary>
public enum LldpPortIdKind
{
    InterfaceAlias = 1,
    PortComponent = 2,
    MacAddress = 3,
    NetworkAddress = 4,
    InterfaceName = 5,
    AgentCircuitId = 6,
    Local = 7,
}

/// <summary>
/// One LLDP neighbour as a device sees it, on its local port (an ifName, already mapped from lldpLocPortNum).
/// Remote ids are device-supplied text: untrusted wherever they are shown.
/// </summary>
public sealed record LldpNeighbour(
    string LocalPort,
    string? RemoteChassisId,
    string? RemoteSysName,
    LldpPortIdKind RemotePortIdKind,
    string? RemotePortId,
    string? RemotePortDescription);

/// <summary>A MAC address learned on a port (Q-BRIDGE-MIB dot1qTpFdbTable), lower-case colon form.</summary>
public sealed record ForwardingEntry(string Mac, string Port, int? Vlan);

/// <summary>pethPsePortDetectionStatus (RFC 3621).</summary>
public enum PoeDetection
{
    Disabled = 1,
    Searching = 2,
    DeliveringPower = 3,
    Fault = 4,
    Test = 5,
    OtherFault = 6,
}

/// <summary>Power over Ethernet on one port, as the switch reports it.</summary>
public sealed record PoePortStatus(string Port, PoeDetection Detection, bool AdminEnabled);
