using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// Encodes and decodes SNMPv3 messages (RFC 3412 6) with USM security parameters (RFC 3414 2.4). Security
/// processing (digests, encryption) is not done here: <see cref="Decode"/> gives the parts it needs.
/// </summary>
public static class SnmpV3Codec
{
    /// <summary>The version of a datagram, without decoding the rest; -1 when it is not an SNMP message.</summary>
    public static int PeekVersion(ReadOnlySpan<byte> packet)
    {
        try
        {
            var top = new BerReader(packet);
            var message = top.ReadConstructed(BerTag.Sequence);
            var version = message.ReadInteger();
            return version is >= 0 and <= 3 ? (int)version : -1;
        }
        catch (SnmpDecodeException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Decodes one SNMPv3 datagram; a plaintext scoped PDU is decoded too, an encrypted one is left as octets.
    /// Values refer to <paramref name="packet"/>. Any malformation throws <see cref="SnmpDecodeException"/>, and nothing else.
    /// </summary>
    public static SnmpV3Message Decode(ReadOnlyMemory<byte> packet)
    {
        try
        {
            return DecodeCore(packet);
        }
        catch (Exception e) when (e is not SnmpDecodeException and not OutOfMemoryException)
        {
            throw new SnmpDecodeException($"malformed SNMPv3 packet: {e.Message}", e);
        }
    }

    /// <summary>Decodes a scoped PDU, as found in plaintext or decrypted; trailing octets (DES padding) are ignored.</summary>
    public static ScopedPdu DecodeScopedPdu(ReadOnlyMemory<byte> plaintext)
    {
        try
        {
            var reader = new BerReader(plaintext.Span);
            return ReadScopedPdu(ref reader, plaintext);
        }
        catch (Exception e) when (e is not SnmpDecodeException and not OutOfMemoryException)
        {
            throw new SnmpDecodeException($"malformed scoped PDU: {e.Message}", e);
        }
    }

    public static byte[] EncodeScopedPdu(ScopedPdu scoped)
    {
        ArgumentNullException.ThrowIfNull(scoped);
        var writer = new BerWriter(BerEncoding.Canonical);
        WriteScopedPdu(writer, scoped);
        return writer.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="message"/> as given (authentication parameters included, zeros when it is to be
    /// signed) and returns where their content starts, for the digest to be written there.
    /// </summary>
    public static byte[] Encode(SnmpV3Message message, out int authenticationOffset, BerEncoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new BerWriter(encoding ?? BerEncoding.Canonical);
        var mark = writer.Mark();
        if (message.Scoped is { } scoped)
        {
            WriteScopedPdu(writer, scoped);
        }
        else
        {
            writer.WriteOctets(BerTag.OctetString, message.EncryptedPdu.Span);
        }

        // Written back to front: the authentication parameters' distance from the end is known once they are written.
        var usm = message.Security;
        var securityMark = writer.Mark();
        var sequenceMark = writer.Mark();
        writer.WriteOctets(BerTag.OctetString, usm.PrivacyParameters.Span);
        var authFromEnd = writer.Length + usm.AuthenticationParameters.Length;
        writer.WriteOctets(BerTag.OctetString, usm.AuthenticationParameters.Span);
        writer.WriteOctets(BerTag.OctetString, Encoding.UTF8.GetBytes(usm.UserName));
        writer.WriteInteger(usm.EngineTime);
        writer.WriteInteger(usm.EngineBoots);
        writer.WriteOctets(BerTag.OctetString, usm.EngineId.Span);
        writer.EndConstructed(BerTag.Sequence, sequenceMark);
        writer.EndConstructed(BerTag.OctetString, securityMark);

        var globalMark = writer.Mark();
        writer.WriteInteger(message.SecurityModel);
        writer.WriteOctets(BerTag.OctetString, [message.Flags]);
        writer.WriteInteger(message.MaxSize);
        writer.WriteInteger(message.MessageId);
        writer.EndConstructed(BerTag.Sequence, globalMark);
        writer.WriteInteger(3);
        writer.EndConstructed(BerTag.Sequence, mark);
        authenticationOffset = writer.Length - authFromEnd;
        return writer.ToArray();
    }

    private static void WriteScopedPdu(BerWriter writer, ScopedPdu scoped)
    {
        var mark = writer.Mark();
        SnmpCodec.WritePdu(writer, scoped.Pdu, scoped.Pdu.VarBinds.Count);
        writer.WriteOctets(BerTag.OctetString, Encoding.UTF8.GetBytes(scoped.ContextName));
        writer.WriteOctets(BerTag.OctetString, scoped.ContextEngineId.Span);
        writer.EndConstructed(BerTag.Sequence, mark);
    }

    private static SnmpV3Message DecodeCore(ReadOnlyMemory<byte> packet)
    {
        var top = new BerReader(packet.Span);
        var message = top.ReadConstructed(BerTag.Sequence);
        var version = message.ReadInt32();
        if (version != 3)
        {
            throw new SnmpDecodeException($"not an SNMPv3 message (version {version})");
        }

        var global = message.ReadConstructed(BerTag.Sequence);
        var messageId = global.ReadInt32();
        var maxSize = global.ReadInt32();
        var flagsStart = global.ReadPrimitive(BerTag.OctetString, out var flagsLength);
        if (flagsLength != 1)
        {
            throw new SnmpDecodeException($"msgFlags of {flagsLength} octets (offset {flagsStart})") { Offset = flagsStart };
        }

        var flags = packet.Span[flagsStart];
        if ((flags & (SnmpV3Message.FlagAuth | SnmpV3Message.FlagPriv)) == SnmpV3Message.FlagPriv)
        {
            throw new SnmpDecodeException($"msgFlags 0x{flags:x2} ask for privacy without authentication") { Offset = flagsStart };
        }

        var model = global.ReadInt32();
        if (model != SnmpV3Message.UsmSecurityModel)
        {
            throw new SnmpDecodeException($"security model {model} is not USM");
        }

        // msgSecurityParameters is an OCTET STRING whose content is the BER of UsmSecurityParameters.
        var wrapper = message.ReadConstructed(BerTag.OctetString);
        var usm = wrapper.ReadConstructed(BerTag.Sequence);
        var engineId = ReadOctets(ref usm, packet);
        var boots = usm.ReadInt32();
        var time = usm.ReadInt32();
        var userStart = usm.ReadPrimitive(BerTag.OctetString, out var userLength);
        if (userLength > 32)
        {
            throw new SnmpDecodeException($"user name of {userLength} octets (offset {userStart})") { Offset = userStart };
        }

        var userName = Encoding.UTF8.GetString(packet.Span.Slice(userStart, userLength));
        var authStart = usm.ReadPrimitive(BerTag.OctetString, out var authLength);
        var privacy = ReadOctets(ref usm, packet);
        if (boots < 0 || time < 0)
        {
            throw new SnmpDecodeException("negative engine boots or time");
        }

        var security = new UsmSecurityParameters(engineId, boots, time, userName, packet.Slice(authStart, authLength), privacy);
        ScopedPdu? scoped = null;
        var encrypted = ReadOnlyMemory<byte>.Empty;
        if ((flags & SnmpV3Message.FlagPriv) != 0)
        {
            encrypted = ReadOctets(ref message, packet);
        }
        else
        {
            scoped = ReadScopedPdu(ref message, packet);
        }

        return new SnmpV3Message
        {
            MessageId = messageId,
            MaxSize = maxSize,
            Flags = flags,
            SecurityModel = model,
            Security = security,
            Scoped = scoped,
            EncryptedPdu = encrypted,
            AuthenticationOffset = authStart,
        };
    }

    private static ScopedPdu ReadScopedPdu(ref BerReader reader, ReadOnlyMemory<byte> packet)
    {
        var scoped = reader.ReadConstructed(BerTag.Sequence);
        var contextEngineId = ReadOctets(ref scoped, packet);
        var nameStart = scoped.ReadPrimitive(BerTag.OctetString, out var nameLength);
        var contextName = Encoding.UTF8.GetString(packet.Span.Slice(nameStart, nameLength));
        var pdu = SnmpCodec.ReadPdu(ref scoped, packet);
        return new ScopedPdu(contextEngineId, contextName, pdu);
    }

    private static ReadOnlyMemory<byte> ReadOctets(ref BerReader reader, ReadOnlyMemory<byte> packet)
    {
        var start = reader.ReadPrimitive(BerTag.OctetString, out var length);
        return packet.Slice(start, length);
    }
}
