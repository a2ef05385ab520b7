using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace NetOps.Snmp.Tests.Support;

/// <summary>
/// A UDP relay on a free loopback port that forwards datagrams to an agent and its answers back to the one client,
/// keeping a copy of each: real packets to seed fuzzing with.
/// </summary>
internal sealed class UdpRecorder : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _agent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _forward;
    private readonly Task _backward;
    private IPEndPoint? _client;

    public UdpRecorder(IPEndPoint agent)
    {
        _agent = agent;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _forward = Task.Run(() => PumpAsync(_front, toAgent: true));
        _backward = Task.Run(() => PumpAsync(_back, toAgent: false));
    }

    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    /// <summary>Every datagram relayed, either way, in order of arrival.</summary>
    public ConcurrentQueue<byte[]> Packets { get; } = new();

    private async Task PumpAsync(Socket socket, bool toAgent)
    {
        var buffer = new byte[65535];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var packet = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            Packets.Enqueue(packet);
            if (toAgent)
            {
                _client = (IPEndPoint)received.RemoteEndPoint;
                await _back.SendToAsync(packet, SocketFlags.None, _agent);
            }
            else if (_client is { } client)
            {
                await _front.SendToAsync(packet, SocketFlags.None, client);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        _back.Dispose();
        await Task.WhenAll(_forward, _backward);
        _stop.Dispose();
    }
}
