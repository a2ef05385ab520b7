using System.Globalization;
using System.Net;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// Text forms as net-snmp's command-line tools print them with <c>-On</c> and no MIBs loaded, so output can be
/// compared line for line with snmpget and snmpbulkwalk; and net-snmp's typed value syntax for SET.
/// </summary>
public static class NetSnmpFormat
{
    /// <summary>".1.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45"</summary>
    public static string Format(VarBind binding)
    {
        var builder = new StringBuilder(64);
        builder.Append('.');
        binding.Oid.AppendTo(builder);
        builder.Append(" = ");
        AppendValue(builder, binding.Value);
        return builder.ToString();
    }

    /// <summary>The part after " = ": "INTEGER: 5", "STRING: \"text\"", "Hex-STRING: 00 1A ".</summary>
    public static string FormatValue(SnmpValue value)
    {
        var builder = new StringBuilder(32);
        AppendValue(builder, value);
        return builder.ToString();
    }

    private static void AppendValue(StringBuilder builder, SnmpValue value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (value.Type)
        {
            case SnmpType.Integer:
                builder.Append("INTEGER: ").Append(value.AsInt64().ToString(invariant));
                break;
            case SnmpType.OctetString:
                AppendOctetString(builder, value.RawBytes);
                break;
            case SnmpType.Null:
                builder.Append("NULL");
                break;
            case SnmpType.ObjectIdentifier:
                builder.Append("OID: .");
                value.AsOid().AppendTo(builder);
                break;
            case SnmpType.IpAddress:
                builder.Append("IpAddress: ");
                AppendDotted(builder, value.RawBytes);
                break;
            case SnmpType.Counter32:
                builder.Append("Counter32: ").Append(value.RawBits.ToString(invariant));
                break;
            case SnmpType.Gauge32:
                builder.Append("Gauge32: ").Append(value.RawBits.ToString(invariant));
                break;
            case SnmpType.TimeTicks:
                builder.Append("Timeticks: (").Append(value.RawBits.ToString(invariant)).Append(") ");
                AppendUptime(builder, (uint)value.RawBits);
                break;
            case SnmpType.Opaque:
                AppendOpaque(builder, value);
                break;
            case SnmpType.Counter64:
                builder.Append("Counter64: ").Append(value.RawBits.ToString(invariant));
                break;
            case SnmpType.NoSuchObject:
                builder.Append("No Such Object available on this agent at this OID");
                break;
            case SnmpType.NoSuchInstance:
                builder.Append("No Such Instance currently exists at this OID");
                break;
            case SnmpType.EndOfMibView:
                builder.Append("No more variables left in this MIB View (It is past the end of the MIB tree)");
                break;
            default:
                builder.Append("Wrong Type: ").Append(value.Type);
                break;
        }
    }

    /// <summary>
    /// net-snmp prints an octet string as text when every byte is printable or white space (C locale), as hex
    /// otherwise; the empty string is just <c>""</c>.
    /// </summary>
    private static void AppendOctetString(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            builder.Append("\"\"");
            return;
        }

        foreach (var b in bytes)
        {
            if (!IsPrintOrSpace(b))
            {
                builder.Append("Hex-STRING: ");
                AppendHex(builder, bytes);
                return;
            }
        }

        builder.Append("STRING: \"");
        foreach (var b in bytes)
        {
            if (b is (byte)'\\' or (byte)'"')
            {
                builder.Append('\\');
            }

            builder.Append((char)b);
        }

