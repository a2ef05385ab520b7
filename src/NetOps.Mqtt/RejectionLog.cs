using Microsoft.Extensions.Logging;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// Logs a rejection at most once per window per subject and reason, with the number suppressed since.
/// A misbehaving node sends every few seconds; the counter counts each message, the log tells once.
/// </summary>
internal sealed class RejectionLog(ILogger logger, TimeProvider time, TimeSpan window)
{
    private const int MaxTracked = 10_000;
    private readonly Dictionary<(string Subject, MqttRejectionReason Reason), Entry> _entries = [];
    private readonly Lock _gate = new();

    public void Rejected(string? subject, MqttRejectionReason reason, string? field)
    {
        var key = (subject ?? "(bad topic)", reason);
        var now = time.GetUtcNow();
        long suppressed;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && now - entry.LoggedAt < window)
            {
                entry.Suppressed++;
                return;
            }

            if (_entries.Count >= MaxTracked)
            {
                // A flood of distinct subjects (topic scanning) must not grow memory without bound.
                _entries.Clear();
            }

            suppressed = entry?.Suppressed ?? 0;
            _entries[key] = new Entry { LoggedAt = now };
        }

        // Subject ids are validated topic segments ([A-Za-z0-9._-], at most 64); field names are the contract's own.
        logger.LogWarning("MQTT message from {Subject} rejected: {Reason} (field {Field}); {Suppressed} more rejections of this kind were not logged",
            key.Item1, reason, field, suppressed);
    }

    private sealed class Entry
    {
        public DateTimeOffset LoggedAt { get; init; }

        public long Suppressed { get; set; }
    }
}
