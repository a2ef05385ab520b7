using System.Globalization;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// What an <see cref="SnmpAgent"/> serves: a sorted, thread-safe map from OID to a fixed value or a provider
/// evaluated at read time. Reads take no lock (they search an immutable sorted snapshot); changing the value of an
/// existing OID swaps one reference, adding or removing an OID copies the snapshot.
/// </summary>
public sealed class MibView
{
    private readonly Lock _writeGate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Number of OIDs served.</summary>
    public int Count => _snapshot.Keys.Length;

    /// <summary>Loads an snmpsim <c>.snmprec</c> recording into a new view.</summary>
    public static MibView FromSnmprec(string path)
    {
        var view = new MibView();
        view.LoadSnmprec(path);
        return view;
    }

    /// <summary>Serves <paramref name="value"/> at <paramref name="oid"/>, adding the OID or replacing what it held.</summary>
    public void Set(Oid oid, SnmpValue value, bool writable = false) => Put(oid, new Source(value, null, writable));

    /// <summary>Serves whatever <paramref name="provider"/> returns at read time (uptime, moving counters).</summary>
    public void SetProvider(Oid oid, Func<SnmpValue> provider, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Put(oid, new Source(default, provider, writable));
    }

    /// <summary>Adds or replaces many OIDs at once; far cheaper than one <see cref="Set"/> each for large loads.</summary>
    public void SetMany(IEnumerable<VarBind> bindings, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var added = new SortedDictionary<Oid, Source>();
        foreach (var binding in bindings)
        {
            added[binding.Oid] = new Source(binding.Value, null, writable);
        }

        lock (_writeGate)
        {
            var current = _snapshot;
            var merged = new SortedDictionary<Oid, Entry>();
            for (var i = 0; i < current.Keys.Length; i++)
            {
                merged[current.Keys[i]] = current.Entries[i];
            }

            foreach (var (oid, source) in added)
            {
                if (merged.TryGetValue(oid, out var entry))
                {
                    entry.Source = source;
                }
                else
                {
                    merged[oid] = new Entry(source);
                }
            }

            _snapshot = new Snapshot([.. merged.Keys], [.. merged.Values]);
        }
    }

    /// <summary>Stops serving <paramref name="oid"/>; false when it was not served.</summary>
    public bool Remove(Oid oid)
    {
        lock (_writeGate)
        {
            var current = _snapshot;
            var index = Array.BinarySearch(current.Keys, oid);
            if (index < 0)
            {
                return false;
            }

            var keys = new Oid[current.Keys.Length - 1];
            var entries = new Entry[keys.Length];
            Array.Copy(current.Keys, keys, index);
            Array.Copy(current.Entries, entries, index);
            Array.Copy(current.Keys, index + 1, keys, index, keys.Length - index);
            Array.Copy(current.Entries, index + 1, entries, index, keys.Length - index);
            _snapshot = new Snapshot(keys, entries);
            return true;
        }
    }

    /// <summary>The value at exactly <paramref name="oid"/>; a provider is evaluated.</summary>
    public bool TryGet(Oid oid, out SnmpValue value)
    {
        var snapshot = _snapshot;
        var index = Array.BinarySearch(snapshot.Keys, oid);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = snapshot.Entries[index].Read();
        return true;
    }

    /// <summary>The first binding after <paramref name="oid"/> in lexicographic order.</summary>
    public bool TryGetNext(Oid oid, out VarBind binding)
    {
        var snapshot = _snapshot;
        var index = Array.BinarySearch(snapshot.Keys, oid);
        index = index < 0 ? ~index : index + 1;
        if (index >= snapshot.Keys.Length)
        {
            binding = default;
            return false;
        }

        binding = new VarBind(snapshot.Keys[index], snapshot.Entries[index].Read());
        return true;
    }

