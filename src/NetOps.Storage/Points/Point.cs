using System.Globalization;

namespace NetOps.Storage.Points;

/// <summary>A tag: an indexed key/value that identifies a series. Tag values are ids, never display names.</summary>
public readonly record struct Tag(string Key, string Value);

/// <summary>The four field types InfluxDB 1.x accepts; a field keeps its type forever (docs/storage.md).</summary>
public enum FieldKind : byte
{
    Float,
    Integer,
    Boolean,
    String,
}

/// <summary>A field: a key with a typed value. Build with <see cref="Float"/>, <see cref="Integer"/> and friends.</summary>
public readonly struct Field : IEquatable<Field>
{
    // A float's bits or an integer (a boolean as 0/1): one slot, so a field is 32 bytes, not 40.
    private readonly long _bits;
    private readonly string? _string;

    private Field(string key, FieldKind kind, long bits, string? s)
    {
        Key = key;
        Kind = kind;
        _bits = bits;
        _string = s;
    }

    public string Key { get; }
    public FieldKind Kind { get; }

    public double FloatValue => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble(_bits) : 0;
    public long IntegerValue => Kind == FieldKind.Float ? 0 : _bits;
    public bool BooleanValue => Kind != FieldKind.Float && _bits != 0;
    public string StringValue => _string ?? "";

    public static Field Float(string key, double value) => new(key, FieldKind.Float, BitConverter.DoubleToInt64Bits(value), null);
    public static Field Integer(string key, long value) => new(key, FieldKind.Integer, value, null);
    public static Field Boolean(string key, bool value) => new(key, FieldKind.Boolean, value ? 1 : 0, null);
    public static Field String(string key, string value) => new(key, FieldKind.String, 0, value);

    /// <summary>The value as a number for charts: floats and integers as they are, booleans as 0/1, strings NaN.</summary>
    public double AsDouble() => Kind switch
    {
        FieldKind.Float => FloatValue,
        FieldKind.Integer or FieldKind.Boolean => _bits,
        _ => double.NaN,
    };

    public object Value => Kind switch
    {
        FieldKind.Float => FloatValue,
        FieldKind.Integer => _bits,
        FieldKind.Boolean => _bits != 0,
        _ => StringValue,
    };

    public bool Equals(Field other) =>
        Key == other.Key && Kind == other.Kind && _string == other._string &&
        (Kind == FieldKind.Float ? FloatValue.Equals(other.FloatValue) : _bits == other._bits);

    public override bool Equals(object? obj) => obj is Field other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Key, Kind, Kind == FieldKind.Float ? FloatValue.GetHashCode() : _bits.GetHashCode(), _string);
    public static bool operator ==(Field left, Field right) => left.Equals(right);
    public static bool operator !=(Field left, Field right) => !left.Equals(right);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Key}={Value}");
}

/// <summary>
/// One point of a series: measurement, tags (sorted by key), at least one field, and a timestamp in nanoseconds
/// since the Unix epoch (UTC). Same measurement, tags and timestamp mean the same point: writing it again overwrites.
/// </summary>
public sealed class Point(string measurement, Tag[] tags, Field[] fields, long timestampNs)
{
    public string Measurement { get; } = measurement;
    public IReadOnlyList<Tag> Tags => TagArray;
    public IReadOnlyList<Field> Fields => FieldArray;
    public long TimestampNs { get; } = timestampNs;

    internal Tag[] TagArray { get; } = tags;
    internal Field[] FieldArray { get; } = fields;

    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampNs / 100);

    /// <summary>Nanoseconds since the epoch of an instant; DateTimeOffset resolves 100 ns, so the last two digits are 0.</summary>
    public static long ToNanoseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public string? TagValue(string key)
    {
        foreach (var tag in TagArray)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    public Field? FieldNamed(string key)
    {
        foreach (var field in FieldArray)
        {
            if (field.Key == key)
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The series key: measurement and tags, as InfluxDB identifies a series.</summary>
    public string SeriesKey => TagArray.Length == 0
        ? Measurement
        : Measurement + "," + string.Join(',', TagArray.Select(t => t.Key + "=" + t.Value));

    public override string ToString() => LineProtocol.ToLine(this);
}
