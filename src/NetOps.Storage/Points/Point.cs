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
    private readonly double _float;
    private readonly long _integer;
    private readonly string? _string;

    private Field(string key, FieldKind kind, double f, long i, string? s)
    {
        Key = key;
        Kind = kind;
        _float = f;
        _integer = i;
        _string = s;
    }

    public string Key { get; }
    public FieldKind Kind { get; }

    public double FloatValue => _float;
    public long IntegerValue => _integer;
    public bool BooleanValue => _integer != 0;
    public string StringValue => _string ?? "";

    public static Field Float(string key, double value) => new(key, FieldKind.Float, value, 0, null);
    public static Field Integer(string key, long value) => new(key, FieldKind.Integer, 0, value, null);
    public static Field Boolean(string key, bool value) => new(key, FieldKind.Boolean, 0, value ? 1 : 0, null);
    public static Field String(string key, string value) => new(key, FieldKind.String, 0, 0, value);

    /// <summary>The value as a number for charts: floats and integers as they are, booleans as 0/1, strings NaN.</summary>
    public double AsDouble() => Kind switch
    {
        FieldKind.Float => _float,
        FieldKind.Integer or FieldKind.Boolean => _integer,
        _ => double.NaN,
    };

    public object Value => Kind switch
    {
        FieldKind.Float => _float,
        FieldKind.Integer => _integer,
        FieldKind.Boolean => _integer != 0,
        _ => StringValue,
    };

    public bool Equals(Field other) =>
        Key == other.Key && Kind == other.Kind && _float.Equals(other._float) && _integer == other._integer && _string == other._string;

    public override bool Equals(object? obj) => obj is Field other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Key, Kind, _float, _integer, _string);
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
