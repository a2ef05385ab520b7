using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace NetOps.Storage.Points;

/// <summary>
/// InfluxDB line protocol as 1.x, 2.x and 3.x parse it, written straight into a pooled buffer as UTF-8.
/// Escaping differs by position: measurements escape comma and space; tag keys, tag values and field keys escape
/// comma, equals and space; string field values escape double quote and backslash. A backslash elsewhere is
/// literal (1.x does not unescape <c>\\</c> in names), so a name may not end in one. Integers carry the <c>i</c>
/// suffix; unsigned integers (<c>u</c>) are never written because 1.x rejects them.
/// </summary>
public static class LineProtocol
{
    private static readonly SearchValues<char> MeasurementSpecials = SearchValues.Create(", \\\n\r");
    private static readonly SearchValues<char> KeySpecials = SearchValues.Create(",= \\\n\r");
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create("\"\\\n\r");

    /// <summary>Why InfluxDB could not take this point as it is, or null when it can.</summary>
    public static string? Validate(Point point)
    {
        if (!ValidName(point.Measurement) || point.Measurement[0] == '#')
        {
            return "measurement is empty, starts with '#', ends in a backslash or holds a line break";
        }

        foreach (var tag in point.TagArray)
        {
            if (!ValidName(tag.Key) || (tag.Value.Length > 0 && !ValidName(tag.Value)))
            {
                return $"tag {tag.Key} is empty, ends in a backslash or holds a line break";
            }
        }

        if (point.FieldArray.Length == 0)
        {
            return "no fields";
        }

        foreach (var field in point.FieldArray)
        {
            if (!ValidName(field.Key))
            {
                return $"field key {field.Key} is empty, ends in a backslash or holds a line break";
            }

            if (field.Kind == FieldKind.Float && !double.IsFinite(field.FloatValue))
            {
                return $"field {field.Key} is not finite";
            }
        }

        return null;
    }

    private static bool ValidName(string name) =>
        name.Length > 0 && name[^1] != '\\' && name.AsSpan().IndexOfAny('\n', '\r') < 0;

    /// <summary>Appends the point as one line ending in '\n'. Call <see cref="Validate"/> first: this does not.</summary>
    public static void Write(IBufferWriter<byte> writer, Point point)
    {
        WriteEscaped(writer, point.Measurement, MeasurementSpecials, quoteBackslash: false);
        foreach (var tag in point.TagArray)
        {
            if (tag.Value.Length == 0)
            {
                // InfluxDB has no empty tag values: an empty tag is an absent tag.
                continue;
            }

            WriteByte(writer, (byte)',');
            WriteEscaped(writer, tag.Key, KeySpecials, quoteBackslash: false);
            WriteByte(writer, (byte)'=');
            WriteEscaped(writer, tag.Value, KeySpecials, quoteBackslash: false);
        }

        var separator = (byte)' ';
        foreach (var field in point.FieldArray)
        {
            WriteByte(writer, separator);
            separator = (byte)',';
            WriteEscaped(writer, field.Key, KeySpecials, quoteBackslash: false);
            WriteByte(writer, (byte)'=');
            switch (field.Kind)
            {
                case FieldKind.Float:
                    WriteFloat(writer, field.FloatValue);
                    break;
                case FieldKind.Integer:
                    WriteInteger(writer, field.IntegerValue, 'i');
                    break;
                case FieldKind.Boolean:
                    WriteAscii(writer, field.BooleanValue ? "true"u8 : "false"u8);
                    break;
                default:
                    WriteByte(writer, (byte)'"');
                    WriteEscaped(writer, field.StringValue, StringSpecials, quoteBackslash: true);
                    WriteByte(writer, (byte)'"');
                    break;
            }
        }

        WriteByte(writer, (byte)' ');
        WriteInteger(writer, point.TimestampNs, null);
        WriteByte(writer, (byte)'\n');
    }

    /// <summary>The point as a line without the trailing newline (tests, logs, dead letters).</summary>
    public static string ToLine(Point point)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(buffer, point);
        return Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]);
    }

    private static void WriteEscaped(IBufferWriter<byte> writer, string value, SearchValues<char> specials, bool quoteBackslash)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var at = rest.IndexOfAny(specials);
            var plain = at < 0 ? rest : rest[..at];
            if (!plain.IsEmpty)
            {
                WriteUtf8(writer, plain);
            }

            if (at < 0)
            {
                return;
            }

            var c = rest[at];
            switch (c)
            {
                case '\n' or '\r':
                    // Only string fields reach here (names with line breaks fail validation): a line break cannot
                    // be carried through every InfluxDB version's parser, so it becomes a space (docs/storage.md).
                    WriteByte(writer, (byte)' ');
                    break;
                case '\\' when !quoteBackslash:
                    WriteByte(writer, (byte)'\\');
                    break;
                default:
                    var span = writer.GetSpan(2);
                    span[0] = (byte)'\\';
                    span[1] = (byte)c;
                    writer.Advance(2);
                    break;
            }

            rest = rest[(at + 1)..];
        }
    }

    private static void WriteUtf8(IBufferWriter<byte> writer, ReadOnlySpan<char> chars)
    {
        var span = writer.GetSpan(chars.Length * 3);
        var status = Utf8.FromUtf16(chars, span, out _, out var written);
        if (status != OperationStatus.Done)
        {
            throw new InvalidOperationException("UTF-8 transcoding failed: " + status);
        }

        writer.Advance(written);
    }

    private static void WriteFloat(IBufferWriter<byte> writer, double value)
    {
        var span = writer.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("float formatting failed");
        }

        writer.Advance(written);
    }

    private static void WriteInteger(IBufferWriter<byte> writer, long value, char? suffix)
    {
        var span = writer.GetSpan(21);
        if (!Utf8Formatter.TryFormat(value, span, out var written))
        {
            throw new InvalidOperationException("integer formatting failed");
        }

        if (suffix is { } s)
        {
            span[written++] = (byte)s;
        }

        writer.Advance(written);
    }

    private static void WriteAscii(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte b)
    {
        writer.GetSpan(1)[0] = b;
        writer.Advance(1);
    }
}
