using NetOps.Snmp;

namespace NetOps.Cli.Snmp;

/// <summary>The values of net-snmp's SNMPv3 options (<c>-l</c>, <c>-a</c>, <c>-x</c>, <c>-e</c>), shared by the SNMP commands and trap-listen.</summary>
internal static class UsmArguments
{
    public static readonly string AuthChoices = string.Join('|', UsmNames.AuthProtocols);

    public static readonly string PrivChoices = string.Join('|', UsmNames.PrivProtocols);

    public static SnmpSecurityLevel Level(string value) =>
        UsmNames.TryParseLevel(value, shortForms: true, out var level) ? level : throw new FormatException($"unknown security level '{value}'");

    public static SnmpAuthProtocol Auth(string value) =>
        UsmNames.TryParseAuth(value, out var protocol) ? protocol : throw new FormatException($"unknown authentication protocol '{value}'");

    public static SnmpPrivProtocol Priv(string value) =>
        UsmNames.TryParsePriv(value, out var protocol) ? protocol : throw new FormatException($"unknown privacy protocol '{value}'");

    /// <summary>An engine id in hexadecimal, with or without <c>0x</c>; the value is not echoed in the error.</summary>
    public static byte[] EngineId(string value)
    {
        var hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException e)
        {
            throw new FormatException("takes an engine id in hexadecimal", e);
        }
    }
}
