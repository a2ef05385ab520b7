using System.Net;
using NetOps.Testing.Fuzzing;

namespace NetOps.Snmp.Tests.Fuzzing;

/// <summary>
/// The fuzz target of v1/v2c notification parsing: what the trap receiver does with a datagram, minus the socket.
/// Seeds are real snmptrap/snmpinform datagrams (Seeds/Traps/README.md).
/// </summary>
internal static class TrapFuzzTargets
{
    private static readonly IPEndPoint Source = new(IPAddress.Loopback, 162);

    public static IReadOnlyList<byte[]> Seeds { get; } =
    [
        .. Directory.GetFiles(Path.Combine(SnmpFuzzTargets.SeedDirectory, "Traps"), "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes),
        .. Directory.GetFiles(SnmpFuzzTargets.SeedDirectory, "snmptrap-*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes),
    ];

    /// <summary>
    /// Decode as a notification (v1 translated per RFC 3584), format it as trap-listen prints it, and for an inform build
    /// the acknowledgement the receiver sends, which must decode back to the same request id and bindings.
    /// </summary>
    public static FuzzTarget Notifications { get; } = new("trap-notification", Execute, SnmpFuzzTargets.IsDecodeError);

    /// <summary>Notifications copy their octet strings out of the datagram, and formatting makes strings: proportional to the input.</summary>
    public static FuzzLimits Limits { get; } = new() { AllocationBase = 64 * 1024, AllocationPerInputByte = 256 };

    private static void Execute(byte[] input)
    {
        var notification = SnmpNotificationDecoder.Decode(input, Source);
        Check(notification.VarBinds.Count >= 2 && notification.VarBinds[0].Oid == SnmpNotification.SysUpTimeInstance &&
              notification.VarBinds[1].Value.AsOid() == notification.TrapOid, "a notification without sysUpTime.0 and snmpTrapOID.0 first");
        _ = NetOps.Cli.Snmp.TrapListenCommand.Format(notification);
        Check(!notification.ToString().Contains(notification.Community!, StringComparison.Ordinal) || notification.Community!.Length < 4,
            "the community shows in the notification's string form");
        if (notification.IsInform)
        {
            var ack = SnmpCodec.Encode(new SnmpMessage(notification.Version, notification.Community!,
                new SnmpPdu(SnmpPduType.Response, notification.RequestId, notification.VarBinds)));
            var back = SnmpCodec.Decode(ack).Pdu;
            Check(back.RequestId == notification.RequestId && back.VarBinds.SequenceEqual(notification.VarBinds),
                "the acknowledgement does not echo the inform");
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
