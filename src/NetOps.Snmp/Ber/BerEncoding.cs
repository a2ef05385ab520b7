namespace NetOps.Snmp;

/// <summary>
/// Deliberate encoding faults, for agents that must imitate broken devices in tests and the simulator.
/// The default encodes canonical BER.
/// </summary>
public sealed record BerEncoding
{
    public static BerEncoding Canonical { get; } = new();

    /// <summary>Prefix every INTEGER-like value with a redundant sign byte (00 05 for 5).</summary>
    public bool NonMinimalIntegers { get; init; }

    /// <summary>Write every length in the three-byte long form (82 00 05 for 5).</summary>
    public bool LongFormLengths { get; init; }

    /// <summary>Encode Counter32, Gauge32 and TimeTicks above 2^31 in four bytes, as negative numbers.</summary>
    public bool UnsignedWithoutLeadingZero { get; init; }

    /// <summary>Encode zero, of every integer type, with no content octets at all (02 00 for INTEGER 0).</summary>
    public bool ZeroLengthZeros { get; init; }
}
