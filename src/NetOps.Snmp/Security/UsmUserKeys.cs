namespace NetOps.Snmp;

/// <summary>What checking an incoming message against a user's keys found.</summary>
internal enum UsmCheck
{
    Ok,
    UnsupportedSecurityLevel,
    WrongDigest,
    DecryptionError,
}

/// <summary>
/// One user's keys localised to one authoritative engine, and the USM processing that uses them: protecting an
/// outgoing scoped PDU (encrypt, then sign the whole message) and checking an incoming one (verify, then decrypt).
/// </summary>
internal sealed class UsmUserKeys
{
    private readonly byte[]? _authKey;
    private readonly byte[]? _privKey;

    public UsmUserKeys(SnmpV3Security user, ReadOnlySpan<byte> engineId)
    {
        User = user;
        EngineId = engineId.ToArray();
        if (user.Level != SnmpSecurityLevel.NoAuthNoPriv && user.AuthProtocol != SnmpAuthProtocol.None && user.AuthPassword is { } auth)
        {
            _authKey = Usm.Localize(user.AuthProtocol, Usm.PasswordToKey(user.AuthProtocol, auth), engineId);
            if (user.Level == SnmpSecurityLevel.AuthPriv && user.PrivProtocol != SnmpPrivProtocol.None && user.PrivPassword is { } priv)
            {
                // The privacy key is derived with the authentication protocol's hash (RFC 3414 2.6, RFC 3826 1.2).
                var localized = Usm.Localize(user.AuthProtocol, Usm.PasswordToKey(user.AuthProtocol, priv), engineId);
                _privKey = Usm.PrivKey(user.AuthProtocol, user.PrivProtocol, localized);
            }
        }
    }

    public SnmpV3Security User { get; }

    public byte[] EngineId { get; }

    /// <summary>The highest level these keys allow.</summary>
    public SnmpSecurityLevel MaxLevel => _privKey is not null ? SnmpSecurityLevel.AuthPriv
        : _authKey is not null ? SnmpSecurityLevel.AuthNoPriv : SnmpSecurityLevel.NoAuthNoPriv;

    /// <summary>Encodes <paramref name="scoped"/> at <paramref name="level"/>, for or from the engine these keys belong to.</summary>
    public byte[] Protect(int messageId, int maxSize, SnmpSecurityLevel level, bool reportable, int boots, int time,
        ScopedPdu scoped, ulong salt, BerEncoding? encoding = null)
    {
        if (level > MaxLevel)
        {
            throw new InvalidOperationException($"user '{User.UserName}' has no keys for {level}");
        }

        var flags = (byte)((level >= SnmpSecurityLevel.AuthNoPriv ? SnmpV3Message.FlagAuth : 0) |
                           (level == SnmpSecurityLevel.AuthPriv ? SnmpV3Message.FlagPriv : 0) |
                           (reportable ? SnmpV3Message.FlagReportable : 0));
        var privacy = ReadOnlyMemory<byte>.Empty;
        var encrypted = ReadOnlyMemory<byte>.Empty;
        if (level == SnmpSecurityLevel.AuthPriv)
        {
            var saltBytes = new byte[8];
            encrypted = Usm.Encrypt(User.PrivProtocol, _privKey!, boots, time, salt, SnmpV3Codec.EncodeScopedPdu(scoped), saltBytes);
            privacy = saltBytes;
        }

        var digestLength = level >= SnmpSecurityLevel.AuthNoPriv ? Usm.DigestLength(User.AuthProtocol) : 0;
        var message = new SnmpV3Message
        {
            MessageId = messageId,
            MaxSize = maxSize,
            Flags = flags,
            Security = new UsmSecurityParameters(EngineId, boots, time, User.UserName, new byte[digestLength], privacy),
            Scoped = level == SnmpSecurityLevel.AuthPriv ? null : scoped,
            EncryptedPdu = encrypted,
        };
        var packet = SnmpV3Codec.Encode(message, out var authOffset, encoding);
        if (digestLength > 0)
        {
            Usm.Sign(User.AuthProtocol, _authKey!, packet, packet.AsSpan(authOffset, digestLength));
        }

        return packet;
    }

    /// <summary>Verifies and decrypts <paramref name="message"/>, decoded from <paramref name="packet"/>.</summary>
    public UsmCheck Check(SnmpV3Message message, ReadOnlySpan<byte> packet, out ScopedPdu? scoped)
    {
        scoped = message.Scoped;
        if (message.IsAuthenticated)
        {
            if (_authKey is null)
            {
                return UsmCheck.UnsupportedSecurityLevel;
            }

            if (!Usm.Verify(User.AuthProtocol, _authKey, packet, message.AuthenticationOffset, message.Security.AuthenticationParameters.Length))
            {
                return UsmCheck.WrongDigest;
            }
        }

        if (message.IsEncrypted)
        {
            if (_privKey is null)
            {
                return UsmCheck.UnsupportedSecurityLevel;
            }

            var usm = message.Security;
            var plaintext = Usm.Decrypt(User.PrivProtocol, _privKey, usm.EngineBoots, usm.EngineTime, usm.PrivacyParameters.Span,
                message.EncryptedPdu.Span);
            if (plaintext is null)
            {
                return UsmCheck.DecryptionError;
            }

            try
            {
                scoped = SnmpV3Codec.DecodeScopedPdu(plaintext);
            }
            catch (SnmpDecodeException)
            {
                // What a wrong privacy key gives: noise that is no BER.
                return UsmCheck.DecryptionError;
            }
        }

        return scoped is null ? UsmCheck.DecryptionError : UsmCheck.Ok;
    }
}
