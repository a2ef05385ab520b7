using System.Text.RegularExpressions;

namespace NetOps.Core.Alerts;

/// <summary>How a matcher compares a label, as Alertmanager's matchers do (=, !=, =~, !~).</summary>
public enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>One label matcher of a silence or maintenance window. A regex matches the whole value (anchored).</summary>
public sealed record Matcher(string Name, MatchOperator Operator, string Value)
{
    private Regex? _regex;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var value = labels.TryGetValue(Name, out var v) ? v : "";
        return Operator switch
        {
            MatchOperator.Equal => value == Value,
            MatchOperator.NotEqual => value != Value,
            MatchOperator.Regex => Pattern().IsMatch(value),
            MatchOperator.NotRegex => !Pattern().IsMatch(value),
            _ => false,
        };
    }

    /// <summary>True when <paramref name="labels"/> satisfy every matcher (an empty list matches nothing: no silence of everything by mistake).</summary>
    public static bool All(IReadOnlyList<Matcher> matchers, IReadOnlyDictionary<string, string> labels) =>
        matchers.Count > 0 && matchers.All(m => m.Matches(labels));

    /// <summary>Checks a regex matcher's pattern; the error says why it does not compile.</summary>
    public string? Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            return "a matcher needs a label name";
        }

        if (Operator is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            try
            {
                _ = Pattern();
            }
            catch (ArgumentException e)
            {
                return $"'{Value}' is not a regular expression: {e.Message}";
            }
        }

        return null;
    }

    /// <summary>
    /// Reads a matcher as Alertmanager writes one: <c>name="value"</c>, <c>name!=value</c>, <c>name=~"regex"</c>,
    /// <c>name!~regex</c> (quotes optional). Null with <paramref name="error"/> when it is not one.
    /// </summary>
    public static Matcher? Parse(string text, out string? error)
    {
        var at = text.IndexOfAny(['=', '!']);
        if (at <= 0)
        {
            error = $"'{text}' is not a matcher (name=\"value\", name!=\"value\", name=~\"regex\", name!~\"regex\")";
            return null;
        }

        var name = text[..at].Trim();
        var rest = text[at..];
        var (op, length) = rest switch
        {
            _ when rest.StartsWith("=~", StringComparison.Ordinal) => (MatchOperator.Regex, 2),
            _ when rest.StartsWith("!~", StringComparison.Ordinal) => (MatchOperator.NotRegex, 2),
            _ when rest.StartsWith("!=", StringComparison.Ordinal) => (MatchOperator.NotEqual, 2),
            _ when rest.StartsWith('=') => (MatchOperator.Equal, 1),
            _ => (MatchOperator.Equal, 0),
        };
        if (length == 0)
        {
            error = $"'{text}' is not a matcher: expected =, !=, =~ or !~ after '{name}'";
            return null;
        }

        var value = rest[length..].Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        var matcher = new Matcher(name, op, value);
        error = matcher.Validate();
        return error is null ? matcher : null;
    }

    public override string ToString() => Name + Operator switch
    {
        MatchOperator.Equal => "=",
        MatchOperator.NotEqual => "!=",
        MatchOperator.Regex => "=~",
        _ => "!~",
    } + "\"" + Value + "\"";

    private Regex Pattern() => _regex ??= new Regex("^(?:" + Value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
}

/// <summary>Holds back notifications of the alerts its matchers select, from <see cref="StartsAt"/> until <see cref="EndsAt"/>.</summary>
public sealed record Silence(
    string Id,
    IReadOnlyList<Matcher> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment,
    DateTimeOffset CreatedAt)
{
    /// <summary>Who expired the silence early, if anyone did.</summary>
    public string? ExpiredBy { get; init; }

    public bool ActiveAt(DateTimeOffset at) => StartsAt <= at && at < EndsAt;

    public bool Silences(Alert alert, DateTimeOffset at) => ActiveAt(at) && Matcher.All(Matchers, alert.Labels);
}
