using System.Net;
using System.Net.NetworkInformation;

namespace NetOps.Collector;

/// <summary>
/// One ICMP echo to an address. On Linux .NET's <see cref="Ping"/> uses a raw socket when the process may
/// (root or CAP_NET_RAW), an unprivileged ICMP datagram socket when net.ipv4.ping_group_range admits the process's
/// group, and otherwise runs the system's ping binary; see docs/endpoints.md for what a deployment needs.
/// </summary>
public sealed class IcmpProber
{
    /// <summary>
    /// Echoes once. Returns the round trip in milliseconds when answered, a failed result when not answered within
    /// <paramref name="timeout"/>, and null when this host cannot send ICMP at all (no permission, no ping binary):
    /// that says nothing about the endpoint.
    /// </summary>
    public async Task<IcmpResult?> ProbeAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var ping = new Ping();
        try
        {
            var reply = await ping.SendPingAsync(address, timeout, buffer: null, options: null, cancellationToken).ConfigureAwait(false);
            return reply.Status == IPStatus.Success ? new IcmpResult(true, reply.RoundtripTime, null) : new IcmpResult(false, null, reply.Status.ToString());
        }
        catch (PingException)
        {
            return null;
        }
    }
}

/// <summary>What one echo got: answered with its round trip, or the status it failed with.</summary>
public sealed record IcmpResult(bool Reachable, double? RoundTripMs, string? Status);
