using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetOps.Testing;
using Xunit.Abstractions;
using static NetOps.Snmp.Tests.Traps.TrapTestSupport;

namespace NetOps.Snmp.Tests.Traps;

/// <summary>The burst test reads a machine-wide kernel counter: nothing else in this assembly runs beside it.</summary>
[CollectionDefinition(nameof(KernelCounterCollection), DisableParallelization = true)]
public sealed class KernelCounterCollection;

/// <summary>A burst of valid traps mixed with malformed datagrams, from one socket: every valid trap arrives, none is lost.</summary>
[Collection(nameof(KernelCounterCollection))]
public sealed class TrapBurstTests(ITestOutputHelper output)
{
    private const int Valid = 2000;
    private static readonly Oid Sequence = Oid.Parse("1.3.6.1.4.1.99999.1.0");

    [Fact]
    public async Task Burst_OfValidTrapsMixedWithMalformed_EveryValidTrapArrives_AndTheKernelDropsNothing()
    {
        await using var receiver = StartReceiver(new TrapReceiverOptions { Communities = ["public"] });
        var (packets, malformed) = Burst();
        // The in-flight window the granted buffer holds (a small datagram costs about 1 KiB of it on loopback):
        // with net.core.rmem_max at 4 MiB the whole burst is one window; with a small cap the test paces instead of failing.
        var window = Math.Max(64, receiver.ReceiveBufferBytes / 1536);
        var arrived = new HashSet<long>();
        var reading = Task.Run(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (arrived.Count < Valid)
            {
                var trap = await receiver.Notifications.ReadAsync(deadline.Token);
                arrived.Add(trap.Find(Sequence)!.Value.Value.AsInt64());
            }
        });
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(receiver.LocalEndPoint);
        var dropsBefore = UdpReceiveBufferErrors();

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < packets.Count; i++)
        {
            if (i - receiver.Handled >= window)
            {
                var sent = i;
                await Eventually.TrueAsync(() => sent - receiver.Handled < window / 2, TimeSpan.FromSeconds(10), "the receiver keeps up",
                    TimeSpan.FromMilliseconds(1));
            }

            sender.Send(packets[i]);
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;
        await Eventually.TrueAsync(() => receiver.Malformed == malformed, TimeSpan.FromSeconds(10), "every malformed datagram is counted");
        var dropsAfter = UdpReceiveBufferErrors();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Valid} traps + {malformed} malformed in {elapsed.TotalMilliseconds:0} ms ({packets.Count / elapsed.TotalSeconds:N0} datagrams/s " +
            $"end to end), window {window}, receive buffer {receiver.ReceiveBufferBytes} B, RcvbufErrors {dropsBefore} -> {dropsAfter}"));
        output.WriteLine(DecodeRate(packets));
        Assert.Equal(Valid, arrived.Count);
        Assert.Equal(Valid, receiver.Received);
        Assert.Equal(0, receiver.Dropped);
        Assert.Equal(dropsBefore, dropsAfter);
    }

    /// <summary>2,000 linkDown traps, each numbered, with a malformed datagram after each one of a few kinds.</summary>
    private static (List<byte[]> Packets, int Malformed) Burst()
    {
        var random = new Random(162);
        var packets = new List<byte[]>();
        var malformed = 0;
        for (var i = 0; i < Valid; i++)
        {
            var trap = V2cNotification(SnmpPduType.TrapV2, i, (uint)i, SnmpNotification.LinkDown,
                [.. LinkDownObjects, new VarBind(Sequence, SnmpValue.Integer(i))]);
            packets.Add(trap);
            byte[] bad = (i % 4) switch
            {
                0 => trap[..(trap.Length / 2)],                                  // truncated
                1 => [.. trap.AsSpan(0, 20), .. RandomBytes(random, 40)],          // garbage after a valid start
                2 => RandomBytes(random, 1 + random.Next(200)),                   // noise
                _ => SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public",  // a GetRequest: valid SNMP, no notification
                    new SnmpPdu(SnmpPduType.GetRequest, i, [VarBind.Request(SnmpNotification.SysUpTimeInstance)]))),
            };
            packets.Add(bad);
            malformed++;
        }

        return (packets, malformed);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        bytes[0] = 0x30; // looks like a message to the first check
        return bytes;
    }

    /// <summary>What the receive loop does per datagram, on this thread alone: decode, translate, copy out.</summary>
    private static string DecodeRate(List<byte[]> packets)
    {
        var source = new IPEndPoint(IPAddress.Loopback, 9);
        var decoded = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < packets.Count; i += 2)
            {
                decoded += SnmpNotificationDecoder.Decode(packets[i], source).VarBinds.Count > 0 ? 1 : 0;
            }
        }

        var valid = clock.Elapsed;
        clock.Restart();
        var rejected = 0;
        for (var i = 1; i < packets.Count; i += 2)
        {
            try
            {
                SnmpNotificationDecoder.Decode(packets[i], source);
            }
            catch (SnmpDecodeException)
            {
                rejected++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"one core: {decoded / valid.TotalSeconds:N0} valid traps/s decoded into notifications, {rejected / clock.Elapsed.TotalSeconds:N0} malformed/s rejected");
    }
}
