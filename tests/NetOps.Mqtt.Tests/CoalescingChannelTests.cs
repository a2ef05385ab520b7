using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Implementations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>The byte stream under the ingest's MQTT connection: buffered reads, corked writes, over a real TCP socket.</summary>
public sealed class CoalescingChannelTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private CoalescingChannel _channel = null!;
    private Socket _server = null!;

    public async Task InitializeAsync()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build();
        _channel = new CoalescingChannel(new MqttTcpChannel(options));
        var accepted = _listener.AcceptSocketAsync();
        await _channel.ConnectAsync(CancellationToken.None);
        _server = await accepted;
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        _server.Dispose();
        _listener.Stop();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Reads_ServeSmallReadsFromOneReceive_InOrder_AndLargeOnesAsAsked()
    {
        var sent = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        await _server.SendAsync(sent);

        var received = new List<byte>();
        var buffer = new byte[7];
        while (received.Count < sent.Length)
        {
            var read = await _channel.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None);
            Assert.InRange(read, 1, buffer.Length);
            received.AddRange(buffer.Take(read));
        }

        Assert.Equal(sent, received);

        // A read as large as the buffer goes to the socket directly, and still gets every byte.
        var large = Enumerable.Range(0, CoalescingChannel.ReadBufferSize).Select(i => (byte)(i * 7)).ToArray();
        await _server.SendAsync(large);
        var into = new byte[CoalescingChannel.ReadBufferSize];
        var total = 0;
        while (total < into.Length)
        {
            total += await _channel.ReadAsync(into, total, into.Length - total, CancellationToken.None);
        }

        Assert.Equal(large, into);
    }

    [Fact]
    public async Task CorkedWrites_GoOutInOneSend_BeforeTheNextUncorkedOne()
    {
        _channel.Cork();
        await _channel.WriteAsync(Bytes(0x40, 0x02, 0x00, 0x01), true, CancellationToken.None);
        await _channel.WriteAsync(Bytes(0x40, 0x02, 0x00, 0x02), true, CancellationToken.None);
        Assert.Equal(0, _channel.Sends);

        await _channel.UncorkAsync(CancellationToken.None);
        Assert.Equal(1, _channel.Sends);

        await _channel.WriteAsync(Bytes(0xC0, 0x00), true, CancellationToken.None);
        Assert.Equal(2, _channel.Sends);
        Assert.Equal(10, _channel.BytesWritten);

        var received = await ReceiveAsync(10);
        Assert.Equal([0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0xC0, 0x00], received);
    }

    [Fact]
    public async Task CorkedWrites_PartsOfAPacketIncluded_GoOutInOrderBeforeTheConnectionCloses()
    {
        // A packet MQTTnet writes in parts while the channel is corked (a dead letter, a ping) collects with the
        // acknowledgements; closing the connection sends what was collected first.
        _channel.Cork();
        await _channel.WriteAsync(Bytes(1, 2), true, CancellationToken.None);
        await _channel.WriteAsync(Bytes(3, 4), false, CancellationToken.None);
        await _channel.WriteAsync(Bytes(5), true, CancellationToken.None);
        await _channel.DisconnectAsync(CancellationToken.None);

        Assert.Equal([1, 2, 3, 4, 5], await ReceiveAsync(5));
    }

    private static ReadOnlySequence<byte> Bytes(params byte[] bytes) => new(bytes);

    private async Task<byte[]> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        var total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (total < count)
        {
            var read = await _server.ReceiveAsync(buffer.AsMemory(total), timeout.Token);
            Assert.True(read > 0, $"connection closed after {total} of {count} bytes");
            total += read;
        }

        return buffer;
    }
}
