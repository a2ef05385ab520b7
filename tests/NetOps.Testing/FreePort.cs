using System.Net;
using System.Net.Sockets;

namespace NetOps.Testing;

/// <summary>Free loopback ports for servers a test starts.</summary>
public static class FreePort
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <summary>A TCP port on 127.0.0.1 nobody listens on, never handed out twice in this process.</summary>
    public static int Tcp() => Pick(() =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    });

    /// <summary>A UDP port on 127.0.0.1 nobody is bound to, never handed out twice in this process.</summary>
    public static int Udp() => Pick(() =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    });

    /// <summary>A port free for both TCP and UDP on 127.0.0.1.</summary>
    public static int TcpAndUdp() => Pick(() =>
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no port free for both TCP and UDP on 127.0.0.1");
    });

    private static int Pick(Func<int> probe)
    {
        lock (Gate)
        {
            while (true)
            {
                var port = probe();
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
