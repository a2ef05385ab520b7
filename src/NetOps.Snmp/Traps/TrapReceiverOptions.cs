using System.Net;

namespace NetOps.Snmp;

/// <summary>Settings of one <see cref="TrapReceiver"/>.</summary>
public sealed record TrapReceiverOptions
{
    /// <summary>
    /// Where to listen. Port 162 is privileged: give the process CAP_NET_BIND_SERVICE
    /// (<c>setcap cap_net_bind_service=+ep</c>, or <c>AmbientCapabilities=CAP_NET_BIND_SERVICE</c> in a systemd unit), or
    /// listen on an unprivileged port and redirect 162 to it
    /// (<c>nft add rule ip nat prerouting udp dport 162 redirect to :10162</c>; iptables: <c>-t nat -A PREROUTING -p udp
    /// --dport 162 -j REDIRECT --to-ports 10162</c>). A redirect keeps the sender's address, which device resolution needs.
    /// </summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Any, 162);

    /// <summary>
    /// Accepted v1/v2c communities; empty accepts any (a field engineer's listener). A datagram with another community
    /// counts as netops.traps.unknown_source (reason "community") and is not acknowledged.
    /// </summary>
    public IReadOnlyList<string> Communities { get; init; } = [];

    /// <summary>Where the receiver counts on the "NetOps" meter; null counts in the receiver's properties only.</summary>
    public TrapMetrics? Metrics { get; init; }

    /// <summary>
    /// v3 users. A trap is authenticated with the user's keys localised to the sender's engine id: set
    /// <see cref="SnmpV3Security.EngineId"/> to accept that user's traps from that engine only (net-snmp's
    /// <c>createUser -e</c>), or leave it null to accept any engine. Informs use our <see cref="EngineId"/>.
    /// </summary>
    public IReadOnlyList<SnmpV3Security> Users { get; init; } = [];

    /// <summary>Our snmpEngineID, authoritative for informs; null makes a random one in net-snmp's layout.</summary>
    public IReadOnlyList<byte>? EngineId { get; init; }

    /// <summary>snmpEngineBoots for informs.</summary>
    public int EngineBoots { get; init; } = 1;

    /// <summary>
    /// SO_RCVBUF asked for, so that a burst (a ring of switches rebooting) waits in the kernel rather than being lost.
    /// Linux caps it at <c>net.core.rmem_max</c> (often 208 KiB: raise it with <c>sysctl -w net.core.rmem_max=4194304</c>)
    /// and doubles it for its bookkeeping; <see cref="TrapReceiver.ReceiveBufferBytes"/> tells what was granted.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Notifications waiting for the reader; when full, new ones are dropped, counted (netops.traps.dropped) and informs not acknowledged.</summary>
    public int Capacity { get; init; } = 10_000;
}
