namespace NetOps.Snmp;

/// <summary>
/// Writes BER back to front, so every length is known when it is written and nothing is moved afterwards.
/// Write the last element first; finish a constructed element with <see cref="EndConstructed"/>.
/// One instance is reused across messages.
/// </summary>
internal sealed class BerWriter(BerEncoding encoding, int initialCapacity = 1500)
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _start = initialCapacity;

    public BerEncoding Encoding { get; set; } = encoding;

    public int Length => _buffer.Length - _start;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(_start);

    public void Reset() => _start = _buffer.Length;

    public byte[] ToArray() => Written.ToArray();

    /// <summary>The current length; pass it to <see cref="EndConstructed"/> after writing the content.</summary>
    public int Mark() => Length;

    public void EndConstructed(byte tag, int mark) => WriteHeader(tag, Length - mark);

    /// <summary>Tag and length of an element whose content is already written (back to front, they come after it).</summary>
    private void WriteHeader(byte tag, int contentLength)
    {
        WriteLength(contentLength);
        WriteByte(tag);
    }

    public void WriteNull(byte tag = BerTag.Null) => WriteHeader(tag, 0);

    public void WriteOctets(byte tag, ReadOnlySpan<byte> content)
    {
        WriteBytes(content);
        WriteHeader(tag, content.Length);
    }

    public void WriteInteger(long value, byte tag = BerTag.Integer)
    {
        if (value == 0 && Encoding.ZeroLengthZeros)
        {
            WriteHeader(tag, 0);
            return;
        }

        var mark = Length;
        byte b;
        do
        {
            b = (byte)value;
            WriteByte(b);
            value >>= 8;
        }
        while (!((value == 0 && (b & 0x80) == 0) || (value == -1 && (b & 0x80) != 0)));

        if (Encoding.NonMinimalIntegers)
        {
            WriteByte((b & 0x80) != 0 ? (byte)0xff : (byte)0x00);
        }

        WriteHeader(tag, Length - mark);
    }

    public void WriteUnsigned(ulong value, byte tag, bool thirtyTwoBits)
    {
        if (thirtyTwoBits && Encoding.UnsignedWithoutLeadingZero && value <= uint.MaxValue)
        {
            WriteInteger(unchecked((int)(uint)value), tag);
            return;
        }

        if (value == 0 && Encoding.ZeroLengthZeros)
        {
            WriteHeader(tag, 0);
            return;
        }

        var mark = Length;
        byte b;
        do
        {
            b = (byte)value;
            WriteByte(b);
            value >>= 8;
        }
        while (value != 0);

        if ((b & 0x80) != 0 || Encoding.NonMinimalIntegers)
        {
            WriteByte(0);
        }

        WriteHeader(tag, Length - mark);
    }

    public void WriteOid(ReadOnlySpan<uint> arcs)
    {
        // BER folds the first two arcs into one sub-identifier: anything else would reach the agent as another
        // identifier (1.50.3 as 2.10.3), so it is refused, as net-snmp refuses it. A lone arc is sent as X.0, as there.
        if (arcs.Length > 0 && (arcs[0] > 2 || (arcs.Length > 1 && arcs[0] < 2 && arcs[1] >= 40)))
        {
            throw new ArgumentException(
                $"{new Oid(arcs)} cannot be encoded: the first arc must be 0, 1 or 2, and the second below 40 under 0 and 1",
                nameof(arcs));
        }

        var mark = Length;
        for (var i = arcs.Length - 1; i >= 2; i--)
        {
            WriteBase128(arcs[i]);
        }

        if (arcs.Length >= 2)
        {
            WriteBase128((arcs[0] * 40UL) + arcs[1]);
        }
        else if (arcs.Length == 1)
        {
            WriteBase128(arcs[0] * 40UL);
        }

        WriteHeader(BerTag.ObjectIdentifier, Length - mark);
    }

    public void WriteValue(in SnmpValue value)
    {
        switch (value.Type)
        {
            case SnmpType.Integer:
                WriteInteger(unchecked((long)value.RawBits));
                break;
            case SnmpType.Counter32:
            case SnmpType.Gauge32:
            case SnmpType.TimeTicks:
                WriteUnsigned(value.RawBits, (byte)value.Type, thirtyTwoBits: true);
                break;
            case SnmpType.Counter64:
                WriteUnsigned(value.RawBits, (byte)value.Type, thirtyTwoBits: false);
                break;
            case SnmpType.OctetString:
            case SnmpType.IpAddress:
            case SnmpType.Opaque:
                WriteOctets((byte)value.Type, value.RawBytes);
                break;
            case SnmpType.ObjectIdentifier:
                WriteOid(value.RawArcs);
                break;
            default:
                WriteNull((byte)value.Type);
                break;
        }
    }

    public void WriteVarBind(in VarBind binding)
    {
        var mark = Length;
        WriteValue(binding.Value);
        WriteOid(binding.Oid.Arcs);
        EndConstructed(BerTag.Sequence, mark);
    }

    private void WriteBase128(ulong value)
    {
        WriteByte((byte)(value & 0x7f));
        value >>= 7;
        while (value != 0)
        {
            WriteByte((byte)(0x80 | (value & 0x7f)));
            value >>= 7;
        }
    }

    private void WriteLength(int length)
    {
        if (length < 0x80 && !Encoding.LongFormLengths)
        {
            WriteByte((byte)length);
            return;
        }

        var count = 0;
        var remaining = length;
        do
        {
            WriteByte((byte)remaining);
            remaining >>= 8;
            count++;
        }
        while (remaining != 0);

        if (Encoding.LongFormLengths && count == 1)
        {
            WriteByte(0);
            count++;
        }

        WriteByte((byte)(0x80 | count));
    }

    private void WriteByte(byte value)
    {
        if (_start == 0)
        {
            Grow(1);
        }

        _buffer[--_start] = value;
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_start < bytes.Length)
        {
            Grow(bytes.Length);
        }

        _start -= bytes.Length;
        bytes.CopyTo(_buffer.AsSpan(_start));
    }

    private void Grow(int needed)
    {
        var length = Length;
        var size = Math.Max(_buffer.Length * 2, length + needed + 256);
        var bigger = new byte[size];
        Written.CopyTo(bigger.AsSpan(size - length));
        _buffer = bigger;
        _start = size - length;
    }
}
