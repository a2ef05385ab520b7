using System.Text;
using System.Text.Json;

namespace NetOps.Storage.Buffer;

/// <summary>
/// Points InfluxDB will never take (or NetOps cannot encode), one JSON object a line: <c>at</c>, <c>reason</c>,
/// <c>line</c> (the line protocol). Appended and fsync'd; an operator may fix and replay them by hand.
/// </summary>
public sealed class DeadLetterFile(string path)
{
    private readonly object _gate = new();

    public string Path { get; } = path;

    public void Append(IEnumerable<string> lines, string reason, DateTimeOffset at)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(JsonSerializer.Serialize(new DeadLetter(at, reason, line), DeadLetterJson.Default.DeadLetter)).Append('\n');
        }

        lock (_gate)
        {
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Every dead letter written so far (tests, operators' tools).</summary>
    public IReadOnlyList<DeadLetter> ReadAll() =>
        File.Exists(Path)
            ? File.ReadAllLines(Path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize(l, DeadLetterJson.Default.DeadLetter)!).ToList()
            : [];
}

/// <summary>One dead-lettered point with InfluxDB's reason.</summary>
public sealed record DeadLetter(DateTimeOffset At, string Reason, string Line);

[System.Text.Json.Serialization.JsonSerializable(typeof(DeadLetter))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DeadLetterJson : System.Text.Json.Serialization.JsonSerializerContext;
