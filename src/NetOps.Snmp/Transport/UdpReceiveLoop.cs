using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>Handles one received datagram; <paramref name="datagram"/> and <paramref name="source"/> are reused once it returns.</summary>
internal delegate ValueTask UdpDatagramHandler(ReadOnlyMemory<byte> datagram, SocketAddress source, CancellationToken cancellationToken);

/// <summary>
/// Owns a bound UDP socket and receives on it until disposed, handing each datagram to a handler, one at a time.
/// The client, the agent and the trap receiver each run one.
/// </summary>
/// <remarks>
/// Nothing a peer sends, and nothing a handler throws, ends the loop: every request in flight, every simulated device
/// and every trap depends on it. One pooled buffer and one socket address serve every receive, so receiving
/// allocates nothing per datagram; a handler that keeps the bytes copies them.
/// </remarks>
internal sealed class UdpReceiveLoop : IAsyncDisposable
{
    private const int MaxDatagram = 65535;

    private readonly UdpDatagramHandler _handler;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly IPEndPoint _localEndPoint;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _receiving;
    private int _disposed;

    private UdpReceiveLoop(Socket socket, UdpDatagramHandler handler, ILogger logger, string owner, bool ownThread)
    {
        Socket = socket;
        _handler = handler;
        _logger = logger;
        _owner = owner;
        _localEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        if (!ownThread)
        {
            _receiving = Task.Run(() => ReceiveAsync(ownThread: false));
            return;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiving = stopped.Task;
        new Thread(() => ReceiveOnThread(stopped)) { IsBackground = true, Name = owner }.Start();
    }

    [ThreadStatic]
    private static bool _onOwnThread;

    /// <summary>Whether the calling code runs on the thread of a loop started with <c>ownThread</c>.</summary>
    public static bool OnOwnThread => _onOwnThread;

    /// <summary>The socket, for sending; disposed with the loop.</summary>
    public Socket Socket { get; }

    /// <summary>Cancelled when the loop stops: handlers pass it on to what they start.</summary>
    public CancellationToken Stopping => _shutdown.Token;

    /// <summary>
    /// Starts receiving on <paramref name="socket"/>, which must be bound and is owned by the loop from now on.
    /// <paramref name="owner"/> names the receiver in log lines ("SNMP agent"). With <paramref name="ownThread"/> the loop
    /// blocks in the receive call on a thread of its own instead of waiting on the socket engine: a datagram then wakes
    /// that one thread rather than the engine's and a pool thread after it, which is what a busy client wants; a
    /// process with thousands of loops (a simulated fleet's agents) keeps them asynchronous.
    /// </summary>
    public static UdpReceiveLoop Start(Socket socket, UdpDatagramHandler handler, ILogger logger, string owner, bool ownThread = false)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return new UdpReceiveLoop(socket, handler, logger, owner, ownThread);
    }

    /// <summary>The end point a datagram came from; an IPv4-mapped IPv6 address is given as the IPv4 one.</summary>
    public static IPEndPoint ToEndPoint(SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var any = address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var endPoint = (IPEndPoint)new IPEndPoint(any, 0).Create(address);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    /// <summary>Stops receiving, waits for the datagram in hand to be handled, and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        Socket.Dispose();
        await _receiving.ConfigureAwait(false);
        _shutdown.Dispose();
    }

    /// <summary>
    /// The loop. On its own thread it blocks in the receive call (closing the socket wakes it) and waits for a handler
    /// that did not finish at once, so it never leaves that thread; otherwise it awaits both.
    /// </summary>
    private async Task ReceiveAsync(bool ownThread)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        var source = new SocketAddress(Socket.AddressFamily);
        var token = _shutdown.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = ownThread
                        ? Socket.ReceiveFrom(buffer.AsSpan(0, MaxDatagram), SocketFlags.None, source)
                        : await Socket.ReceiveFromAsync(buffer.AsMemory(0, MaxDatagram), SocketFlags.None, source, token).ConfigureAwait(false);
                }
                catch (Exception e) when (IsStop(e, token))
                {
                    return;
                }
                catch (SocketException e)
                {
                    OnReceiveFailed(e);
                    continue;
                }

                var handled = HandleAsync(buffer.AsMemory(0, length), source, token);
                var goOn = !ownThread ? await handled.ConfigureAwait(false)
                    : handled.IsCompleted ? handled.Result : handled.AsTask().GetAwaiter().GetResult();
                if (!goOn)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReceiveOnThread(TaskCompletionSource stopped)
    {
        _onOwnThread = true;
        try
        {
            // Runs to the end here: with ownThread nothing in the loop awaits anything unfinished.
            ReceiveAsync(ownThread: true).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing in the loop throws; should it ever, the loop ends with a line rather than taking the process down.
            _logger.LogError(e, "{Owner} on {EndPoint} stopped receiving", _owner, _localEndPoint);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    private static bool IsStop(Exception e, CancellationToken token) =>
        e is OperationCanceledException or ObjectDisposedException || (e is SocketException && token.IsCancellationRequested);

    private void OnReceiveFailed(SocketException e)
    {
        if (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
        {
            // ICMP port unreachable for an earlier send (Linux: refused, Windows: reset), or an oversized datagram:
            // nothing to do with the next one.
            _logger.LogDebug("{Owner} on {EndPoint}: receive failed ({SocketError})", _owner, _localEndPoint, e.SocketErrorCode);
            return;
        }

        _logger.LogWarning("{Owner} on {EndPoint}: receive failed ({SocketError}); receiving goes on", _owner, _localEndPoint, e.SocketErrorCode);
    }

    /// <summary>Hands one datagram to the handler; false when the loop is stopping.</summary>
    private async ValueTask<bool> HandleAsync(ReadOnlyMemory<byte> datagram, SocketAddress source, CancellationToken token)
    {
        try
        {
            await _handler(datagram, source, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && token.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException e)
        {
            _logger.LogWarning("{Owner} on {EndPoint} could not answer {Source} ({SocketError})",
                _owner, _localEndPoint, ToEndPoint(source), e.SocketErrorCode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One datagram must never stop the loop.
            _logger.LogError(e, "{Owner} on {EndPoint} failed on a datagram from {Source}", _owner, _localEndPoint, ToEndPoint(source));
        }

        return true;
    }
}
