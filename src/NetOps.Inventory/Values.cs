using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace NetOps.Inventory;

/// <summary>Ids are slugs: stable in URLs, MQTT topics, metric tags and file names.</summary>
internal static partial class Slug
{
    public const string Rule = "lowercase a-z, 0-9 and '-', not starting or ending with '-', at most 63 characters";

    public static bool IsValid(string text) => text.Length <= 63 && Pattern().IsMatch(text);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Parses the scalar forms the inventory accepts: times, durations, addresses, MACs.</summary>
internal static partial class Values
{
    /// <summary>
    /// An ISO-8601 instant with an explicit offset (converted to UTC), or <c>now</c>, <c>now-2h</c>,
    /// <c>now+3d</c>, <c>now-1d+6h</c> resolved against <paramref name="now"/>.
    /// </summary>
    public static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset value, out string problem)
    {
        problem = "";
        var trimmed = text.Trim();
        if (trimmed.StartsWith("now", StringComparison.Ordinal))
        {
            var match = RelativeTime().Match(trimmed);
            if (!match.Success)
            {
                value = default;
                problem = $"'{text}' is not a relative time (write now, now-2h, now+3d; units s, m, h, d, w)";
                return false;
            }

            value = now;
            foreach (Capture capture in match.Groups["term"].Captures)
            {
                var term = TimeTerm().Match(capture.Value);
                var amount = Unit(long.Parse(term.Groups["n"].Value, CultureInfo.InvariantCulture), term.Groups["unit"].Value);
                value = term.Groups["sign"].Value == "-" ? value - amount : value + amount;
            }

            return true;
        }

        // An instant without an offset means a different thing on every host: refuse it.
        if (!AbsoluteTime().IsMatch(trimmed) ||
            !DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value))
        {
            value = default;
            problem = $"'{text}' is not a time (ISO-8601 with offset such as 2026-08-21T16:00:00Z, or now, now-2h, now+3d)";
            return false;
        }

        value = value.ToUniversalTime();
        return true;
    }

    /// <summary>A duration such as <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>, or ISO-8601 <c>PT10S</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var trimmed = text.Trim();
        var match = Duration().Match(trimmed);
        if (match.Success && long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            value = Unit(n, match.Groups["unit"].Value);
            return true;
        }

        if (trimmed.StartsWith('P'))
        {
            try
            {
                value = System.Xml.XmlConvert.ToTimeSpan(trimmed);
                return true;
            }
            catch (FormatException)
            {
            }
            catch (OverflowException)
            {
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// A literal IPv4 (four dotted decimals) or IPv6 address. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// alone would take "10" as 0.0.0.10, so IPv4 must be written out.
    /// </summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        if (IPAddress.TryParse(text, out var parsed) &&
            (parsed.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) : DottedQuad().IsMatch(text)))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    /// <summary>A MAC as six hex octets separated by ':' or '-' (or Cisco's aabb.ccdd.eeff); normalised to aa:bb:cc:dd:ee:ff.</summary>

    private static TimeSpan Unit(long n, string unit) => unit switch
    {
        "ms" => TimeSpan.FromMilliseconds(n),
        "s" => TimeSpan.FromSeconds(n),
        "m" => TimeSpan.FromMinutes(n),
        "h" => TimeSpan.FromHours(n),
        "d" => TimeSpan.FromDays(n),
        "w" => TimeSpan.FromDays(7 * n),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "unknown unit"),
    };

    [GeneratedRegex(@"^now(?<term>\s*[+-]\s*\d{1,6}\s*(?:ms|s|m|h|d|w))*$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativeTime();

    [GeneratedRegex(@"(?<sign>[+-])\s*(?<n>\d+)\s*(?<unit>ms|s|m|h|d|w)", RegexOptions.CultureInvariant)]
    private static partial Regex TimeTerm();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex AbsoluteTime();

    [GeneratedRegex(@"^(?<n>\d{1,9})\s*(?<unit>ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();


}
