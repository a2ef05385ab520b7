namespace NetOps.Testing.Fuzzing;

/// <summary>
/// A deterministic, seeded, coverage-agnostic mutator for BER-encoded packets. Each input is a seed with one to
/// four stacked mutations: structural ones on the parsed TLV tree (the bug classes that hit net-snmp, gosnmp and
/// pyasn1: lengths that wrap or overrun, long and indefinite lengths, zero-length values, sub-identifiers past
/// 32 bits, oversized integers, deep nesting, huge element counts) and byte-level havoc (AFL style: flips,
/// interesting bytes, inserts, deletes, splices, truncation). The same seed gives the same inputs.
/// </summary>
public sealed class BerMutator
{
    /// <summary>Upper bound of one generated input, the largest UDP datagram; huge counts and deep nesting are cut to it.</summary>
    public const int MaxInputLength = 65535;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x1f, 0x30, 0x40, 0x41, 0x43, 0x44, 0x46, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x88, 0x89, 0x9f, 0xa0, 0xa2, 0xa4, 0xa5, 0xa7, 0xff];

    private static readonly byte[] InterestingTags =
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x1f, 0x30, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x5f, 0x80, 0x81, 0x82, 0x83, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xbf, 0xff];

    private static readonly byte[][] EvilLengths =
    [
        [0x80], // indefinite
        [0x81, 0x00], [0x81, 0xff], [0x82, 0xff, 0xff], [0x83, 0xff, 0xff, 0xff],
        [0x84, 0xff, 0xff, 0xff, 0xff], [0x84, 0x7f, 0xff, 0xff, 0xff], [0x84, 0x80, 0x00, 0x00, 0x00], [0x84, 0x80, 0x00, 0x00, 0x01],
        [0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x88, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
        [0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0xff], [0xfe], [0x85], [0x7f],
    ];

    private static readonly byte[][] EvilIntegers =
    [
        [], [0x00], [0x00, 0x00, 0x00, 0x05], [0xff, 0xff, 0xff, 0xfb], [0x80], [0x7f, 0xff, 0xff, 0xff], [0x80, 0x00, 0x00, 0x00],
        [0x00, 0xff, 0xff, 0xff, 0xff], [0x01, 0x00, 0x00, 0x00, 0x00], [0xff, 0x7f, 0xff, 0xff, 0xff],
        [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], [0xff, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    ];

    private static readonly byte[][] EvilOids =
    [
        [], [0x2b], [0x00], [0x80], [0x7f], [0xff], [0x28], [0x4f], [0x50], [0x88, 0x37], [0x8f, 0xff, 0xff, 0xff, 0x7f],
        [0x8f, 0xff, 0xff, 0xff, 0x7f, 0x01], [0x90, 0x80, 0x80, 0x80, 0x00], [0x90, 0x80, 0x80, 0x80, 0x50],
        [0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f], [0x2b, 0x90, 0x80, 0x80, 0x80, 0x00], [0x2b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        [0x2b, 0x06, 0x81], [0x2b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0x8f, 0xff, 0xff, 0xff, 0x7f - 79], [0x8f, 0xff, 0xff, 0xff, 0x7f - 80],
    ];

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly Random _random;
    private readonly bool _structured;
    private const int BaseReuses = 7;

    private Node?[]? _trees;
    private byte[] _base = [];
    private int _baseUses;
    private bool[]? _parsed;

    /// <param name="seeds">Valid inputs to start from: real packets for a decoder.</param>
    /// <param name="seed">The random seed: the same seed gives the same inputs.</param>
    /// <param name="structured">Parse inputs as BER and mutate the tree; false mutates bytes only (OID content).</param>
    public BerMutator(IReadOnlyList<byte[]> seeds, int seed, bool structured = true)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("a mutator needs at least one seed", nameof(seeds));
        }

        _seeds = seeds;
        _random = new Random(seed);
        _structured = structured;
    }

    /// <summary>The next input.</summary>
    public byte[] Next()
    {
        if (_baseUses > 0)
        {
            // Structural mutants are costly to make: each is the base of a few byte-level variants.
            _baseUses--;
            return MutateBytes(_base);
        }

        var index = _random.Next(_seeds.Count);
        var input = _seeds[index];
        var byteMutations = _random.Next(3);
        if (_structured && _random.Next(4) != 0 && SeedTree(index) is { } tree)
        {
            // Structural mutations on a copy of the seed's parsed tree (parsed once), written out once.
            var root = tree.Clone();
            // A second mutation after deep nesting would walk tens of thousands of levels recursively.
            for (var i = 1 + _random.Next(2); i > 0 && !MutateTree(root); i--)
            {
            }

            input = root.Serialize();
            if (input.Length > MaxInputLength)
            {
                input = input.AsSpan(0, MaxInputLength).ToArray();
            }

            _base = input;
            _baseUses = BaseReuses;
            byteMutations = 0;
        }
        else
        {
            byteMutations++;
        }

        for (var i = 0; i < byteMutations; i++)
        {
            input = MutateBytes(input);
        }

        return input.Length > MaxInputLength ? input.AsSpan(0, MaxInputLength).ToArray() : input;
    }

    private Node? SeedTree(int index)
    {
        _trees ??= new Node?[_seeds.Count];
        _parsed ??= new bool[_seeds.Count];
        if (!_parsed[index])
        {
            _trees[index] = Node.Parse(_seeds[index]);
            _parsed[index] = true;
        }

        return _trees[index];
    }

    /// <summary>Applies one structural mutation; true when it nested deeply.</summary>
    private bool MutateTree(Node root)
    {
        var nodes = new List<(Node Node, Node? Parent)>();
        Collect(root, null, nodes);
        var (node, parent) = nodes[_random.Next(nodes.Count)];
        var choice = _random.Next(13);
        if (choice is 5 or 6 && _random.Next(4) != 0)
        {
            choice = _random.Next(7, 13); // the large inputs are costly to make: one in four of their turns
        }

        switch (choice)
        {
            case 0: // zero-length value
                node.Content = [];
                node.Children = null;
                break;
            case 1: // a length that lies: wraps, overruns, is indefinite or too long to be read
                node.RawLength = Pick(EvilLengths);
                break;
            case 2: // a length that lies by a little
                node.LengthDelta = _random.Next(-3, 4);
                break;
            case 3: // legal but non-minimal long form, up to lengths of lengths that no decoder should take
                node.LongFormBytes = 1 + _random.Next(_random.Next(2) == 0 ? 4 : 12);
                break;
            case 4: // indefinite length with its end-of-contents octets
                node.Indefinite = true;
                break;
            case 5 when parent is not null: // huge counts: the same element many times over
                var copies = Pick([2, 3, 10, 100, 1000, 4000]);
                var at = parent.Children!.IndexOf(node);
                parent.Children.InsertRange(at, Enumerable.Repeat(node, Math.Min(copies, MaxInputLength / Math.Max(1, node.EstimatedLength))));
                break;
            case 6: // deep nesting
                var depth = Pick([2, 10, 100, 1000, 5000, 20000]);
                var wrapped = node.Clone();
                var tag = Pick<byte>([0x30, 0xa2, 0x30, node.Tag, 0x24, 0xbf]);
                for (var i = 0; i < depth; i++)
                {
                    wrapped = new Node { Tag = tag, Children = [wrapped] };
                }

                node.Become(wrapped);
                return true;
            case 7: // integers that are empty, non-minimal, or past 64 bits
                node.Children = null;
                node.Content = Pick(EvilIntegers);
                break;
            case 8: // object identifiers with sub-identifiers past 32 bits, unterminated, or padded
                node.Children = null;
                node.Tag = _random.Next(2) == 0 ? (byte)0x06 : node.Tag;
                node.Content = Pick(EvilOids);
                break;
            case 9: // another type where one was expected
                node.Tag = Pick(InterestingTags);
                break;
            case 10 when parent is not null: // drop an element or swap it with a sibling
                var index = parent.Children!.IndexOf(node);
                var other = _random.Next(parent.Children.Count);
                if (_random.Next(2) == 0)
                {
                    parent.Children.RemoveAt(index);
                }
                else
                {
                    (parent.Children[index], parent.Children[other]) = (parent.Children[other], parent.Children[index]);
                }

                break;
            case 11: // random content
                node.Children = null;
                node.Content = new byte[Pick([1, 2, 4, 5, 8, 9, 17, 128, 300])];
                _random.NextBytes(node.Content);
                break;
            default: // splice: an element of another seed in its place
                var donor = SeedTree(_random.Next(_seeds.Count));
                if (donor is not null)
                {
                    var donors = new List<(Node Node, Node? Parent)>();
                    Collect(donor, null, donors);
                    node.Become(donors[_random.Next(donors.Count)].Node.Clone());
                }

                break;
        }

        return false;
    }

    private byte[] MutateBytes(byte[] input)
    {
        if (input.Length == 0)
        {
            return Insert(input, 0, Pick(EvilLengths));
        }

        var length = input.Length;
        switch (_random.Next(9))
        {
            case 0:
                var flipped = (byte[])input.Clone();
                var bit = _random.Next(length * 8);
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                return flipped;
            case 1:
            case 2:
                var set = (byte[])input.Clone();
                set[_random.Next(length)] = _random.Next(2) == 0 ? Pick(InterestingBytes) : (byte)_random.Next(256);
                return set;
            case 3: // truncation: the commonest fault on the wire
                return input.AsSpan(0, _random.Next(length)).ToArray();
            case 4:
                var inserted = new byte[1 + _random.Next(_random.Next(2) == 0 ? 4 : 64)];
                if (_random.Next(2) == 0)
                {
                    _random.NextBytes(inserted);
                }
                else
                {
                    Array.Fill(inserted, Pick(InterestingBytes));
                }

                return Insert(input, _random.Next(length + 1), inserted);
            case 5:
                var start = _random.Next(length);
                var removed = 1 + _random.Next(Math.Min(16, length - start));
                return [.. input.AsSpan(0, start), .. input.AsSpan(start + removed)];
            case 6:
                var from = _random.Next(length);
                var count = 1 + _random.Next(Math.Min(32, length - from));
                return Insert(input, _random.Next(length + 1), input.AsSpan(from, count));
            case 7: // overwrite with bytes of another seed
                var donor = _seeds[_random.Next(_seeds.Count)];
                if (donor.Length == 0)
                {
                    return input;
                }

                var donorStart = _random.Next(donor.Length);
                var donorCount = 1 + _random.Next(donor.Length - donorStart);
                var at = _random.Next(length + 1);
                return [.. input.AsSpan(0, at), .. donor.AsSpan(donorStart, donorCount), .. input.AsSpan(Math.Min(length, at + donorCount))];
            default: // a sub-identifier or length past 32 bits dropped in anywhere
                return Insert(input, _random.Next(length + 1), _random.Next(2) == 0 ? Pick(EvilOids) : Pick(EvilLengths));
        }
    }

    private static byte[] Insert(byte[] input, int at, ReadOnlySpan<byte> bytes) => [.. input.AsSpan(0, at), .. bytes, .. input.AsSpan(at)];

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private static void Collect(Node node, Node? parent, List<(Node, Node?)> nodes)
    {
        // Iterative: a seed may itself be deeply nested after splicing.
        var stack = new Stack<(Node Node, Node? Parent)>();
        stack.Push((node, parent));
        while (stack.Count > 0 && nodes.Count < 4096)
        {
            var (current, currentParent) = stack.Pop();
            nodes.Add((current, currentParent));
            if (current.Children is { } children)
            {
                foreach (var child in children)
                {
                    stack.Push((child, current));
                }
            }
        }
    }

    /// <summary>One TLV: primitive (Content) or constructed (Children), with the ways its length may be spelled wrong.</summary>
    private sealed class Node
    {
        private const int MaxParseDepth = 64;

        public byte Tag { get; set; }

        public byte[] Content { get; set; } = [];

        public List<Node>? Children { get; set; }

        public byte[]? RawLength { get; set; }

        public int LengthDelta { get; set; }

        public int LongFormBytes { get; set; }

        public bool Indefinite { get; set; }

        public int EstimatedLength => 2 + (Children is null ? Content.Length : Children.Sum(c => c.EstimatedLength));

        public static Node? Parse(ReadOnlySpan<byte> data)
        {
            var position = 0;
            var node = Parse(data, ref position, 0);
            return node is not null && position == data.Length ? node : null;
        }

        public Node Clone() => new()
        {
            Tag = Tag,
            Content = Content,
            Children = Children?.Select(c => c.Clone()).ToList(),
            RawLength = RawLength,
            LengthDelta = LengthDelta,
            LongFormBytes = LongFormBytes,
            Indefinite = Indefinite,
        };

        public void Become(Node other)
        {
            Tag = other.Tag;
            Content = other.Content;
            Children = other.Children;
            RawLength = other.RawLength;
            LengthDelta = other.LengthDelta;
            LongFormBytes = other.LongFormBytes;
            Indefinite = other.Indefinite;
        }

        private bool HasEndOfContents => Indefinite && RawLength is null;

        /// <summary>Measures every element, then writes them into one array: two linear passes.</summary>
        public byte[] Serialize()
        {
            var output = new byte[Measure()];
            var position = 0;
            Write(output, ref position);
            return output;
        }

        private int ContentLength { get; set; }

        private int TotalLength { get; set; }

        /// <summary>Sets ContentLength and TotalLength of this element and all below it.</summary>
        private int Measure()
        {
            // Deep nesting is measured iteratively, from the innermost wrapper out.
            var chain = Chain();
            var inner = chain[^1];
            inner.ContentLength = 0;
            if (inner.Children is null)
            {
                inner.ContentLength = inner.Content.Length;
            }
            else
            {
                foreach (var child in inner.Children)
                {
                    inner.ContentLength += child.Measure();
                }
            }

            inner.TotalLength = inner.HeaderLength(inner.ContentLength) + inner.ContentLength + (inner.HasEndOfContents ? 2 : 0);
            for (var i = chain.Count - 2; i >= 0; i--)
            {
                var node = chain[i];
                node.ContentLength = chain[i + 1].TotalLength;
                node.TotalLength = node.HeaderLength(node.ContentLength) + node.ContentLength + (node.HasEndOfContents ? 2 : 0);
            }

            return TotalLength;
        }

        private List<Node> Chain()
        {
            var chain = new List<Node> { this };
            while (chain[^1].Children is [var only] && chain.Count < 100_000)
            {
                chain.Add(only);
            }

            return chain;
        }

        private void Write(byte[] output, ref int position)
        {
            var chain = Chain();
            foreach (var node in chain)
            {
                node.WriteHeader(output, ref position);
            }

            var inner = chain[^1];
            if (inner.Children is null)
            {
                inner.Content.CopyTo(output, position);
                position += inner.Content.Length;
            }
            else
            {
                foreach (var child in inner.Children)
                {
                    child.Write(output, ref position);
                }
            }

            for (var i = chain.Count - 1; i >= 0; i--)
            {
                if (chain[i].HasEndOfContents)
                {
                    output[position++] = 0;
                    output[position++] = 0;
                }
            }
        }

        private int HeaderLength(int contentLength) =>
            1 + (RawLength?.Length ?? (Indefinite ? 1 : LengthBytes(contentLength) is var bytes && bytes == 0 ? 1 : 1 + bytes));

        private int LengthBytes(int contentLength)
        {
            var length = Math.Max(0, contentLength + LengthDelta);
            var minimal = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            return Math.Max(minimal, LongFormBytes);
        }

        private void WriteHeader(byte[] output, ref int position)
        {
            output[position++] = Tag;
            if (RawLength is not null)
            {
                RawLength.CopyTo(output, position);
                position += RawLength.Length;
            }
            else if (Indefinite)
            {
                output[position++] = 0x80;
            }
            else
            {
                var length = Math.Max(0, ContentLength + LengthDelta);
                var bytes = LengthBytes(ContentLength);
                if (bytes == 0)
                {
                    output[position++] = (byte)length;
                }
                else
                {
                    output[position++] = (byte)(0x80 | bytes);
                    for (var i = bytes - 1; i >= 0; i--)
                    {
                        output[position++] = i >= 4 ? (byte)0 : (byte)(length >> (8 * i));
                    }
                }
            }
        }

        private static Node? Parse(ReadOnlySpan<byte> data, ref int position, int depth)
        {
            if (position + 2 > data.Length || depth > MaxParseDepth)
            {
                return null;
            }

            var tag = data[position++];
            int length = data[position++];
            if (length >= 0x80)
            {
                var count = length & 0x7f;
                if (count is 0 or > 3 || position + count > data.Length)
                {
                    return null;
                }

                length = 0;
                for (var i = 0; i < count; i++)
                {
                    length = (length << 8) | data[position++];
                }
            }

            if (length > data.Length - position)
            {
                return null;
            }

            var content = data.Slice(position, length);
            position += length;
            var node = new Node { Tag = tag };
            if ((tag & 0x20) != 0 && (tag & 0x1f) != 0x1f)
            {
                var children = new List<Node>();
                var inner = 0;
                while (inner < content.Length)
                {
                    var child = Parse(content, ref inner, depth + 1);
                    if (child is null)
                    {
                        node.Content = content.ToArray();
                        return node; // not a valid TLV list: keep the bytes as they are
                    }

                    children.Add(child);
                }

                node.Children = children;
            }
            else
            {
                node.Content = content.ToArray();
            }

            return node;
        }
    }
}
