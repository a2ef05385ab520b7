namespace NetOps.Snmp;

/// <summary>Settings of one <see cref="SnmpAgent"/>.</summary>
public sealed record SnmpAgentOptions
{
    /// <summary>Community that may read. Requests with another community are dropped, as snmpd does.</summary>
    public string ReadCommunity { get; init; } = "public";

    /// <summary>Community that may SET writable entries (and read); null refuses every SET.</summary>
    public string? WriteCommunity { get; init; }

    /// <summary>Largest response in bytes: a larger get answer becomes tooBig, a get-bulk answer is cut to fit.</summary>
    public int MaxMessageSize { get; init; } = 1472;

    public AgentQuirks Quirks { get; init; } = AgentQuirks.None;
}
