using System.Text;

namespace NetOps.Snmp;

/// <summary>UsmSecurityParameters (RFC 3414 2.4), carried in msgSecurityParameters.</summary>
public sealed record UsmSecurityParameters(
    ReadOnlyMemory<byte> EngineId,
    int EngineBoots,
    int EngineTime,
    string UserName,
    ReadOnlyMemory<byte> AuthenticationParameters,
    ReadOnlyMemory<byte> PrivacyParameters)
{
    /// <summary>No engine, no user: what a discovery request carries.</summary>
    public static UsmSecurityParameters Discovery { get; } = new(ReadOnlyMemory<byte>.Empty, 0, 0, string.Empty,
        ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
}

/// <summary>A scoped PDU (RFC 3412 6): the context it addresses, and the PDU.</summary>
public sealed record ScopedPdu(ReadOnlyMemory<byte> ContextEngineId, string ContextName, SnmpPdu Pdu);

/// <summary>
/// An SNMPv3 message with the user-based security model (RFC 3412 6, RFC 3414). Exactly one of
/// <see cref="Scoped"/> (plaintext) and <see cref="EncryptedPdu"/> is set.
/// </summary>
public sealed class SnmpV3Message
{
    public const byte FlagAuth = 0x01;
    public const byte FlagPriv = 0x02;
    public const byte FlagReportable = 0x04;
    public const int UsmSecurityModel = 3;

    public required int MessageId { get; init; }

    public int MaxSize { get; init; } = 65507;

    /// <summary>msgFlags: <see cref="FlagAuth"/>, <see cref="FlagPriv"/>, <see cref="FlagReportable"/>.</summary>
    public required byte Flags { get; init; }

    public int SecurityModel { get; init; } = UsmSecurityModel;

    public required UsmSecurityParameters Security { get; init; }

    public ScopedPdu? Scoped { get; init; }

    public ReadOnlyMemory<byte> EncryptedPdu { get; init; }

    /// <summary>Where msgAuthenticationParameters' content starts in the decoded packet; -1 for a message to encode.</summary>
    public int AuthenticationOffset { get; init; } = -1;

    public bool IsAuthenticated => (Flags & FlagAuth) != 0;

    public bool IsEncrypted => (Flags & FlagPriv) != 0;

    public bool IsReportable => (Flags & FlagReportable) != 0;

    public SnmpSecurityLevel Level =>
        IsEncrypted ? SnmpSecurityLevel.AuthPriv : IsAuthenticated ? SnmpSecurityLevel.AuthNoPriv : SnmpSecurityLevel.NoAuthNoPriv;

    public override string ToString()
    {
        var text = new StringBuilder("SNMPv3 msgID ").Append(MessageId).Append(' ').Append(Level)
            .Append(" user '").Append(Security.UserName).Append('\'');
        return Scoped is { } scoped
            ? text.Append(' ').Append(scoped.Pdu.Type).Append(" request-id ").Append(scoped.Pdu.RequestId).ToString()
            : text.Append(", encrypted").ToString();
    }
}