    /// <summary>Every binding at or under <paramref name="root"/> (all when empty), in order, providers evaluated now.</summary>
    public IEnumerable<VarBind> Walk(Oid root = default)
    {
        var snapshot = _snapshot;
        var index = Array.BinarySearch(snapshot.Keys, root);
        index = index < 0 ? ~index : index;
        for (; index < snapshot.Keys.Length && snapshot.Keys[index].StartsWith(root); index++)
        {
            yield return new VarBind(snapshot.Keys[index], snapshot.Entries[index].Read());
        }
    }

    /// <summary>True when some OID of the same length shares <paramref name="oid"/>'s parent: the object exists, this instance does not.</summary>
    internal bool HasSiblingInstance(Oid oid)
    {
        if (oid.Length < 2)
        {
            return false;
        }

        var parent = oid.Parent;
        var snapshot = _snapshot;
        var index = Array.BinarySearch(snapshot.Keys, parent);
        index = index < 0 ? ~index : index;
        for (; index < snapshot.Keys.Length && snapshot.Keys[index].StartsWith(parent); index++)
        {
            if (snapshot.Keys[index].Length == oid.Length)
            {
                return true;
            }
        }

        return false;
    }

    internal bool TryGetEntry(Oid oid, out Entry entry)
    {
        var snapshot = _snapshot;
        var index = Array.BinarySearch(snapshot.Keys, oid);
        entry = index >= 0 ? snapshot.Entries[index] : null!;
        return index >= 0;
    }

    /// <summary>Loads an snmpsim <c>.snmprec</c> file (read as Latin-1, so every byte survives); returns the OIDs loaded.</summary>
    public int LoadSnmprec(string path)
    {
        using var reader = new StreamReader(path, Encoding.Latin1);
        return LoadSnmprec(reader);
    }

    /// <summary>
    /// Loads snmpsim's <c>OID|TAG|VALUE</c> records in any order. Tags: 2 INTEGER, 4 OCTET STRING, 5 NULL, 6 OID,
    /// 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 68 Opaque, 70 Counter64, 128-130 the exception values;
    /// suffix <c>x</c> means hex-encoded, <c>e</c> Python-escaped. A record using a variation module (<c>2:numeric</c>)
    /// is served at its <c>value=</c>/<c>hexvalue=</c>/<c>initial=</c> parameter, or skipped when it has none.
    /// Characters stand for bytes 0-255 (the reader should decode Latin-1).
    /// </summary>
    public int LoadSnmprec(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var bindings = new List<VarBind>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var record = line.Trim();
            if (record.Length == 0 || record[0] == '#')
            {
                continue;
            }

            var parts = record.Split('|', 3);
            if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new FormatException($"snmprec line {number}: expected OID|TAG|VALUE");
            }

            if (!Oid.TryParse(parts[0], out var oid))
            {
                throw new FormatException($"snmprec line {number}: '{parts[0]}' is not a numeric OID");
            }

            try
            {
                if (ParseRecord(parts[1], parts[2]) is { } value)
                {
                    bindings.Add(new VarBind(oid, value));
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new FormatException($"snmprec line {number}: {e.Message}", e);
            }
        }

