using BenchmarkDotNet.Attributes;
using NetOps.Snmp;

namespace NetOps.Benchmarks;

/// <summary>
/// Decode and encode throughput of the BER codec, per variable binding: a get-bulk response of 50 interface-table
/// cells (names, Counter32, Counter64, INTEGER status, Gauge32 speed), as a poll receives them. Each operation is one
/// binding (OperationsPerInvoke), so 1e9 / Mean is bindings per second on one core, and Allocated is per binding.
/// Run: dotnet run -c Release --project tests/NetOps.Benchmarks -- --filter '*SnmpCodec*'
/// </summary>
[MemoryDiagnoser]
public class SnmpCodecBenchmarks
{
    private const int Bindings = 50;

    private SnmpMessage _message = null!;
    private byte[] _packet = [];

    [GlobalSetup]
    public void Setup()
    {
        var bindings = new VarBind[Bindings];
        for (var i = 0; i < Bindings; i++)
        {
            var row = (uint)(10101 + (i / 5));
            bindings[i] = (i % 5) switch
            {
                0 => new VarBind(Oid.Parse($"1.3.6.1.2.1.31.1.1.1.1.{row}"), SnmpValue.OctetString($"Gi1/0/{row - 10100}")),
                1 => new VarBind(Oid.Parse($"1.3.6.1.2.1.31.1.1.1.6.{row}"), SnmpValue.Counter64(0x1_2345_6789_ABCDUL * row)),
                2 => new VarBind(Oid.Parse($"1.3.6.1.2.1.2.2.1.10.{row}"), SnmpValue.Counter32(3_000_000_000u + row)),
                3 => new VarBind(Oid.Parse($"1.3.6.1.2.1.2.2.1.8.{row}"), SnmpValue.Integer(1)),
                _ => new VarBind(Oid.Parse($"1.3.6.1.2.1.2.2.1.5.{row}"), SnmpValue.Gauge32(1_000_000_000)),
            };
        }

        _message = new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.Response, 1234567, bindings));
        _packet = SnmpCodec.Encode(_message);
    }

    [Benchmark(OperationsPerInvoke = Bindings)]
    public int Decode() => SnmpCodec.Decode(_packet).Pdu.VarBinds.Count;

    [Benchmark(OperationsPerInvoke = Bindings)]
    public int Encode() => SnmpCodec.Encode(_message).Length;
}
