using System.Collections.Immutable;
using System.Globalization;

namespace NetOps.Core.State;

/// <summary>The kinds of entity that carry a live state.</summary>
public enum EntityKind
{
    Device,
    Port,
    Link,
    Node,
    Endpoint,
}

/// <summary>Identifies an entity by kind and stable id. A port's id is "deviceId/ifName".</summary>
public readonly record struct EntityRef(EntityKind Kind, string Id)
{
    public static EntityRef Device(string id) => new(EntityKind.Device, id);
    public static EntityRef Port(string deviceId, string ifName) => new(EntityKind.Port, deviceId + "/" + ifName);
    public static EntityRef Link(string id) => new(EntityKind.Link, id);
    public static EntityRef Node(string id) => new(EntityKind.Node, id);
    public static EntityRef Endpoint(string id) => new(EntityKind.Endpoint, id);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Id}";
}

/// <summary>The health an entity is in.</summary>
public enum StateValue
{
    /// <summary>No fresh evidence: never green by default.</summary>
    Unknown,
    Up,
    Degraded,
    Down,
    /// <summary>Not deployed (in storage or torn down): cannot be down.</summary>
    Inactive,
}

/// <summary>
/// Why an entity is in its state: a stable code with named values, rendered to text at the edge
/// so that a translated UI is a translation, not a rewrite.
/// </summary>
public sealed class Reason : IEquatable<Reason>
{
    public Reason(string code, ImmutableSortedDictionary<string, string>? args = null)
    {
        Code = code;
        Args = args ?? ImmutableSortedDictionary<string, string>.Empty;
    }

    public string Code { get; }
    public ImmutableSortedDictionary<string, string> Args { get; }

    public static Reason Of(string code, params (string Key, object? Value)[] args)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in args)
        {
            builder[key] = value switch
            {
                null => "",
                DateTimeOffset at => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        }

        return new Reason(code, builder.ToImmutable());
    }

    public string? this[string key] => Args.TryGetValue(key, out var v) ? v : null;

    public bool Equals(Reason? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Code != other.Code || Args.Count != other.Args.Count)
        {
            return false;
        }

        foreach (var (key, value) in Args)
        {
            if (!other.Args.TryGetValue(key, out var v) || v != value)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as Reason);

    public override int GetHashCode() => HashCode.Combine(Code, Args.Count);

    public override string ToString() =>
        Args.Count == 0 ? Code : $"{Code}({string.Join(", ", Args.Select(kv => $"{kv.Key}={kv.Value}"))})";
}

/// <summary>
/// The live state of one entity with its evidence: since when, when last observed, by which source,
/// and how long the evidence stays fresh before the state turns unknown.
/// </summary>
public sealed record EntityState(
    EntityRef Entity,
    StateValue Value,
    Reason Reason,
    DateTimeOffset Since,
    DateTimeOffset ObservedAt,
    string Source,
    TimeSpan FreshFor)
{
    /// <summary>Extra live values shown beside the state (rates, battery); canonical units, keyed by name.</summary>
    public ImmutableSortedDictionary<string, double> Metrics { get; init; } = ImmutableSortedDictionary<string, double>.Empty;

    /// <summary>
    /// Descriptive values beside the state (how a link was discovered, where an endpoint was seen, ifAlias). Some are
    /// device-supplied text: untrusted, shown as text only.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Attributes { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool SameHealthAs(EntityState other) => Value == other.Value && Reason.Equals(other.Reason);
}
