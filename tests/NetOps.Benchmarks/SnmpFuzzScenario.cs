using System.Globalization;
using System.Text;
using NetOps.Snmp;
using NetOps.Testing;
using NetOps.Testing.Fuzzing;

namespace NetOps.Benchmarks;

/// <summary>
/// The long fuzzing campaign of the SNMP engine: at least ten million mutated inputs per target (the CI tests run a
/// fast subset), seeded with the real packets in tests/NetOps.Snmp.Tests/Fuzzing/Seeds. The targets are those of
/// tests/NetOps.Snmp.Tests/Fuzzing/SnmpFuzzTargets.cs (kept alike: the benchmark cannot reference a test project).
/// Exit code 1 when any input broke a rule; each finding names its input, shrunk, in hexadecimal.
/// </summary>
public sealed class SnmpFuzzScenario : IBenchScenario
{
    public string Name => "snmp-fuzz";

    public string Description => "fuzz the BER/PDU decoder and OIDs: >= 10M inputs per target, only SnmpDecodeException escapes";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var executions = Arg(args, "--executions", 10_000_000L);
        var seed = (int)Arg(args, "--seed", 20240601L);
        var threads = (int)Arg(args, "--threads", Environment.ProcessorCount);
        var only = args.SkipWhile(a => a != "--target").Skip(1).FirstOrDefault();

        var seedDirectory = Path.Combine(RepoPaths.Root, "tests", "NetOps.Snmp.Tests", "Fuzzing", "Seeds");
        var packets = Directory.GetFiles(seedDirectory, "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var oids = ExtractOids(packets);
        var targets = new (FuzzTarget Target, IReadOnlyList<byte[]> Seeds, bool Structured, FuzzLimits Limits)[]
        {
            (new FuzzTarget("ber-pdu", input => SnmpCodec.Decode(input), IsDecodeError), packets, true,
                new FuzzLimits { AllocationBase = 32 * 1024, AllocationPerInputByte = 24 }),
            (new FuzzTarget("ber-pdu-roundtrip", DecodePacket, IsDecodeError), packets, true,
                new FuzzLimits { AllocationBase = 64 * 1024, AllocationPerInputByte = 256 }),
            (new FuzzTarget("oid", DecodeOid, IsDecodeError), oids, false, new FuzzLimits()),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"snmp-fuzz: {executions:N0} executions per target on {threads} threads, seed {seed}, {packets.Count} packet seeds, {oids.Count} OID seeds"));
        var failed = false;
        foreach (var (target, seeds, structured, limits) in targets.Where(t => only is null || t.Target.Name == only))
        {
            // One runner per thread, each with its own seed: allocation is measured per thread.
            var reports = Enumerable.Range(0, threads)
                .Select(t => Task.Run(() => FuzzRunner.Run(target, new BerMutator(seeds, seed + t, structured).Next, seed + t,
                    executions / threads + (t < executions % threads ? 1 : 0), limits, cancellationToken), cancellationToken))
                .ToArray();
            Task.WaitAll(reports, cancellationToken);
            var total = reports.Sum(r => r.Result.Executions);
            var seconds = reports.Max(r => r.Result.Elapsed.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name,-18} {total,12:N0} executions in {seconds,6:0.0} s ({total / seconds,9:N0}/s), accepted {reports.Sum(r => r.Result.Accepted):N0}, " +
                $"slowest input {reports.Max(r => r.Result.SlowestInput.TotalMilliseconds):0.0} ms, most allocated {reports.Max(r => r.Result.MostAllocated):N0} B, " +
                $"findings {reports.Sum(r => r.Result.Findings.Count)}"));
            foreach (var report in reports.Select(r => r.Result).Where(r => r.Findings.Count > 0))
            {
                failed = true;
                Console.WriteLine(report);
            }
        }

        return Task.FromResult(failed ? 1 : 0);
    }

    private static bool IsDecodeError(Exception e) => e is SnmpDecodeException { InnerException: null };

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
        try
        {
            var binding = SnmpCodec.Decode(GetRequestWithOid(input)).Pdu.VarBinds[0];
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

    private static byte[] GetRequestWithOid(ReadOnlySpan<byte> oidContent)
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

    private static long Arg(string[] args, string name, long fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? long.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
