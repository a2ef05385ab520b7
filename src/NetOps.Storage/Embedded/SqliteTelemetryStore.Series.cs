using System.Text.Json;
using NetOps.Storage.Points;

namespace NetOps.Storage.Embedded;

// The series cache: every series id by its canonical tags and by the tags as a point gives them, and the rows queries filter.
public sealed partial class SqliteTelemetryStore
{

    /// <summary>Reads every series of the file into the cache.</summary>
    private void LoadSeries()
    {
        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT id, measurement, tags FROM series";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            AddSeries(reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
        }
    }

    private void ReloadSeries()
    {
        _seriesIds.Clear();
        _seriesByTags.Clear();
        lock (_series)
        {
            _series.Clear();
        }

        LoadSeries();
    }

    private void AddSeries(long id, string measurement, string tags)
    {
        _seriesIds[(measurement, tags)] = id;
        lock (_series)
        {
            _series.Add(new SqliteSeries(id, measurement, ParseTags(tags)));
        }
    }

    private static string TagsJson(IReadOnlyList<Tag> tags)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag.Value.Length > 0)
            {
                sorted[tag.Key] = tag.Value;
            }
        }

        return JsonSerializer.Serialize(sorted, SqliteJson.Default.SortedDictionaryStringString);
    }

    private static Dictionary<string, string> ParseTags(string json) =>
        JsonSerializer.Deserialize(json, SqliteJson.Default.DictionaryStringString) ?? [];

    /// <summary>A series as a point names it: its measurement and its tags in the point's order.</summary>
    private readonly record struct SeriesKey(string Measurement, Tag[] Tags);

    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y) =>
            string.Equals(x.Measurement, y.Measurement, StringComparison.Ordinal) && x.Tags.AsSpan().SequenceEqual(y.Tags);

        public int GetHashCode(SeriesKey key)
        {
            var hash = new HashCode();
            hash.Add(key.Measurement, StringComparer.Ordinal);
            foreach (var tag in key.Tags)
            {
                hash.Add(tag.Key, StringComparer.Ordinal);
                hash.Add(tag.Value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SortedDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SqliteJson : System.Text.Json.Serialization.JsonSerializerContext;
