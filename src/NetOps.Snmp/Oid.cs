using System.Globalization;
using System.Text;

namespace NetOps.Snmp;

/// <summary>An SNMP object identifier: an immutable sequence of 32-bit sub-identifiers, ordered lexicographically.</summary>
public readonly struct Oid : IEquatable<Oid>, IComparable<Oid>, IComparable, ISpanFormattable
{
    private readonly uint[]? _arcs;

    /// <summary>Copies <paramref name="arcs"/> into a new identifier.</summary>
    public Oid(ReadOnlySpan<uint> arcs)
    {
        _arcs = arcs.ToArray();
    }

    /// <summary>Takes ownership of <paramref name="arcs"/>; the caller must not change it afterwards.</summary>
    private Oid(uint[] arcs, bool owned)
    {
        _ = owned;
        _arcs = arcs;
    }

    /// <summary>The identifier with no sub-identifiers (<c>default(Oid)</c>).</summary>
    public static Oid Empty => default;

    /// <summary>Number of sub-identifiers.</summary>
    public int Length => _arcs?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    /// <summary>The sub-identifiers.</summary>
    public ReadOnlySpan<uint> Arcs => _arcs;

    public uint this[int index] => Arcs[index];

    /// <summary>Wraps an array without copying it; used by the decoder, which hands over a fresh array.</summary>
    internal static Oid FromOwnedArray(uint[] arcs) => new(arcs, owned: true);

    /// <summary>Parses dotted decimal notation, with or without a leading dot: "1.3.6.1.2.1.1.3.0".</summary>
    public static Oid Parse(string text) =>
        TryParse(text, out var oid) ? oid : throw new FormatException($"'{text}' is not a numeric object identifier");

    /// <summary>Parses dotted decimal notation, with or without a leading dot.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Oid oid)
    {
        oid = default;
        text = text.Trim();
        if (text.Length > 0 && text[0] == '.')
        {
            text = text[1..];
        }

        if (text.IsEmpty)
        {
            return false;
        }

        var count = text.Count('.') + 1;
        var arcs = new uint[count];
        var index = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.IsEmpty || part[0] is '+' or '-' ||
                !uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out arcs[index]))
            {
                return false;
            }

            index++;
        }

        oid = new Oid(arcs, owned: true);
        return true;
    }

    /// <summary>True when this identifier equals <paramref name="prefix"/> or lies below it.</summary>
    public bool StartsWith(Oid prefix) => Arcs.StartsWith(prefix.Arcs);

    /// <summary>True when this identifier lies strictly below <paramref name="parent"/>.</summary>
    public bool IsChildOf(Oid parent) => Length > parent.Length && StartsWith(parent);

    /// <summary>This identifier with <paramref name="arcs"/> appended.</summary>
    public Oid Append(params ReadOnlySpan<uint> arcs)
    {
        var result = new uint[Length + arcs.Length];
        Arcs.CopyTo(result);
        arcs.CopyTo(result.AsSpan(Length));
        return new Oid(result, owned: true);
    }

    /// <summary>This identifier with <paramref name="suffix"/> appended (a table index, for example).</summary>
    public Oid Append(Oid suffix) => Append(suffix.Arcs);

    /// <summary>The sub-identifiers from <paramref name="start"/> on: the index part of a table cell's identifier.</summary>
    public Oid Slice(int start) => new(Arcs[start..]);

    /// <summary>The identifier one level up; the empty identifier has no parent.</summary>
    public Oid Parent => Length == 0 ? throw new InvalidOperationException("the empty OID has no parent") : new Oid(Arcs[..^1]);

    public int CompareTo(Oid other) => Arcs.SequenceCompareTo(other.Arcs);

    public int CompareTo(object? obj) => obj is Oid other ? CompareTo(other) : 1;

    public bool Equals(Oid other) => Arcs.SequenceEqual(other.Arcs);

    public override bool Equals(object? obj) => obj is Oid other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Arcs));
        return hash.ToHashCode();
    }

    /// <summary>Dotted decimal without a leading dot: "1.3.6.1.2.1.1.3.0".</summary>
    public override string ToString()
    {
        if (Length == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Length * 4);
        AppendTo(builder);
        return builder.ToString();
    }

    /// <summary>Dotted decimal with net-snmp's leading dot: ".1.3.6.1.2.1.1.3.0".</summary>
    public string ToDottedString() => "." + ToString();

    internal void AppendTo(StringBuilder builder)
    {
        var arcs = Arcs;
        for (var i = 0; i < arcs.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            builder.Append(arcs[i]);
        }
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        var arcs = Arcs;
        for (var i = 0; i < arcs.Length; i++)
        {
            if (i > 0)
            {
                if (charsWritten >= destination.Length)
                {
                    return false;
                }

                destination[charsWritten++] = '.';
            }

            if (!arcs[i].TryFormat(destination[charsWritten..], out var written, default, CultureInfo.InvariantCulture))
            {
                return false;
            }

            charsWritten += written;
        }

        return true;
    }

    public static bool operator ==(Oid left, Oid right) => left.Equals(right);

    public static bool operator !=(Oid left, Oid right) => !left.Equals(right);

    public static bool operator <(Oid left, Oid right) => left.CompareTo(right) < 0;

    public static bool operator <=(Oid left, Oid right) => left.CompareTo(right) <= 0;

    public static bool operator >(Oid left, Oid right) => left.CompareTo(right) > 0;

    public static bool operator >=(Oid left, Oid right) => left.CompareTo(right) >= 0;
}
