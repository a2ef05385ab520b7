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

    /// <summary>
    /// SNMPv3 users the agent answers (read-only), each at its level or lower. Without users, v3 requests are
    /// dropped as unknown communities are.
    /// </summary>
    public IReadOnlyList<SnmpV3Security> Users { get; init; } = [];

    /// <summary>The agent's snmpEngineID; null makes a random one per agent, in net-snmp's layout.</summary>
    public IReadOnlyList<byte>? EngineId { get; init; }

    /// <summary>snmpEngineBoots: start an agent again with one more to imitate a device that rebooted.</summary>
    public int EngineBoots { get; init; } = 1;
}
