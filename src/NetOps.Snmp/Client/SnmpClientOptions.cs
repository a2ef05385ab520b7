namespace NetOps.Snmp;

/// <summary>Settings shared by every request of one <see cref="SnmpClient"/>.</summary>
public sealed record SnmpClientOptions
{
    /// <summary>Requests one device may have outstanding at once; more wait their turn without delaying other devices.</summary>
    public int MaxInFlightPerDevice { get; init; } = 4;

    /// <summary>
    /// Whether a response must come from the address and port the request went to. Off accepts multi-homed
    /// devices that answer from another interface, matched by request id alone.
    /// </summary>
    public bool RequireMatchingSource { get; init; } = true;
}
