namespace NetOps.Snmp;

/// <summary>
/// A lenient, allocation-free BER reader over one window of a packet. It accepts what real agents send that
/// X.690 DER forbids (non-minimal and zero-length integers, non-minimal long-form lengths) and throws
/// <see cref="SnmpDecodeException"/> for anything it cannot make sense of.
/// </summary>
internal ref struct BerReader
{
    private readonly ReadOnlySpan<byte> _packet;
    private readonly int _end;
    private int _position;

    public BerReader(ReadOnlySpan<byte> packet)
        : this(packet, 0, packet.Length)
    {
    }

    private BerReader(ReadOnlySpan<byte> packet, int start, int end)
    {
        _packet = packet;
        _position = start;
        _end = end;
    }

    public readonly bool HasData => _position < _end;

    public readonly int Position => _position;

    public readonly byte PeekTag() => HasData ? _packet[_position] : throw Error("expected a tag, found the end of the data");

    /// <summary>Reads a tag and a length; returns the content offset within the packet.</summary>
    public int ReadHeader(out byte tag, out int length)
    {
        if (!HasData)
        {
            throw Error("expected a tag, found the end of the data");
        }

        tag = _packet[_position++];
        if ((tag & 0x1f) == 0x1f)
        {
            // SNMP itself never uses high tag numbers; only the Opaque content does, and it is read separately.
            throw Error($"unexpected high-tag-number form 0x{tag:x2}", _position - 1);
        }

        length = ReadLength();
        var start = _position;
        if (length > _end - start)
        {
            throw Error($"length {length} overruns the {_end - start} bytes left", start);
        }

        _position = start + length;
        return start;
    }

    /// <summary>Reads a constructed element with tag <paramref name="expected"/> and returns a reader over its content.</summary>
    public BerReader ReadConstructed(byte expected)
    {
        var start = ReadHeader(out var tag, out var length);
        if (tag != expected)
        {
            throw Error($"expected tag 0x{expected:x2}, found 0x{tag:x2}", start);
        }

        return new BerReader(_packet, start, start + length);
    }

    /// <summary>Reads any constructed element and returns its tag and a reader over its content.</summary>
    public BerReader ReadAnyConstructed(out byte tag)
    {
        var start = ReadHeader(out tag, out var length);
        if ((tag & 0x20) == 0)
        {
            throw Error($"expected a constructed element, found tag 0x{tag:x2}", start);
        }

        return new BerReader(_packet, start, start + length);
    }

    public long ReadInteger(byte expected = BerTag.Integer)
    {
        var start = ReadHeader(out var tag, out var length);
        if (tag != expected)
        {
            throw Error($"expected tag 0x{expected:x2}, found 0x{tag:x2}", start);
        }

        return DecodeSigned(_packet.Slice(start, length), start);
    }

    /// <summary>Reads an INTEGER that must fit 32 bits (request-id, error-status, version).</summary>
    public int ReadInt32()
    {
        var position = _position;
        var value = ReadInteger();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Error($"integer {value} does not fit 32 bits", position);
    }

    /// <summary>Reads a primitive element of tag <paramref name="expected"/>; returns its content offset.</summary>
    public int ReadPrimitive(byte expected, out int length)
    {
        var start = ReadHeader(out var tag, out length);
        if (tag != expected)
        {
            throw Error($"expected tag 0x{expected:x2}, found 0x{tag:x2}", start);
        }

        return start;
    }

    public uint[] ReadOid()
    {
        var start = ReadPrimitive(BerTag.ObjectIdentifier, out var length);
        return DecodeOid(_packet.Slice(start, length), start);
    }

    /// <summary>Two's complement content of up to 8 significant bytes; redundant sign bytes and empty content are accepted.</summary>
    public static long DecodeSigned(ReadOnlySpan<byte> content, int offset)
    {
        if (content.IsEmpty)
        {
            return 0; // zero-length INTEGER: sent by some agents for 0
        }

        var negative = (content[0] & 0x80) != 0;
        var skip = negative ? (byte)0xff : (byte)0x00;
        while (content.Length > 1 && content[0] == skip && ((content[1] & 0x80) != 0) == negative)
        {
            content = content[1..];
        }

        if (content.Length > 8)
        {
            throw new SnmpDecodeException($"integer of {content.Length} significant bytes does not fit 64 bits") { Offset = offset };
        }

        long value = negative ? -1 : 0;
        foreach (var b in content)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>
    /// Unsigned content of at most <paramref name="maxBytes"/> significant bytes. Redundant leading bytes are
    /// accepted, and content with the high bit set is read as net-snmp does: sign-extended, then cut to the
    /// type's width (agents that encode a Counter32 as a signed 32-bit number).
    /// </summary>
    public static ulong DecodeUnsigned(ReadOnlySpan<byte> content, int maxBytes, int offset)
    {
        if (content.IsEmpty)
        {
            return 0;
        }

        var negative = (content[0] & 0x80) != 0;
        var skip = negative ? (byte)0xff : (byte)0x00;
        while (content.Length > 1 && content[0] == skip && (!negative || (content[1] & 0x80) != 0))
        {
            content = content[1..];
        }

        if (content.Length > maxBytes)
        {
            throw new SnmpDecodeException($"unsigned value of {content.Length} bytes does not fit {maxBytes * 8} bits") { Offset = offset };
        }

        var value = negative ? ulong.MaxValue : 0UL;
        foreach (var b in content)
        {
            value = (value << 8) | b;
        }

        return maxBytes >= 8 ? value : value & ((1UL << (maxBytes * 8)) - 1);
    }

    public static uint[] DecodeOid(ReadOnlySpan<byte> content, int offset)
    {
        if (content.IsEmpty)
        {
            return [];
        }

        var count = 1; // the first sub-identifier encodes two arcs
        foreach (var b in content)
        {
            if ((b & 0x80) == 0)
            {
                count++;
            }
        }

        if ((content[^1] & 0x80) != 0)
        {
            throw new SnmpDecodeException("object identifier ends inside a sub-identifier") { Offset = offset };
        }

        var arcs = new uint[count];
        var index = 0;
        var position = 0;
        while (position < content.Length)
        {
            ulong value = 0;
            byte b;
            do
            {
                // A leading 0x80 (non-minimal) adds nothing to the value and is tolerated.
                b = content[position++];
                value = (value << 7) | (uint)(b & 0x7f);
                if (value > uint.MaxValue + 80UL)
                {
                    throw new SnmpDecodeException("object identifier sub-identifier exceeds 32 bits") { Offset = offset + position - 1 };
                }
            }
            while ((b & 0x80) != 0);

            if (index == 0)
            {
                var first = value < 40 ? 0u : value < 80 ? 1u : 2u;
                var second = value - (first * 40);
                if (second > uint.MaxValue)
                {
                    throw new SnmpDecodeException("object identifier second arc exceeds 32 bits") { Offset = offset };
                }

                arcs[0] = first;
                arcs[1] = (uint)second;
                index = 2;
            }
            else
            {
                if (value > uint.MaxValue)
                {
                    throw new SnmpDecodeException("object identifier sub-identifier exceeds 32 bits") { Offset = offset + position - 1 };
                }

                arcs[index++] = (uint)value;
            }
        }

        return arcs;
    }

    private int ReadLength()
    {
        if (!HasData)
        {
            throw Error("expected a length, found the end of the data");
        }

        var first = _packet[_position++];
        if (first < 0x80)
        {
            return first;
        }

        if (first == 0x80)
        {
            throw Error("indefinite length is not allowed in SNMP", _position - 1);
        }

        var count = first & 0x7f;
        if (count > _end - _position)
        {
            throw Error("length field overruns the data", _position - 1);
        }

        long length = 0;
        for (var i = 0; i < count; i++)
        {
            length = (length << 8) | _packet[_position++];
            if (length > int.MaxValue)
            {
                throw Error("length exceeds any possible packet", _position - 1);
            }
        }

        return (int)length;
    }

    private readonly SnmpDecodeException Error(string message) => Error(message, _position);

    private static SnmpDecodeException Error(string message, int offset) => new($"{message} (offset {offset})") { Offset = offset };
}
