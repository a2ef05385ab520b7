using System.Globalization;
using System.Text;

namespace NetOps.Storage.Influx;

/// <summary>InfluxQL for the store's chart and latest queries; identifiers and values are quoted, never pasted.</summary>
public static class InfluxQl
{
    /// <summary>A double-quoted identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A single-quoted string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public static string Function(Aggregate aggregate) => aggregate switch
    {
        Aggregate.Min => "min",
        Aggregate.Max => "max",
        Aggregate.Last => "last",
        Aggregate.Sum => "sum",
        Aggregate.Count => "count",
        _ => "mean",
    };

    /// <summary>
    /// <c>SELECT fn("field") AS "value" FROM "rp"."m" WHERE tags AND time &gt;= from AND time &lt; to GROUP BY time(window), tags fill(none)
    /// LIMIT points SLIMIT series</c>: the store's bounds (<see cref="SeriesQuery.PointLimit"/>, <see cref="SeriesQuery.SeriesLimit"/>).
    /// </summary>
    public static string Series(SeriesQuery query, string? retentionPolicy = null)
    {
        var window = Math.Max(1, (long)query.Window.TotalMilliseconds);
        var text = new StringBuilder()
            .Append("SELECT ").Append(Function(query.Aggregate)).Append('(').Append(Identifier(query.Field)).Append(") AS \"value\" FROM ")
            .Append(From(query.Measurement, retentionPolicy))
            .Append(" WHERE ");
        AppendWhere(text, query.Where);
        text.Append(CultureInfo.InvariantCulture, $"time >= {query.From.ToUnixTimeMilliseconds()}ms AND time < {query.To.ToUnixTimeMilliseconds()}ms")
            .Append(CultureInfo.InvariantCulture, $" GROUP BY time({window}ms)");
        foreach (var tag in query.GroupBy)
        {
            text.Append(", ").Append(Identifier(tag));
        }

        return text.Append(" fill(none)")
            .Append(CultureInfo.InvariantCulture, $" LIMIT {SeriesQuery.PointLimit} SLIMIT {query.SeriesLimit}")
            .ToString();
    }

    /// <summary><c>SELECT last("field") AS "value" FROM "m" WHERE tags GROUP BY tags|*</c>.</summary>
    public static string Latest(LatestQuery query, string? retentionPolicy = null)
    {
        var text = new StringBuilder()
            .Append("SELECT last(").Append(Identifier(query.Field)).Append(") AS \"value\" FROM ").Append(From(query.Measurement, retentionPolicy));
        if (query.Where.Count > 0)
        {
            text.Append(" WHERE ");
            AppendWhere(text, query.Where);
            text.Length -= " AND ".Length;
        }

        text.Append(" GROUP BY ").Append(query.GroupBy.Count == 0 ? "*" : string.Join(", ", query.GroupBy.Select(Identifier)));
        return text.ToString();
    }

    private static string From(string measurement, string? retentionPolicy) =>
        string.IsNullOrEmpty(retentionPolicy) ? Identifier(measurement) : Identifier(retentionPolicy) + "." + Identifier(measurement);

    private static void AppendWhere(StringBuilder text, IReadOnlyDictionary<string, string> where)
    {
        foreach (var (key, value) in where.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append(Identifier(key)).Append(" = ").Append(Literal(value)).Append(" AND ");
        }
    }
}
