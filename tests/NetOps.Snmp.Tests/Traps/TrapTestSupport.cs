using System.Net;
using System.Text;
using NetOps.Testing;

namespace NetOps.Snmp.Tests.Traps;

/// <summary>What the trap tests share: a linkDown with its IF-MIB objects, and net-snmp's arguments to send it.</summary>
internal static class TrapTestSupport
{
    public const string LinkDown = ".1.3.6.1.6.3.1.1.5.3";

    public static readonly VarBind[] LinkDownObjects =
    [
        new(Oid.Parse("1.3.6.1.2.1.2.2.1.1.2"), SnmpValue.Integer(2)), // ifIndex
        new(Oid.Parse("1.3.6.1.2.1.2.2.1.7.2"), SnmpValue.Integer(1)), // ifAdminStatus up
        new(Oid.Parse("1.3.6.1.2.1.2.2.1.8.2"), SnmpValue.Integer(2)), // ifOperStatus down
    ];

    /// <summary>The linkDown objects as snmptrap's OID TYPE VALUE triples.</summary>
    public static readonly string[] LinkDownArguments =
        [".1.3.6.1.2.1.2.2.1.1.2", "i", "2", ".1.3.6.1.2.1.2.2.1.7.2", "i", "1", ".1.3.6.1.2.1.2.2.1.8.2", "i", "2"];

    /// <summary>A receiver on a free loopback port.</summary>
    public static TrapReceiver StartReceiver(TrapReceiverOptions? options = null) =>
        TrapReceiver.Start((options ?? new TrapReceiverOptions()) with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

    public static string Address(TrapReceiver receiver) => $"udp:127.0.0.1:{receiver.LocalEndPoint.Port}";

    /// <summary>net-snmp arguments that make a tool send from 127.0.0.1:<paramref name="port"/>, so that the source can be checked.</summary>
    public static string[] From(int port) => [$"--clientaddr=127.0.0.1:{port}", "--clientaddrUsesPort=yes"];

    /// <summary>The next notification, or a timeout that names what the receiver counted meanwhile.</summary>
    public static async Task<SnmpNotification> NextAsync(TrapReceiver receiver, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await receiver.Notifications.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification: received {receiver.Received}, malformed {receiver.Malformed}, " +
                                       $"unknown source {receiver.UnknownSource}, dropped {receiver.Dropped}");
        }
    }

    /// <summary>A v2c trap (or inform) with sysUpTime.0, snmpTrapOID.0 and <paramref name="objects"/>, encoded by our codec.</summary>
    public static byte[] V2cNotification(SnmpPduType type, int requestId, uint upTime, Oid trapOid, IEnumerable<VarBind> objects,
        string community = "public") =>
        SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, community, new SnmpPdu(type, requestId,
        [
            new VarBind(SnmpNotification.SysUpTimeInstance, SnmpValue.TimeTicks(upTime)),
            new VarBind(SnmpNotification.SnmpTrapOidInstance, SnmpValue.ObjectIdentifier(trapOid)),
            .. objects,
        ])));

    /// <summary>UDP's RcvbufErrors from /proc/net/snmp: datagrams the kernel dropped because a socket's buffer was full.</summary>
    public static long UdpReceiveBufferErrors()
    {
        var lines = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp:", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(values[Array.IndexOf(names, "RcvbufErrors")], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);

    public static string Lines(IEnumerable<VarBind> bindings) =>
        bindings.Aggregate(new StringBuilder(), (text, b) => text.AppendLine(NetSnmpFormat.Format(b))).ToString();

    public static int FreeUdpPort() => FreePort.Udp();
}
