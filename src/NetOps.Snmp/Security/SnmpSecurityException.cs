namespace NetOps.Snmp;

/// <summary>Why an SNMPv3 exchange failed its security checks.</summary>
public enum SnmpSecurityFailure
{
    /// <summary>The agent does not know the user (usmStatsUnknownUserNames).</summary>
    UnknownUserName,

    /// <summary>The agent computed another digest: wrong authentication pass phrase or protocol (usmStatsWrongDigests).</summary>
    WrongDigest,

    /// <summary>The user is not configured for the requested level (usmStatsUnsupportedSecLevels).</summary>
    UnsupportedSecurityLevel,

    /// <summary>The agent could not decrypt the request (usmStatsDecryptionErrors).</summary>
    DecryptionError,

    /// <summary>The agent drops the encrypted requests of a user it authenticates: the privacy pass phrase or protocol is wrong.</summary>
    PrivacyMismatch,

    /// <summary>The engine id or the time window could not be agreed even after resynchronising.</summary>
    NotSynchronised,

    /// <summary>The agent's answer failed our authentication or decryption.</summary>
    ResponseNotAuthentic,

    /// <summary>The agent sent another report (unknown context, unknown security model, ...).</summary>
    OtherReport,
}

/// <summary>
/// An SNMPv3 request failed a security check. The message names the device, the user and the reason, never a
/// pass phrase or a key.
/// </summary>
public sealed class SnmpSecurityException : SnmpException
{
    public SnmpSecurityException()
    {
    }

    public SnmpSecurityException(string message)
        : base(message)
    {
    }

    public SnmpSecurityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpSecurityException(SnmpSecurityFailure failure, string device, string userName, string detail)
        : base($"SNMPv3 user '{userName}' at {device}: {detail}")
    {
        Failure = failure;
        Device = device;
        UserName = userName;
    }

    public SnmpSecurityFailure Failure { get; }

    /// <summary>The agent's address, as "address:port".</summary>
    public string Device { get; } = string.Empty;

    public string UserName { get; } = string.Empty;

    /// <summary>The report's counter OID, when the failure came as a report.</summary>
    public Oid? ReportOid { get; init; }
}