        SetMany(bindings);
        return bindings.Count;
    }

    private static SnmpValue? ParseRecord(string tag, string value)
    {
        var colon = tag.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            // A variation module computes the value in snmpsim; serve its static starting point.
            var parameters = value.Split(',')
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
            tag = tag[..colon];
            if (parameters.TryGetValue("hexvalue", out var hex))
            {
                tag = tag.TrimEnd('x', 'e') + "x";
                value = hex;
            }
            else if (parameters.TryGetValue("value", out var plain) || parameters.TryGetValue("initial", out plain))
            {
                value = plain;
            }
            else
            {
                return null;
            }
        }

        char? encoding = tag.Length > 1 && tag[^1] is 'x' or 'e' ? tag[^1] : null;
        if (encoding is not null)
        {
            tag = tag[..^1];
        }

        var invariant = CultureInfo.InvariantCulture;
        return tag switch
        {
            "2" => SnmpValue.Integer(long.Parse(Text(value, encoding), NumberStyles.AllowLeadingSign, invariant)),
            "4" => SnmpValue.OctetString(Bytes(value, encoding)),
            "5" => SnmpValue.Null,
            "6" => SnmpValue.ObjectIdentifier(Oid.Parse(Text(value, encoding))),
            "64" => IpAddress(value, encoding),
            "65" => SnmpValue.Counter32(uint.Parse(Text(value, encoding), NumberStyles.None, invariant)),
            "66" => SnmpValue.Gauge32(uint.Parse(Text(value, encoding), NumberStyles.None, invariant)),
            "67" => SnmpValue.TimeTicks(uint.Parse(Text(value, encoding), NumberStyles.None, invariant)),
            "68" => SnmpValue.Opaque(Bytes(value, encoding)),
            "70" => SnmpValue.Counter64(ulong.Parse(Text(value, encoding), NumberStyles.None, invariant)),
            "128" => SnmpValue.NoSuchObject,
            "129" => SnmpValue.NoSuchInstance,
            "130" => SnmpValue.EndOfMibView,
            _ => throw new FormatException($"unknown tag '{tag}'"),
        };
    }

    private static SnmpValue IpAddress(string value, char? encoding)
    {
        var bytes = Bytes(value, encoding);
        if (encoding is null && bytes.Length != 4 && System.Net.IPAddress.TryParse(value, out var address))
        {
            return SnmpValue.IpAddress(address);
        }

        return bytes.Length == 4 ? SnmpValue.IpAddress(bytes) : throw new FormatException($"'{value}' is not an IPv4 address");
    }

    private static string Text(string value, char? encoding) => encoding is null ? value : Encoding.Latin1.GetString(Bytes(value, encoding));

    private static byte[] Bytes(string value, char? encoding) => encoding switch
    {
        'x' => Convert.FromHexString(value),
        'e' => Unescape(value),
        _ => Encoding.Latin1.GetBytes(value),
    };

    /// <summary>Python string-literal escapes, as snmpsim writes values that hold control characters.</summary>
    private static byte[] Unescape(string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\' || i + 1 >= value.Length)
            {
                bytes.Add((byte)c);
                continue;
            }

            var next = value[++i];
            switch (next)
            {
                case 'x' when i + 2 < value.Length:
                    bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case '\\' or '\'' or '"': bytes.Add((byte)next); break;
                default: throw new FormatException($"unknown escape '\\{next}'");
            }
        }

        return [.. bytes];
    }

    private void Put(Oid oid, Source source)
    {
        lock (_writeGate)
        {
            var current = _snapshot;
            var index = Array.BinarySearch(current.Keys, oid);
            if (index >= 0)
            {
                current.Entries[index].Source = source;
                return;
            }

            index = ~index;
            var keys = new Oid[current.Keys.Length + 1];
            var entries = new Entry[keys.Length];
            Array.Copy(current.Keys, keys, index);
            Array.Copy(current.Entries, entries, index);
            keys[index] = oid;
            entries[index] = new Entry(source);
            Array.Copy(current.Keys, index, keys, index + 1, current.Keys.Length - index);
            Array.Copy(current.Entries, index, entries, index + 1, current.Keys.Length - index);
            _snapshot = new Snapshot(keys, entries);
        }
    }

    private sealed record Snapshot(Oid[] Keys, Entry[] Entries)
    {
        public static Snapshot Empty { get; } = new([], []);
    }

    /// <summary>A fixed value or a provider, and whether SET may replace it.</summary>
    internal sealed record Source(SnmpValue Value, Func<SnmpValue>? Provider, bool Writable);

    /// <summary>One served OID; its source is swapped atomically when the value changes.</summary>
    internal sealed class Entry(Source source)
    {
        private volatile Source _source = source;

        public Source Source
        {
            get => _source;
            set => _source = value;
        }

        public SnmpValue Read()
        {
            var source = _source;
            return source.Provider is { } provider ? provider() : source.Value;
        }
    }
}
