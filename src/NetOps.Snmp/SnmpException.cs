namespace NetOps.Snmp;

/// <summary>Base of every failure the SNMP engine reports.</summary>
public class SnmpException : Exception
{
    public SnmpException()
    {
    }

    public SnmpException(string message)
        : base(message)
    {
    }

    public SnmpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No response arrived within the timeout, after every retry.</summary>
public sealed class SnmpTimeoutException : SnmpException
{
    public SnmpTimeoutException()
    {
    }

    public SnmpTimeoutException(string message)
        : base(message)
    {
    }

    public SnmpTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A packet is not valid BER or not a valid SNMP message.</summary>
public sealed class SnmpDecodeException : SnmpException
{
    public SnmpDecodeException()
    {
    }

    public SnmpDecodeException(string message)
        : base(message)
    {
    }

    public SnmpDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Offset in the packet where decoding failed, or -1.</summary>
    public int Offset { get; init; } = -1;
}

/// <summary>The agent answered with a non-zero error-status.</summary>
public sealed class SnmpErrorException : SnmpException
{
    public SnmpErrorException()
    {
    }

    public SnmpErrorException(string message)
        : base(message)
    {
    }

    public SnmpErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpErrorException(SnmpErrorStatus status, int index, Oid? failedOid = null)
        : base(Describe(status, index, failedOid))
    {
        Status = status;
        Index = index;
        FailedOid = failedOid;
    }

    public SnmpErrorStatus Status { get; }

    /// <summary>One-based index of the failing variable binding, 0 when the error concerns the whole PDU.</summary>
    public int Index { get; }

    public Oid? FailedOid { get; }

    private static string Describe(SnmpErrorStatus status, int index, Oid? failedOid) =>
        failedOid is { } oid
            ? $"agent answered {NetSnmpFormat.ErrorName(status)} at index {index} ({oid.ToDottedString()})"
            : $"agent answered {NetSnmpFormat.ErrorName(status)} at index {index}";
}
