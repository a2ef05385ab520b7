using System.Net;
using System.Text;

namespace NetOps.Snmp;

/// <summary>Encodes and decodes SNMPv1 and SNMPv2c messages.</summary>
public static class SnmpCodec
{
    /// <summary>
    /// Decodes one datagram. Octet-string values refer to <paramref name="packet"/> without copying it, so the
    /// caller must not reuse that memory while the message is in use. Any malformation throws
    /// <see cref="SnmpDecodeException"/>, and nothing else.
    /// </summary>
    public static SnmpMessage Decode(ReadOnlyMemory<byte> packet)
    {
        try
        {
            return DecodeCore(packet);
        }
        catch (Exception e) when (e is not SnmpDecodeException and not OutOfMemoryException)
        {
            // The reader checks every bound; this is the net under it, so that one bad packet never escapes as
            // another exception type.
            throw new SnmpDecodeException($"malformed packet: {e.Message}", e);
        }
    }

    /// <summary>Encodes <paramref name="message"/>; <paramref name="encoding"/> injects faults for test agents.</summary>
    public static byte[] Encode(SnmpMessage message, BerEncoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new BerWriter(encoding ?? BerEncoding.Canonical);
        Write(writer, message);
        return writer.ToArray();
    }

    internal static void Write(BerWriter writer, SnmpMessage message)
    {
        var mark = writer.Mark();
        WritePdu(writer, message.Pdu, message.Pdu.VarBinds.Count);
        WriteCommunity(writer, message.Community);
        writer.WriteInteger((int)message.Version);
        writer.EndConstructed(BerTag.Sequence, mark);
    }

    /// <summary>Writes a PDU with only the first <paramref name="count"/> bindings.</summary>
    internal static void WritePdu(BerWriter writer, SnmpPdu pdu, int count)
    {
        var mark = writer.Mark();
        var listMark = writer.Mark();
        var bindings = pdu.VarBinds;
        for (var i = count - 1; i >= 0; i--)
        {
            writer.WriteVarBind(bindings[i]);
        }

        writer.EndConstructed(BerTag.Sequence, listMark);
        if (pdu.Type == SnmpPduType.TrapV1)
        {
            var trap = pdu.V1Trap ?? throw new ArgumentException("a v1 Trap PDU needs its V1Trap header", nameof(pdu));
            writer.WriteUnsigned(trap.TimeStamp, BerTag.TimeTicks, thirtyTwoBits: true);
            writer.WriteInteger(trap.SpecificTrap);
            writer.WriteInteger(trap.GenericTrap);
            var address = trap.AgentAddress.MapToIPv4().GetAddressBytes();
            writer.WriteOctets(BerTag.IpAddress, address);
            writer.WriteOid(trap.Enterprise.Arcs);
        }
        else
        {
            writer.WriteInteger(pdu.ErrorIndex);
            writer.WriteInteger((int)pdu.ErrorStatus);
            writer.WriteInteger(pdu.RequestId);
        }

        writer.EndConstructed((byte)pdu.Type, mark);
    }

    private static void WriteCommunity(BerWriter writer, string community)
    {
        var length = Encoding.UTF8.GetByteCount(community);
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(community, bytes);
        writer.WriteOctets(BerTag.OctetString, bytes);
    }

    private static SnmpMessage DecodeCore(ReadOnlyMemory<byte> packet)
    {
        var top = new BerReader(packet.Span);
        var message = top.ReadConstructed(BerTag.Sequence);
        var version = message.ReadInt32();
        if (version is not (0 or 1))
        {
            throw new SnmpDecodeException(version == 3
                ? "an SNMPv3 message: decode it with SnmpV3Codec"
                : $"unknown SNMP version {version}");
        }

        var communityStart = message.ReadPrimitive(BerTag.OctetString, out var communityLength);
        var community = Encoding.UTF8.GetString(packet.Span.Slice(communityStart, communityLength));
        var pdu = ReadPdu(ref message, packet);
        return new SnmpMessage((SnmpVersion)version, community, pdu);
    }

