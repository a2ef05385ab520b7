using System.Diagnostics.CodeAnalysis;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>Where in which file a value came from, so a later cross-check can point at it.</summary>
internal readonly record struct Origin(string File, int Line, int Column, string Field)
{
    public string Place => $"{File}:{Line}";

    public InventoryError Error(string message) => new(File, Line, Column, Field, message);
}

/// <summary>A scalar value with its position and field path.</summary>
internal readonly record struct Scalar(string Value, Origin At);

internal static class Yaml
{
    public static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

    /// <summary>
    /// Loads a YAML stream; a syntax error becomes (line, column, message). YamlDotNet reports most syntax
    /// errors as <see cref="YamlException"/> with a position, but some malformed input ends in an
    /// <see cref="InvalidOperationException"/> from its scanner: that one is placed after the last good token.
    /// </summary>
    public static bool TryLoad(TextReader reader, out YamlStream stream, out (int Line, int Column, string Message) error)
    {
        stream = new YamlStream();
        var parser = new TrackingParser(new Parser(reader));
        try
        {
            stream.Load(parser);
            error = default;
            return true;
        }
        catch (YamlException e)
        {
            var message = e.InnerException is { } inner && e.Message.EndsWith("See inner exception.", StringComparison.Ordinal)
                ? inner.Message
                : e.Message;
            error = (ToInt(e.Start.Line), ToInt(e.Start.Column), StripPosition(message));
            return false;
        }
        catch (InvalidOperationException)
        {
            error = (ToInt(parser.LastGood.Line), ToInt(parser.LastGood.Column), "malformed YAML after this point (an unclosed bracket or quote?)");
            return false;
        }
    }

    private static string StripPosition(string message)
    {
        // "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): While scanning ..." -> "While scanning ..."
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0 ? message[(marker + 3)..] : message;
    }

    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastGood { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastGood = current.End;
            }

            return moved;
        }
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}

/// <summary>Collects errors for one file, each at a node's line and column.</summary>
internal sealed class FileContext(string file, List<InventoryError> errors)
{
    public string File { get; } = file;

    public Origin At(YamlNode node, string field) =>
        new(File, Yaml.ToInt(node.Start.Line), Yaml.ToInt(node.Start.Column), field);

    public void Error(YamlNode node, string field, string message) => errors.Add(At(node, field).Error(message));

    public void Error(Origin at, string message) => errors.Add(at.Error(message));

    /// <summary>Opens a node as a map with the given keys; reports a non-map and every unknown key.</summary>
    public MapReader? Map(YamlNode node, string field, IReadOnlyCollection<string> keys)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, field, "expected a map of " + string.Join(", ", keys));
            return null;
        }

        var reader = new MapReader(this, map, field);
        foreach (var keyNode in map.Children.Keys)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!keys.Contains(key))
            {
                var hint = Secrets.Contains(key)
                    ? "; secrets never go in the inventory: name one with snmp.credential"
                    : "; expected one of " + string.Join(", ", keys);
                Error(keyNode, Join(field, key), $"unknown key '{key}'{hint}");
            }
        }

        return reader;
    }

    public static string Join(string field, string key) => field.Length == 0 ? key : field + "." + key;

    private static readonly HashSet<string> Secrets = new(StringComparer.OrdinalIgnoreCase)
    {
        "community", "password", "secret", "auth_key", "priv_key", "auth_password", "priv_password", "key", "token",
    };
}

/// <summary>Reads the fields of one map, reporting missing and mistyped ones under their field path.</summary>
internal sealed class MapReader(FileContext context, YamlMappingNode map, string field)
{
    public FileContext Context { get; } = context;
    public YamlMappingNode Node { get; } = map;
    public string Field { get; } = field;
    public Origin At => Context.At(Node, Field);

    public string Path(string key) => FileContext.Join(Field, key);

    public bool Has(string key) => TryGet(key, out _);

    /// <summary>A scalar field; null (and an error when required) if absent or empty.</summary>
    public Scalar? Scalar(string key, bool required = false)
    {
        if (!TryGet(key, out var node) || Yaml.IsNull(node))
        {
            if (required)
            {
                Context.Error(node ?? Node, Path(key), "missing required field");
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { } value })
        {
            Context.Error(node, Path(key), "expected a single value, not a list or map");
            return null;
        }

        return new Scalar(value, Context.At(node, Path(key)));
    }

    /// <summary>A nested map; null if absent (an error when required) or not a map.</summary>
    public MapReader? Map(string key, IReadOnlyCollection<string> keys, bool required = false)
    {
        if (!TryGet(key, out var node) || Yaml.IsNull(node))
        {
            if (required)
            {
                Context.Error(node ?? Node, Path(key), "missing required field");
            }

            return null;
        }

        return Context.Map(node, Path(key), keys);
    }

    /// <summary>The items of a list field with their field paths (<c>key[i]</c>); empty if absent.</summary>
    public IEnumerable<(YamlNode Item, string Field)> List(string key)
    {
        if (!TryGet(key, out var node) || Yaml.IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Context.Error(node, Path(key), "expected a list");
            return [];
        }

        return sequence.Children.Select((item, i) => (item, $"{Path(key)}[{i}]"));
    }

    private bool TryGet(string key, [NotNullWhen(true)] out YamlNode? node) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out node);
}
