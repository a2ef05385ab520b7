using System.Text;
using NetOps.Snmp;

namespace NetOps.Testing.Fuzzing;

/// <summary>
/// The fuzz targets of the SNMP engine and their seeds: real packets captured from net-snmp's tools talking to
/// snmpd and to our agent (tests/NetOps.Snmp.Tests/Fuzzing/Seeds/README.md). The CI tests run a fast subset,
/// tests/NetOps.Benchmarks/SnmpFuzzScenario.cs ten million executions of each.
/// </summary>
public static class SnmpFuzzTargets
{
    public static string SeedDirectory => Path.Combine(RepoPaths.Root, "tests", "NetOps.Snmp.Tests", "Fuzzing", "Seeds");

    /// <summary>The captured packets.</summary>
    public static IReadOnlyList<byte[]> PacketSeeds { get; } =
        [.. Directory.GetFiles(SeedDirectory, "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    /// <summary>The OID contents found in the captured packets (names and values).</summary>
    public static IReadOnlyList<byte[]> OidSeeds { get; } = ExtractOids(PacketSeeds);

    /// <summary>Only a typed decode error may escape, and only one raised by the reader itself, not the net under it.</summary>
    public static bool IsDecodeError(Exception e) => e is SnmpDecodeException { InnerException: null };

    /// <summary>The BER/PDU decoder alone, so that its allocation is measured alone.</summary>
    public static FuzzTarget Decoder { get; } = new("ber-pdu", input => SnmpCodec.Decode(input), IsDecodeError);

    /// <summary>
    /// The decoder and what is done with its output: what decodes must format as net-snmp would print it (the CLI
    /// does that with any answer) and survive encode-then-decode unchanged.
    /// </summary>
    public static FuzzTarget DecoderRoundTrip { get; } = new("ber-pdu-roundtrip", DecodePacket, IsDecodeError);

    /// <summary>Decoding keeps octet strings as slices of the packet: allocation is a few objects per binding.</summary>
    public static FuzzLimits DecoderLimits { get; } = new() { AllocationBase = 32 * 1024, AllocationPerInputByte = 24 };

    /// <summary>Formatting makes strings of every value: more per byte, still proportional to the input.</summary>
    public static FuzzLimits RoundTripLimits { get; } = new() { AllocationBase = 64 * 1024, AllocationPerInputByte = 256 };

    /// <summary>
    /// Object identifiers: the input is the content of an OID, as a variable's name and as its value; what
    /// decodes must print and parse back to itself. The input read as dotted text must parse or be refused.
    /// </summary>
    public static FuzzTarget Oids { get; } = new("oid", DecodeOid, IsDecodeError);

    private static void DecodePacket(byte[] input)
    {
        var message = SnmpCodec.Decode(input);
        foreach (var binding in message.Pdu.VarBinds)
        {
            _ = NetSnmpFormat.Format(binding);
        }

        var again = SnmpCodec.Decode(SnmpCodec.Encode(message));
        Check(again.Version == message.Version && again.Community == message.Community && again.Pdu.Type == message.Pdu.Type &&
              again.Pdu.RequestId == message.Pdu.RequestId && again.Pdu.ErrorStatus == message.Pdu.ErrorStatus &&
              again.Pdu.ErrorIndex == message.Pdu.ErrorIndex && again.Pdu.V1Trap == message.Pdu.V1Trap &&
              again.Pdu.VarBinds.SequenceEqual(message.Pdu.VarBinds), "encode then decode changed the message");
    }

    private static void DecodeOid(byte[] input)
    {
        var packet = GetRequestWithOid(input);
        try
        {
            var binding = SnmpCodec.Decode(packet).Pdu.VarBinds[0];
            var name = binding.Oid;
            Check(binding.Value.AsOid() == name, "the same content decoded to two identifiers");
            var text = name.ToString();
            Check(name.IsEmpty ? text.Length == 0 : Oid.Parse(text) == name, $"'{text}' does not parse back");
            var reencoded = SnmpCodec.Decode(SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public",
                new SnmpPdu(SnmpPduType.Response, 1, [new VarBind(name, SnmpValue.ObjectIdentifier(name))])))).Pdu.VarBinds[0];
            Check(reencoded.Oid == name && reencoded.Value.AsOid() == name, "encode then decode changed the identifier");
            _ = name.CompareTo(Oid.Parse("1.3.6.1")) + name.GetHashCode();
        }
        finally
        {
            // Text: digits and dots mostly, with what parsers trip on (signs, spaces, other scripts' digits, NUL).
            var text = new StringBuilder(input.Length);
            foreach (var b in input)
            {
                text.Append(b < 0xe0 ? "0123456789.."[b % 12] : " +-\0x\u0663\uff11.9"[b % 9]);
            }

            if (Oid.TryParse(text.ToString(), out var parsed))
            {
                Check(Oid.Parse(parsed.ToString()) == parsed, $"'{text}' parsed to {parsed}, which does not parse back");
                EncodesExactlyOrNotAtAll(parsed);
            }
        }
    }

    /// <summary>A v2c GetRequest whose one binding has <paramref name="oidContent"/> as name and as OID value.</summary>
    public static byte[] GetRequestWithOid(ReadOnlySpan<byte> oidContent)
    {
        byte[] oid = [0x06, .. Length(oidContent.Length), .. oidContent];
        byte[] binding = [0x30, .. Length(oid.Length * 2), .. oid, .. oid];
        byte[] list = [0x30, .. Length(binding.Length), .. binding];
        byte[] pdu = [0xa0, .. Length(9 + list.Length), 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, .. list];
        byte[] body = [0x02, 0x01, 0x01, 0x04, 0x06, .. "public"u8, .. pdu];
        return [0x30, .. Length(body.Length), .. body];

        static byte[] Length(int length) =>
            length < 0x80 ? [(byte)length] : [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    }

    /// <summary>What a user typed must reach the agent as typed: an identifier BER cannot carry is refused, never altered.</summary>
    private static void EncodesExactlyOrNotAtAll(Oid oid)
    {
        byte[] packet;
        try
        {
            packet = SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.GetRequest, 1, [VarBind.Request(oid)])));
        }
        catch (ArgumentException)
        {
            return;
        }

        var sent = SnmpCodec.Decode(packet).Pdu.VarBinds[0].Oid;
        Check(sent == (oid.Length == 1 ? oid.Append(0) : oid), $"{oid} was sent as {sent}");
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }

    private static List<byte[]> ExtractOids(IReadOnlyList<byte[]> packets)
    {
        var oids = new List<byte[]>();
        foreach (var packet in packets)
        {
            // Every 06 LL tag-length pair whose content stays inside the packet: good enough for seeds.
            for (var i = 0; i + 2 < packet.Length; i++)
            {
                if (packet[i] == 0x06 && packet[i + 1] < 0x80 && i + 2 + packet[i + 1] <= packet.Length)
                {
                    oids.Add(packet.AsSpan(i + 2, packet[i + 1]).ToArray());
                }
            }
        }

        return [.. oids.DistinctBy(Convert.ToHexString)];
    }
}
