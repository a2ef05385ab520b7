using System.Net;

namespace NetOps.Snmp.Tests;

public sealed class BerCodecTests
{
    private static readonly Oid Sample = Oid.Parse("1.3.6.1.2.1.1.3.0");

    public static TheoryData<string, SnmpValue> Values => new()
    {
        { "integer zero", SnmpValue.Integer(0) },
        { "integer negative", SnmpValue.Integer(-129) },
        { "integer min", SnmpValue.Integer(int.MinValue) },
        { "integer max", SnmpValue.Integer(int.MaxValue) },
        { "octet string", SnmpValue.OctetString("Cisco IOS\r\n") },
        { "empty octet string", SnmpValue.OctetString(ReadOnlyMemory<byte>.Empty) },
        { "binary octet string", SnmpValue.OctetString(new byte[] { 0x00, 0x1a, 0xff }) },
        { "null", SnmpValue.Null },
        { "oid", SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.9.1.516")) },
        { "oid with large arcs", SnmpValue.ObjectIdentifier(Oid.Parse("2.999.4294967295.128.16383.16384")) },
        { "ip address", SnmpValue.IpAddress(IPAddress.Parse("192.0.2.17")) },
        { "counter32 max", SnmpValue.Counter32(uint.MaxValue) },
        { "counter32 high bit", SnmpValue.Counter32(0x8000_0000) },
        { "gauge32", SnmpValue.Gauge32(1_000_000_000) },
        { "timeticks", SnmpValue.TimeTicks(697202257) },
        { "counter64 max", SnmpValue.Counter64(ulong.MaxValue) },
        { "counter64 small", SnmpValue.Counter64(5) },
        { "opaque", SnmpValue.Opaque(new byte[] { 0x04, 0x01, 0x41 }) },
        { "opaque float", SnmpValue.OpaqueFloat(0.46f) },
        { "opaque double", SnmpValue.OpaqueDouble(-1.5e300) },
        { "noSuchObject", SnmpValue.NoSuchObject },
        { "noSuchInstance", SnmpValue.NoSuchInstance },
        { "endOfMibView", SnmpValue.EndOfMibView },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void EveryType_SurvivesARoundTrip(string name, SnmpValue value)
    {
        _ = name;
        foreach (var encoding in new[] { BerEncoding.Canonical, new BerEncoding { NonMinimalIntegers = true, LongFormLengths = true, UnsignedWithoutLeadingZero = true } })
        {
            var message = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.Response, 42, [new VarBind(Sample, value)]));

            var decoded = SnmpCodec.Decode(SnmpCodec.Encode(message, encoding));

            Assert.Equal(value, Assert.Single(decoded.Pdu.VarBinds).Value);
            Assert.Equal(Sample, decoded.Pdu.VarBinds[0].Oid);
        }
    }

    [Fact]
    public void OpaqueFloat_ReadsBackAsItsNumber()
    {
        // As recorded from net-snmp's laLoadFloat: 9f 78 04 3e eb 85 1f.
        var value = SnmpValue.Opaque(Convert.FromHexString("9f78043eeb851f"));

        Assert.True(value.TryGetOpaqueFloat(out var number));
        Assert.Equal(0.46, number, 5);
        Assert.True(SnmpValue.OpaqueDouble(2.5).TryGetOpaqueFloat(out var d));
        Assert.Equal(2.5, d);
    }

