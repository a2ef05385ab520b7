using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NetOps.Core.Inventory;

/// <summary>
/// MAC addresses in one comparable form, lower-case colon hex ("ac:cc:8e:00:00:01"), however the inventory, a MIB or
/// an LLDP neighbour spells them.
/// </summary>
public static partial class MacAddress
{
    /// <summary>Reads a MAC written with colons or dashes (not mixed), in Cisco dots, or as 12 bare hex digits.</summary>
    public static bool TryParse(string text, out string mac)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var hex = Separated().IsMatch(trimmed) ? trimmed.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal)
            : Dotted().IsMatch(trimmed) ? trimmed.Replace(".", "", StringComparison.Ordinal)
            : Bare().IsMatch(trimmed) ? trimmed
            : null;
        if (hex is null)
        {
            mac = "";
            return false;
        }

        hex = hex.ToLowerInvariant();
        mac = string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2)));
        return true;
    }

    /// <summary>A MAC in its comparable form; text that is no MAC (a chassis id that is a name) trimmed and lower-cased.</summary>
    public static string Normalise(string text) => TryParse(text, out var mac) ? mac : text.Trim().ToLowerInvariant();

    /// <summary>Octets as lower-case colon hex: a MAC's six, or any other binary id.</summary>
    public static string Format(ReadOnlySpan<byte> octets)
    {
        var text = new StringBuilder(octets.Length * 3);
        foreach (var b in octets)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }

            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    [GeneratedRegex("^[0-9A-Fa-f]{2}(?<sep>[:-])[0-9A-Fa-f]{2}(?:\\k<sep>[0-9A-Fa-f]{2}){4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Separated();

    [GeneratedRegex("^[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Dotted();

    [GeneratedRegex("^[0-9A-Fa-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex Bare();
}
