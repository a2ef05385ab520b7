using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// An SNMP value: a type tag and its content. Numbers are held inline; octet strings may be a slice of the
/// received packet, so decoding a response allocates no buffer per variable binding.
/// </summary>
public readonly struct SnmpValue : IEquatable<SnmpValue>
{
    // Opaque-wrapped float and double as net-snmp encodes them (draft-perkins-opaque): an extended tag 0x9f 0x78/0x79.
    internal const byte OpaqueExtension = 0x9f;
    internal const byte OpaqueFloatTag = 0x78;
    internal const byte OpaqueDoubleTag = 0x79;

    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly uint[]? _arcs;
    private readonly ulong _bits;
    private readonly SnmpType _type;

    private SnmpValue(SnmpType type, ulong bits = 0, ReadOnlyMemory<byte> bytes = default, uint[]? arcs = null)
    {
        _type = type;
        _bits = bits;
        _bytes = bytes;
        _arcs = arcs;
    }

    /// <summary>The BER type of the value. <c>default(SnmpValue)</c> is <see cref="SnmpType.Null"/>.</summary>
    public SnmpType Type => _type == 0 ? SnmpType.Null : _type;

    /// <summary>True for noSuchObject, noSuchInstance and endOfMibView.</summary>
    public bool IsException => Type is SnmpType.NoSuchObject or SnmpType.NoSuchInstance or SnmpType.EndOfMibView;

    public static SnmpValue Null => new(SnmpType.Null);

    public static SnmpValue NoSuchObject => new(SnmpType.NoSuchObject);

    public static SnmpValue NoSuchInstance => new(SnmpType.NoSuchInstance);

    public static SnmpValue EndOfMibView => new(SnmpType.EndOfMibView);

    /// <summary>INTEGER (Integer32). Values outside 32 bits are kept because broken agents send them.</summary>
    public static SnmpValue Integer(long value) => new(SnmpType.Integer, unchecked((ulong)value));

    public static SnmpValue Counter32(uint value) => new(SnmpType.Counter32, value);

    public static SnmpValue Gauge32(uint value) => new(SnmpType.Gauge32, value);

    public static SnmpValue TimeTicks(uint value) => new(SnmpType.TimeTicks, value);

    public static SnmpValue Counter64(ulong value) => new(SnmpType.Counter64, value);

    /// <summary>OCTET STRING holding <paramref name="bytes"/> (not copied: the caller must not change them).</summary>
    public static SnmpValue OctetString(ReadOnlyMemory<byte> bytes) => new(SnmpType.OctetString, bytes: bytes);

    /// <summary>OCTET STRING holding the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static SnmpValue OctetString(string text) => new(SnmpType.OctetString, bytes: Encoding.UTF8.GetBytes(text));

    public static SnmpValue ObjectIdentifier(Oid oid) => new(SnmpType.ObjectIdentifier, arcs: oid.Arcs.ToArray());

    public static SnmpValue IpAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("an SNMP IpAddress is IPv4", nameof(address));
        }

        return new(SnmpType.IpAddress, bytes: address.GetAddressBytes());
    }

    /// <summary>IpAddress from its raw octets; the decoder keeps what the agent sent even when it is not 4 bytes.</summary>
    public static SnmpValue IpAddress(ReadOnlyMemory<byte> octets) => new(SnmpType.IpAddress, bytes: octets);

    /// <summary>Opaque holding arbitrary BER content.</summary>
    public static SnmpValue Opaque(ReadOnlyMemory<byte> content) => new(SnmpType.Opaque, bytes: content);

    /// <summary>Opaque wrapping a float the way net-snmp does (tag 0x9f78).</summary>
    public static SnmpValue OpaqueFloat(float value)
    {
        var content = new byte[7];
        content[0] = OpaqueExtension;
        content[1] = OpaqueFloatTag;
        content[2] = 4;
        BinaryPrimitives.WriteSingleBigEndian(content.AsSpan(3), value);
        return new(SnmpType.Opaque, bytes: content);
    }

    /// <summary>Opaque wrapping a double the way net-snmp does (tag 0x9f79).</summary>
    public static SnmpValue OpaqueDouble(double value)
    {
        var content = new byte[11];
        content[0] = OpaqueExtension;
        content[1] = OpaqueDoubleTag;
        content[2] = 8;
        BinaryPrimitives.WriteDoubleBigEndian(content.AsSpan(3), value);
        return new(SnmpType.Opaque, bytes: content);
    }

    /// <summary>Builds a value of a numeric type from its number; used by loaders and the CLI.</summary>
    public static SnmpValue FromNumber(SnmpType type, ulong value) => type switch
    {
        SnmpType.Integer => Integer(unchecked((long)value)),
        SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks => new(type, value & uint.MaxValue),
        SnmpType.Counter64 => Counter64(value),
        _ => throw new ArgumentException($"{type} is not a numeric type", nameof(type)),
    };

    /// <summary>Decoder entry: a numeric value already range-checked.</summary>
    internal static SnmpValue FromBits(SnmpType type, ulong bits) => new(type, bits);

    /// <summary>Decoder entry: a byte-valued type over a slice of the packet.</summary>
    internal static SnmpValue FromBytes(SnmpType type, ReadOnlyMemory<byte> bytes) => new(type, bytes: bytes);

    /// <summary>Decoder entry: an OID value over a fresh array.</summary>
    internal static SnmpValue FromArcs(uint[] arcs) => new(SnmpType.ObjectIdentifier, arcs: arcs);

    /// <summary>The value as a signed number: INTEGER, Counter32, Gauge32, TimeTicks, Counter64 (wrapping above 2^63).</summary>
    public long AsInt64() => IsNumeric ? unchecked((long)_bits) : throw NotA("a number");

    /// <summary>The value as an unsigned number; a negative INTEGER is an error.</summary>
    public ulong AsUInt64()
    {
        if (!IsNumeric)
        {
            throw NotA("a number");
        }

        if (Type == SnmpType.Integer && unchecked((long)_bits) < 0)
        {
            throw new InvalidCastException($"INTEGER {unchecked((long)_bits)} is negative");
        }

        return _bits;
    }

    /// <summary>True for INTEGER, Counter32, Gauge32, TimeTicks and Counter64.</summary>
    public bool IsNumeric => Type is SnmpType.Integer or SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks or SnmpType.Counter64;

    /// <summary>The raw octets of an OCTET STRING, IpAddress or Opaque.</summary>
    public ReadOnlyMemory<byte> AsMemory() =>
        Type is SnmpType.OctetString or SnmpType.IpAddress or SnmpType.Opaque ? _bytes : throw NotA("an octet string");

    /// <summary>A copy of the raw octets of an OCTET STRING, IpAddress or Opaque.</summary>
    public byte[] AsBytes() => AsMemory().ToArray();

    /// <summary>
    /// A readable form: OCTET STRING as UTF-8 (invalid bytes replaced), numbers in decimal, OIDs dotted,
    /// IpAddress dotted. For net-snmp's typed form use <see cref="NetSnmpFormat"/>.
    /// </summary>
    public string AsString() => Type switch
    {
        SnmpType.OctetString => Encoding.UTF8.GetString(_bytes.Span),
        SnmpType.IpAddress when _bytes.Length == 4 => new IPAddress(_bytes.Span).ToString(),
        SnmpType.ObjectIdentifier => AsOid().ToString(),
        _ when IsNumeric => Type == SnmpType.Integer
            ? unchecked((long)_bits).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : _bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => NetSnmpFormat.FormatValue(this),
    };

    public Oid AsOid() => Type == SnmpType.ObjectIdentifier ? Oid.FromOwnedArray(_arcs ?? []) : throw NotA("an OBJECT IDENTIFIER");

    public IPAddress AsIpAddress() => Type == SnmpType.IpAddress && _bytes.Length == 4
        ? new IPAddress(_bytes.Span)
        : throw NotA("a 4-byte IpAddress");

    /// <summary>The float or double inside a net-snmp opaque float/double, if this is one.</summary>
    public bool TryGetOpaqueFloat(out double value)
    {
        value = 0;
        if (Type != SnmpType.Opaque)
        {
            return false;
        }

        var span = _bytes.Span;
        if (span.Length == 7 && span[0] == OpaqueExtension && span[1] == OpaqueFloatTag && span[2] == 4)
        {
            value = BinaryPrimitives.ReadSingleBigEndian(span[3..]);
            return true;
        }

        if (span.Length == 11 && span[0] == OpaqueExtension && span[1] == OpaqueDoubleTag && span[2] == 8)
        {
            value = BinaryPrimitives.ReadDoubleBigEndian(span[3..]);
            return true;
        }

        return false;
    }

    internal ulong RawBits => _bits;

    internal ReadOnlySpan<byte> RawBytes => _bytes.Span;

    internal ReadOnlySpan<uint> RawArcs => _arcs;

    public bool Equals(SnmpValue other)
    {
        if (Type != other.Type)
        {
            return false;
        }

        return Type switch
        {
            SnmpType.ObjectIdentifier => RawArcs.SequenceEqual(other.RawArcs),
            SnmpType.OctetString or SnmpType.IpAddress or SnmpType.Opaque => _bytes.Span.SequenceEqual(other._bytes.Span),
            _ => _bits == other._bits,
        };
    }

    public override bool Equals(object? obj) => obj is SnmpValue other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(_bits);
        hash.AddBytes(_bytes.Span);
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(RawArcs));
        return hash.ToHashCode();
    }

    /// <summary>net-snmp's typed form without the OID: "INTEGER: 5", "STRING: \"text\"".</summary>
    public override string ToString() => NetSnmpFormat.FormatValue(this);

    public static bool operator ==(SnmpValue left, SnmpValue right) => left.Equals(right);

    public static bool operator !=(SnmpValue left, SnmpValue right) => !left.Equals(right);

    private InvalidCastException NotA(string what) => new($"a {Type} value is not {what}");
}