    [Theory]
    [InlineData(SnmpPduType.GetRequest)]
    [InlineData(SnmpPduType.GetNextRequest)]
    [InlineData(SnmpPduType.SetRequest)]
    [InlineData(SnmpPduType.Response)]
    [InlineData(SnmpPduType.TrapV2)]
    [InlineData(SnmpPduType.InformRequest)]
    public void EveryPduType_SurvivesARoundTrip(SnmpPduType type)
    {
        var pdu = new SnmpPdu(type, -7, [VarBind.Request(Sample), new VarBind(Sample, SnmpValue.Integer(3))])
        {
            ErrorStatus = SnmpErrorStatus.NoSuchName,
            ErrorIndex = 2,
        };

        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V1, "private", pdu)));

        Assert.Equal(SnmpVersion.V1, decoded.Version);
        Assert.Equal("private", decoded.Community);
        Assert.Equal(type, decoded.Pdu.Type);
        Assert.Equal(-7, decoded.Pdu.RequestId);
        Assert.Equal(SnmpErrorStatus.NoSuchName, decoded.Pdu.ErrorStatus);
        Assert.Equal(2, decoded.Pdu.ErrorIndex);
        Assert.Equal(pdu.VarBinds, decoded.Pdu.VarBinds);
    }

    [Fact]
    public void GetBulk_CarriesNonRepeatersAndMaxRepetitions()
    {
        var pdu = new SnmpPdu(SnmpPduType.GetBulkRequest, 1, [VarBind.Request(Sample)]) { NonRepeaters = 1, MaxRepetitions = 25 };

        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public", pdu))).Pdu;

        Assert.Equal(1, decoded.NonRepeaters);
        Assert.Equal(25, decoded.MaxRepetitions);
    }

    [Fact]
    public void V1Trap_SurvivesARoundTrip()
    {
        var trap = new SnmpV1Trap(Oid.Parse("1.3.6.1.4.1.9"), IPAddress.Parse("10.1.2.3"), 2, 0, 123456);
        var pdu = new SnmpPdu(SnmpPduType.TrapV1, 0, [new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.1.3"), SnmpValue.Integer(3))]) { V1Trap = trap };

        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V1, "public", pdu))).Pdu;

        Assert.Equal(trap, decoded.V1Trap);
        Assert.Equal(pdu.VarBinds, decoded.VarBinds);
    }

    [Fact]
    public void EmptyVarBindList_Decodes()
    {
        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public",
            new SnmpPdu(SnmpPduType.Response, 5, []) { ErrorStatus = SnmpErrorStatus.TooBig })));

        Assert.Empty(decoded.Pdu.VarBinds);
        Assert.Equal(SnmpErrorStatus.TooBig, decoded.Pdu.ErrorStatus);
    }

    [Theory]
    [InlineData("0200", 0L)] // zero-length INTEGER
    [InlineData("020100", 0L)]
    [InlineData("02020005", 5L)] // non-minimal
    [InlineData("0204000000ff", 255L)]
    [InlineData("0203ffff80", -128L)] // non-minimal negative
    [InlineData("0209000000000000000001", 1L)] // nine bytes, redundant zeros
    public void Integer_IsReadLiberally(string valueHex, long expected)
    {
        Assert.Equal(expected, DecodeValue(valueHex).AsInt64());
    }

    [Theory]
    [InlineData("410500ffffffff", 4294967295UL)] // canonical
    [InlineData("4104ffffffff", 4294967295UL)] // high bit set, no leading zero: read as net-snmp does
    [InlineData("410480000000", 2147483648UL)]
    [InlineData("4101ff", 4294967295UL)] // a signed encoder's -1
    [InlineData("4100", 0UL)]
    [InlineData("4106000000000007", 7UL)]
    [InlineData("4305ffffffffff", 4294967295UL)] // TimeTicks sign-extended to five bytes
    [InlineData("46090000000000000000ff", 255UL)]
    [InlineData("4608ffffffffffffffff", ulong.MaxValue)]
    public void UnsignedTypes_AreReadLiberally(string valueHex, ulong expected)
    {
        Assert.Equal(expected, DecodeValue(valueHex).AsUInt64());
    }

    [Fact]
    public void LongFormLengths_AreAccepted()
    {
        // SEQUENCE, version, community and PDU all with non-minimal long-form lengths.
        var packet = Convert.FromHexString(
            "30820000" + "020101" + "048200067075626c6963" + "a2820000" + "020101" + "020100" + "020100" + "3081" + "00");
        var fixedUp = FixLengths(packet);

        var message = SnmpCodec.Decode(fixedUp);

        Assert.Equal("public", message.Community);
        Assert.Empty(message.Pdu.VarBinds);
    }

    [Fact]
    public void CanonicalEncoding_MatchesTheRfcExample()
    {
        var message = new SnmpMessage(SnmpVersion.V1, "public", new SnmpPdu(SnmpPduType.GetRequest, 1, [VarBind.Request(Oid.Parse("1.3.6.1.2.1.1.1.0"))]));

        Assert.Equal("302602010004067075626c6963a019020101020100020100300e300c06082b060102010101000500",
            Convert.ToHexStringLower(SnmpCodec.Encode(message)));
    }

    [Fact]
    public void QuirkyEncoding_IsWhatItClaims()
    {
        var message = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.Response, 1, [new VarBind(Sample, SnmpValue.Integer(5))]));

        var hex = Convert.ToHexStringLower(SnmpCodec.Encode(message, new BerEncoding { NonMinimalIntegers = true, LongFormLengths = true }));

        Assert.StartsWith("308200", hex);
        Assert.Contains("0282000200", hex); // 02 82 00 02 00 05: INTEGER 5 in two bytes with a long-form length
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("30", "truncated header")]
    [InlineData("3005020100", "length overrun")]
    [InlineData("3084ffffffff020100", "huge length")]
    [InlineData("3080020100040000", "indefinite length")]
    [InlineData("308900000000000000000100", "nine-byte length")]
    [InlineData("300c020103040670756262696361a0", "SNMPv3 or unknown version")]
    [InlineData("300902010104007f00", "unknown PDU tag")]
    [InlineData("3011020101040070a20a020101020100020100", "PDU without varbind list type")]
    public void MalformedInput_GivesSnmpDecodeExceptionOnly(string hex, string what)
    {
        _ = what;
        Assert.Throws<SnmpDecodeException>(() => SnmpCodec.Decode(Convert.FromHexString(hex)));
    }

    [Fact]
    public void SubIdentifierOver32Bits_IsRejected()
    {
        // 1.3.6.4294967296: the last arc needs 33 bits.
        Assert.Throws<SnmpDecodeException>(() => DecodeValue("06072b069080808000"));
        Assert.Throws<SnmpDecodeException>(() => DecodeValue("06032b0681")); // ends inside a sub-identifier
    }

    [Fact]
    public void IntegersOver64Bits_AreRejected()
    {
        Assert.Throws<SnmpDecodeException>(() => DecodeValue("0209010000000000000000"));
        Assert.Throws<SnmpDecodeException>(() => DecodeValue("41050100000000")); // Counter32 of 2^32 is not 32 bits
    }

    [Fact]
    public void DeepNesting_IsRejectedWithoutRecursion()
    {
        var depth = 10_000;
        var packet = new List<byte>();
        for (var i = 0; i < depth; i++)
        {
            packet.AddRange([0x30, 0x84, 0, 0, 0, 0]);
        }

        var bytes = FixLengths(packet.ToArray());

        Assert.Throws<SnmpDecodeException>(() => SnmpCodec.Decode(bytes));
    }

    [Fact]
    public void EveryTruncationAndCorruption_GivesSnmpDecodeExceptionOrAMessage()
    {
        var message = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.Response, 99,
            [.. Values.Select(row => new VarBind(Sample, (SnmpValue)row[1]))]));
        var packet = SnmpCodec.Encode(message);
        var random = new Random(1234);

        for (var length = 0; length < packet.Length; length++)
        {
            Assert.Throws<SnmpDecodeException>(() => SnmpCodec.Decode(packet.AsMemory(0, length)));
        }

        for (var round = 0; round < 20_000; round++)
        {
            var corrupt = (byte[])packet.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            try
            {
                SnmpCodec.Decode(corrupt);
            }
            catch (SnmpDecodeException)
            {
            }
        }
    }

    private static SnmpValue DecodeValue(string valueHex)
    {
        var oid = "06082b06010201010300";
        var binding = "30" + Length(oid.Length / 2 + valueHex.Length / 2) + oid + valueHex;
        var list = "30" + Length(binding.Length / 2) + binding;
        var pdu = "a2" + Length(9 + list.Length / 2) + "020101020100020100" + list;
        var body = "020101" + "04067075626c6963" + pdu;
        var packet = "30" + Length(body.Length / 2) + body;
        return Assert.Single(SnmpCodec.Decode(Convert.FromHexString(packet)).Pdu.VarBinds).Value;
    }

    private static string Length(int length) => length < 128 ? length.ToString("x2") : "82" + length.ToString("x4");

    /// <summary>Fills the 0x82/0x84 long-form length placeholders in <paramref name="packet"/> with the real lengths.</summary>
    private static byte[] FixLengths(byte[] packet)
    {
        Fix(packet, 0, packet.Length);
        return packet;

        static void Fix(byte[] data, int start, int end)
        {
            var position = start;
            while (position < end)
            {
                var tag = data[position++];
                var first = data[position++];
                var count = first > 0x80 ? first & 0x7f : 0;
                var contentStart = position + count;
                int length;
                if ((tag & 0x20) != 0 && count > 0)
                {
                    length = end - contentStart; // a placeholder: the element runs to the end of its parent
                    for (var i = 0; i < count; i++)
                    {
                        data[position + i] = (byte)(length >> (8 * (count - 1 - i)));
                    }

                    Fix(data, contentStart, contentStart + length);
                }
                else
                {
                    length = count == 0 ? first : ReadLength(data, position, count);
                }

                position = contentStart + length;
            }
        }

        static int ReadLength(byte[] data, int position, int count)
        {
            var length = 0;
            for (var i = 0; i < count; i++)
            {
                length = (length << 8) | data[position + i];
            }

            return length;
        }
    }
}
