using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetOps.Database;

/// <summary>
/// How the alert tables' JSON columns are written: web defaults (camelCase), enums by name (a reordered enum must not
/// change stored data), computed properties (Fingerprint, IsOpen, Summary) left out.
/// </summary>
internal static class AlertJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter(), new SortedLabelsConverter(), new StringArrayConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null where a {typeof(T).Name} was stored");

    /// <summary>Labels and annotations come back with the ordinal comparer the domain sorts by, not the culture's.</summary>
    private sealed class SortedLabelsConverter : JsonConverter<ImmutableSortedDictionary<string, string>>
    {
        public override ImmutableSortedDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("labels must be a JSON object");
            }

            var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                builder[name] = reader.GetString() ?? throw new JsonException($"label '{name}' has no value");
            }

            return builder.ToImmutable();
        }

        public override void Write(Utf8JsonWriter writer, ImmutableSortedDictionary<string, string> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (name, text) in value)
            {
                writer.WriteString(name, text);
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>An uninitialised <see cref="ImmutableArray{T}"/> cannot be enumerated: it is written as empty.</summary>
    private sealed class StringArrayConverter : JsonConverter<ImmutableArray<string>>
    {
        public override ImmutableArray<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("expected a JSON array of strings");
            }

            var builder = ImmutableArray.CreateBuilder<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                builder.Add(reader.GetString() ?? throw new JsonException("null in an array of strings"));
            }

            return builder.ToImmutable();
        }

        public override void Write(Utf8JsonWriter writer, ImmutableArray<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value.IsDefault ? [] : value)
            {
                writer.WriteStringValue(item);
            }

            writer.WriteEndArray();
        }
    }
}
