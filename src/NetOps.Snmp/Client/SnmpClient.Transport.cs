using System.Net;
using System.Net.Sockets;

namespace NetOps.Snmp;

/// <summary>The client's sockets, one per address family, each with its receive loop.</summary>
public sealed partial class SnmpClient
{
    private Transport TransportFor(IPEndPoint endPoint)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            return _ipv4;
        }

        lock (_socketGate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _ipv6 ??= new Transport(this, AddressFamily.InterNetworkV6);
        }
    }

    /// <summary>One UDP socket and its receive loop.</summary>
    private sealed class Transport : IAsyncDisposable
    {
        private readonly UdpReceiveLoop _receiving;

        public Transport(SnmpClient client, AddressFamily family)
        {
            var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _receiving = UdpReceiveLoop.Start(socket, client.OnDatagram, client._logger, "SNMP client", ownThread: true);
        }

        public Socket Socket => _receiving.Socket;

        /// <summary>Sends one datagram. The socket stays blocking (no asynchronous call ever touches it), so this is one sendto(2).</summary>
        public void Send(ReadOnlySpan<byte> packet, IPEndPoint endPoint) => Socket.SendTo(packet, SocketFlags.None, endPoint);

        public void Send(SnmpMessage message, IPEndPoint endPoint)
        {
            var writer = RentWriter();
            try
            {
                SnmpCodec.Write(writer, message);
                Send(writer.Written, endPoint);
            }
            finally
            {
                ReturnWriter(writer);
            }
        }

        public ValueTask DisposeAsync() => _receiving.DisposeAsync();

        [ThreadStatic]
        private static BerWriter? _threadWriter;

        private static BerWriter RentWriter()
        {
            var writer = _threadWriter ?? new BerWriter(BerEncoding.Canonical);
            _threadWriter = null;
            writer.Reset();
            return writer;
        }

        private static void ReturnWriter(BerWriter writer) => _threadWriter = writer;
    }
}
