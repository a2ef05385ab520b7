using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// A device to talk to and how: version, community or SNMPv3 user, timeout per attempt, retries, and the get-bulk
/// max-repetitions to start from. Its string form never shows the community nor a pass phrase.
/// </summary>
public sealed record SnmpTarget(IPEndPoint EndPoint)
{
    /// <summary>The standard SNMP agent port.</summary>
    public const int DefaultPort = 161;

    public SnmpVersion Version { get; init; } = SnmpVersion.V2c;

    /// <summary>The community: a secret, never logged nor printed.</summary>
    public string Community { get; init; } = "public";

    /// <summary>The SNMPv3 user and context; required when <see cref="Version"/> is V3. Its pass phrases are secrets.</summary>
    public SnmpV3Security? V3 { get; init; }

    /// <summary>How long to wait for a response to one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts after the first one; each sends a new request id, and a late answer to any attempt is taken.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Get-bulk max-repetitions a walk starts from; the client lowers it per device when the device needs it.</summary>
    public int MaxRepetitions { get; init; } = 25;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("EndPoint = ").Append(EndPoint)
            .Append(", Version = ").Append(Version)
            .Append(", Community = ***");
        if (V3 is not null)
        {
            builder.Append(", V3 = ").Append(V3);
        }

        builder
            .Append(", Timeout = ").Append(Timeout)
            .Append(", Retries = ").Append(Retries)
            .Append(", MaxRepetitions = ").Append(MaxRepetitions);
        return true;
    }

    /// <summary>
    /// Parses an agent address the way net-snmp's tools take it: "host", "host:port", "udp:host:port",
    /// "udp6:[::1]:port", "[::1]:port". Host names are resolved, IPv4 preferred.
    /// </summary>
    public static async Task<IPEndPoint> ParseEndPointAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var rest = text.Trim();
        var transport = rest.IndexOf(':', StringComparison.Ordinal);
        if (transport > 0 && rest[..transport] is "udp" or "udp6" or "UDP" or "UDP6")
        {
            rest = rest[(transport + 1)..];
        }

        string host;
        var port = DefaultPort;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{text}' has an unclosed '['");
            }

            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.StartsWith(':'))
            {
                port = ParsePort(after[1..], text);
            }
        }
        else if (rest.Count(c => c == ':') == 1)
        {
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            host = rest[..colon];
            port = ParsePort(rest[(colon + 1)..], text);
        }
        else
        {
            host = rest; // a bare IPv6 address or a host without port
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"'{host}' has no address");
        return new IPEndPoint(chosen, port);
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"'{whole}' has no valid port");
}
