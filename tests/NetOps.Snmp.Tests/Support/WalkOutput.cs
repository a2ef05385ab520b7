using System.Text.RegularExpressions;

namespace NetOps.Snmp.Tests.Support;

/// <summary>Splits net-snmp <c>-On</c> output into records (a value may span lines) and reads their OID and type.</summary>
internal static partial class WalkOutput
{
    public static IReadOnlyList<string> Records(string output)
    {
        var records = new List<string>();
        foreach (var line in output.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n'))
        {
            if (RecordStart().IsMatch(line) || records.Count == 0)
            {
                records.Add(line);
            }
            else
            {
                records[^1] += "\n" + line;
            }
        }

        return records.Where(r => r.Length > 0).ToList();
    }

    /// <summary>"OID TYPE" of each record: ".1.3.6.1.2.1.1.3.0 Timeticks".</summary>
    public static IReadOnlyList<string> OidsAndTypes(string output) =>
        Records(output).Select(r =>
        {
            var match = RecordStart().Match(r);
            var value = r[match.Length..];
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var type = value.StartsWith('"') ? "STRING" : colon > 0 ? value[..colon] : value;
            return $"{match.Groups[1].Value} {(type == "Hex-STRING" ? "STRING" : type)}";
        }).ToList();

    public static string Format(IEnumerable<VarBind> bindings) =>
        string.Join("\n", bindings.Select(NetSnmpFormat.Format)) + "\n";

    [GeneratedRegex(@"^(\.[0-9.]+) = ")]
    private static partial Regex RecordStart();
}
