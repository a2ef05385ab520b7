using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetOps.Testing;

namespace NetOps.Snmp.Tests.Transport;

/// <summary>The one receive loop under the client, the agent and the trap receiver, on real loopback sockets.</summary>
public sealed class UdpReceiveLoopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AHandlerThatThrowsOnAMalformedDatagram_DoesNotStopTheLoop(bool ownThread)
    {
        var log = new CapturingLogger<UdpReceiveLoop>();
        var handled = Channel.CreateUnbounded<byte[]>();
        await using var loop = UdpReceiveLoop.Start(BoundSocket(), (datagram, _, _) =>
        {
            // What a handler does with garbage: the decoder throws, here or deeper.
            _ = SnmpCodec.Decode(datagram.ToArray());
            handled.Writer.TryWrite(datagram.ToArray());
            return ValueTask.CompletedTask;
        }, log, "Test receiver", ownThread);
        using var sender = BoundSocket();

        await sender.SendToAsync(new byte[] { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff }, loop.Socket.LocalEndPoint!);
        var valid = SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public", new SnmpPdu(SnmpPduType.GetRequest, 7, [])));
        await sender.SendToAsync(valid, loop.Socket.LocalEndPoint!);

        using var timeout = new CancellationTokenSource(Deadline);
        Assert.Equal(valid, await handled.Reader.ReadAsync(timeout.Token));
        var error = Assert.Single(log.Errors).Message;
        Assert.StartsWith("Test receiver on 127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Contains($"failed on a datagram from {sender.LocalEndPoint}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EachDatagram_ComesWithItsSender_AndAnAnswerReachesIt(bool ownThread)
    {
        var log = new CapturingLogger<UdpReceiveLoop>();
        UdpReceiveLoop? loop = null;
        loop = UdpReceiveLoop.Start(BoundSocket(), async (datagram, source, token) =>
        {
            var answer = datagram.ToArray();
            Array.Reverse(answer);
            await loop!.Socket.SendToAsync(answer, SocketFlags.None, source, token);
        }, log, "Test receiver", ownThread);
        await using var _ = loop;
        using var sender = BoundSocket();

        var buffer = new byte[16];
        for (var i = 0; i < 3; i++)
        {
            await sender.SendToAsync(new byte[] { 1, 2, (byte)i }, loop.Socket.LocalEndPoint!);
            using var timeout = new CancellationTokenSource(Deadline);
            var length = await sender.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.Equal(new byte[] { (byte)i, 2, 1 }, buffer[..length]);
        }

        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnIcmpPortUnreachable_ForAnEarlierSend_DoesNotStopTheLoop(bool ownThread)
    {
        var log = new CapturingLogger<UdpReceiveLoop>();
        var handled = Channel.CreateUnbounded<byte[]>();
        await using var loop = UdpReceiveLoop.Start(BoundSocket(), (datagram, _, _) =>
        {
            handled.Writer.TryWrite(datagram.ToArray());
            return ValueTask.CompletedTask;
        }, log, "Test receiver", ownThread);
        IPEndPoint closed;
        using (var probe = BoundSocket())
        {
            closed = (IPEndPoint)probe.LocalEndPoint!; // a port nobody listens on once the probe is closed
        }

        await loop.Socket.SendToAsync(new byte[] { 1 }, closed);
        using var sender = BoundSocket();
        await sender.SendToAsync(new byte[] { 42 }, loop.Socket.LocalEndPoint!);

        using var timeout = new CancellationTokenSource(Deadline);
        Assert.Equal(new byte[] { 42 }, await handled.Reader.ReadAsync(timeout.Token));
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_CancelsTheHandlerInHand_StopsReceiving_AndClosesTheSocket(bool ownThread)
    {
        var log = new CapturingLogger<UdpReceiveLoop>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerSawCancellation = false;
        var loop = UdpReceiveLoop.Start(BoundSocket(), async (_, _, token) =>
        {
            entered.TrySetResult();
            try
            {
                // Holds the datagram until the loop's token is cancelled: the signal this test is about.
                var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (token.Register(() => cancelled.TrySetCanceled(token)))
                {
                    await cancelled.Task;
                }
            }
            catch (OperationCanceledException)
            {
                handlerSawCancellation = true;
                throw;
            }
        }, log, "Test receiver", ownThread);
        var stopping = loop.Stopping;
        using var sender = BoundSocket();
        await sender.SendToAsync(new byte[] { 1 }, loop.Socket.LocalEndPoint!);
        await entered.Task.WaitAsync(Deadline);

        await loop.DisposeAsync().AsTask().WaitAsync(Deadline);

        Assert.True(stopping.IsCancellationRequested);
        Assert.True(handlerSawCancellation);
        Assert.Throws<ObjectDisposedException>(() => loop.Socket.Available);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
        await loop.DisposeAsync(); // twice is harmless
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_AnIdleLoop_EndsItPromptly(bool ownThread)
    {
        var log = new CapturingLogger<UdpReceiveLoop>();
        var loop = UdpReceiveLoop.Start(BoundSocket(), (_, _, _) => ValueTask.CompletedTask, log, "Test receiver", ownThread);

        await loop.DisposeAsync().AsTask().WaitAsync(Deadline);

        Assert.Empty(log.Entries);
    }

    [Fact]
    public void ASourceInIPv4MappedForm_IsGivenAsTheIPv4EndPoint()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.7"), 161).Serialize();

        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 161), UdpReceiveLoop.ToEndPoint(mapped));
    }

    private static Socket BoundSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