    /// <summary>Reads one PDU (any type) from <paramref name="reader"/>; values refer to <paramref name="packet"/>.</summary>
    internal static SnmpPdu ReadPdu(ref BerReader reader, ReadOnlyMemory<byte> packet)
    {
        var pduReader = reader.ReadAnyConstructed(out var tag);
        if (tag is < (byte)SnmpPduType.GetRequest or > (byte)SnmpPduType.Report)
        {
            throw new SnmpDecodeException($"unknown PDU type 0x{tag:x2}");
        }

        var type = (SnmpPduType)tag;
        SnmpPdu pdu;
        if (type == SnmpPduType.TrapV1)
        {
            var enterprise = Oid.FromOwnedArray(pduReader.ReadOid());
            var addressStart = pduReader.ReadPrimitive(BerTag.IpAddress, out var addressLength);
            var address = addressLength == 4 ? new IPAddress(packet.Span.Slice(addressStart, 4)) : IPAddress.Any;
            var generic = pduReader.ReadInt32();
            var specific = pduReader.ReadInt32();
            var ticksStart = pduReader.ReadPrimitive(BerTag.TimeTicks, out var ticksLength);
            var ticks = (uint)BerReader.DecodeUnsigned(packet.Span.Slice(ticksStart, ticksLength), 4, ticksStart);
            var bindings = ReadVarBinds(ref pduReader, packet);
            pdu = new SnmpPdu(type, 0, bindings)
            {
                V1Trap = new SnmpV1Trap(enterprise, address, generic, specific, ticks),
            };
        }
        else
        {
            var requestId = pduReader.ReadInt32();
            var errorStatus = pduReader.ReadInt32();
            var errorIndex = pduReader.ReadInt32();
            var bindings = ReadVarBinds(ref pduReader, packet);
            pdu = new SnmpPdu(type, requestId, bindings)
            {
                ErrorStatus = (SnmpErrorStatus)errorStatus,
                ErrorIndex = errorIndex,
            };
        }

        return pdu;
    }

    private static VarBind[] ReadVarBinds(ref BerReader pduReader, ReadOnlyMemory<byte> packet)
    {
        if (!pduReader.HasData)
        {
            return []; // some agents omit the list entirely in error responses
        }

        var list = pduReader.ReadConstructed(BerTag.Sequence);
        var counter = list;
        var count = 0;
        while (counter.HasData)
        {
            counter.ReadHeader(out _, out _);
            count++;
        }

        if (count == 0)
        {
            return [];
        }

        var bindings = new VarBind[count];
        for (var i = 0; i < count; i++)
        {
            var binding = list.ReadConstructed(BerTag.Sequence);
            var oid = Oid.FromOwnedArray(binding.ReadOid());
            bindings[i] = new VarBind(oid, ReadValue(ref binding, packet));
        }

        return bindings;
    }

    private static SnmpValue ReadValue(ref BerReader reader, ReadOnlyMemory<byte> packet)
    {
        var start = reader.ReadHeader(out var tag, out var length);
        var content = packet.Span.Slice(start, length);
        return tag switch
        {
            BerTag.Integer => SnmpValue.Integer(BerReader.DecodeSigned(content, start)),
            BerTag.OctetString or BerTag.IpAddress or BerTag.Opaque =>
                SnmpValue.FromBytes((SnmpType)tag, packet.Slice(start, length)),
            BerTag.Null => SnmpValue.Null,
            BerTag.ObjectIdentifier => SnmpValue.FromArcs(BerReader.DecodeOid(content, start)),
            BerTag.Counter32 or BerTag.Gauge32 or BerTag.TimeTicks =>
                SnmpValue.FromBits((SnmpType)tag, BerReader.DecodeUnsigned(content, 4, start)),
            // UInteger32 (SMIv1, RFC 1442) is indistinguishable from Gauge32 on the wire for a manager.
            0x47 => SnmpValue.FromBits(SnmpType.Gauge32, BerReader.DecodeUnsigned(content, 4, start)),
            BerTag.Counter64 => SnmpValue.FromBits(SnmpType.Counter64, BerReader.DecodeUnsigned(content, 8, start)),
            0x80 => SnmpValue.NoSuchObject,
            0x81 => SnmpValue.NoSuchInstance,
            0x82 => SnmpValue.EndOfMibView,
            _ => throw new SnmpDecodeException($"unknown value type 0x{tag:x2} (offset {start})") { Offset = start },
        };
    }
}