        builder.Append('"');
    }

    private static void AppendOpaque(StringBuilder builder, SnmpValue value)
    {
        if (value.TryGetOpaqueFloat(out var number))
        {
            // net-snmp labels floats and doubles alike and prints both with C's "%f".
            builder.Append("Opaque: Float: ").Append(number.ToString("F6", CultureInfo.InvariantCulture));
            return;
        }

        builder.Append("OPAQUE: ");
        AppendHex(builder, value.RawBytes);
    }

    /// <summary>"00 1A 2B " with a line break after every 16 bytes, as net-snmp's default hex output length.</summary>
    private static void AppendHex(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0 && i % 16 == 0)
            {
                builder.Append('\n');
            }

            builder.Append(bytes[i].ToString("X2", CultureInfo.InvariantCulture)).Append(' ');
        }
    }

    private static void AppendDotted(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void AppendUptime(StringBuilder builder, uint ticks)
    {
        var centiseconds = ticks % 100;
        var seconds = ticks / 100;
        var days = seconds / 86400;
        seconds %= 86400;
        var hours = seconds / 3600;
        seconds %= 3600;
        var minutes = seconds / 60;
        seconds %= 60;
        var invariant = CultureInfo.InvariantCulture;
        if (days == 1)
        {
            builder.Append("1 day, ");
        }
        else if (days > 1)
        {
            builder.Append(days.ToString(invariant)).Append(" days, ");
        }

        builder.Append(hours.ToString(invariant)).Append(':')
            .Append(minutes.ToString("00", invariant)).Append(':')
            .Append(seconds.ToString("00", invariant)).Append('.')
            .Append(centiseconds.ToString("00", invariant));
    }

    private static bool IsPrintOrSpace(byte b) => b is >= 0x20 and <= 0x7e or >= 0x09 and <= 0x0d;

    /// <summary>The camel-case name net-snmp and the RFCs use: "noSuchName".</summary>
    public static string ErrorName(SnmpErrorStatus status) => status switch
    {
        SnmpErrorStatus.NoError => "noError",
        SnmpErrorStatus.TooBig => "tooBig",
        SnmpErrorStatus.NoSuchName => "noSuchName",
        SnmpErrorStatus.BadValue => "badValue",
        SnmpErrorStatus.ReadOnly => "readOnly",
        SnmpErrorStatus.GenErr => "genErr",
        SnmpErrorStatus.NoAccess => "noAccess",
        SnmpErrorStatus.WrongType => "wrongType",
        SnmpErrorStatus.WrongLength => "wrongLength",
        SnmpErrorStatus.WrongEncoding => "wrongEncoding",
        SnmpErrorStatus.WrongValue => "wrongValue",
        SnmpErrorStatus.NoCreation => "noCreation",
        SnmpErrorStatus.InconsistentValue => "inconsistentValue",
        SnmpErrorStatus.ResourceUnavailable => "resourceUnavailable",
        SnmpErrorStatus.CommitFailed => "commitFailed",
        SnmpErrorStatus.UndoFailed => "undoFailed",
        SnmpErrorStatus.AuthorizationError => "authorizationError",
        SnmpErrorStatus.NotWritable => "notWritable",
        SnmpErrorStatus.InconsistentName => "inconsistentName",
        _ => ((int)status).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Parses a value in net-snmp's SET syntax: type letter i (INTEGER), u (Gauge32), c (Counter32),
    /// C (Counter64), t (TimeTicks), a (IpAddress), o (OID), s (string), x (hex string), n (NULL).
    /// </summary>
    public static SnmpValue ParseValue(char type, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var invariant = CultureInfo.InvariantCulture;
        try
        {
            return type switch
            {
                'i' => SnmpValue.Integer(int.Parse(text, NumberStyles.AllowLeadingSign, invariant)),
                'u' => SnmpValue.Gauge32(uint.Parse(text, NumberStyles.None, invariant)),
                'c' => SnmpValue.Counter32(uint.Parse(text, NumberStyles.None, invariant)),
                'C' => SnmpValue.Counter64(ulong.Parse(text, NumberStyles.None, invariant)),
                't' => SnmpValue.TimeTicks(uint.Parse(text, NumberStyles.None, invariant)),
                'a' => SnmpValue.IpAddress(IPAddress.Parse(text)),
                'o' => SnmpValue.ObjectIdentifier(Oid.Parse(text)),
                's' => SnmpValue.OctetString(text),
                'x' => SnmpValue.OctetString(ParseHex(text)),
                'n' => SnmpValue.Null,
                _ => throw new FormatException($"unknown value type '{type}' (use one of i u c C t a o s x n)"),
            };
        }
        catch (OverflowException e)
        {
            throw new FormatException($"value '{text}' out of range for type '{type}'", e);
        }
    }

    private static byte[] ParseHex(string text)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                digits.Append(c);
            }
        }

        var hex = digits.ToString();
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[2..];
        }

        return Convert.FromHexString(hex);
    }
}
