namespace NetOps.Snmp;

/// <summary>
/// Ways an <see cref="SnmpAgent"/> can misbehave on purpose, copying devices seen in the field, so that managers
/// can be tested against them. <see cref="None"/> is a well-behaved agent.
/// </summary>
public sealed record AgentQuirks
{
    public static AgentQuirks None { get; } = new();

    /// <summary>Encoding faults: non-minimal integers, long-form lengths, Counter32 as a negative number.</summary>
    public BerEncoding Encoding { get; init; } = BerEncoding.Canonical;

    /// <summary>Get-bulk asking for more repetitions than this is answered tooBig with an empty binding list (MikroTik).</summary>
    public int? TooBigAboveRepetitions { get; init; }

    /// <summary>Get-bulk serves at most this many repetitions, silently (switches that skip rows above a limit).</summary>
    public int? MaxBulkRepetitions { get; init; }

    /// <summary>Get-next and get-bulk past this OID answer this OID again: an agent whose walk would loop forever.</summary>
    public Oid? RepeatAfter { get; init; }

    /// <summary>Answer every request this much later, like a slow or far-away device.</summary>
    public TimeSpan ResponseDelay { get; init; }

    /// <summary>Answer nothing at all, like a device that is down.</summary>
    public bool Silent { get; init; }
}
