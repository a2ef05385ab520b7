using Microsoft.Extensions.Logging;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// Logs a rejection at most once per window per source (the subject id), with the number suppressed since.
/// A misbehaving node sends every few seconds; the counter counts each message, the log tells once. A flood of
/// distinct subjects (topic scanning without a catalog) is capped too: at most <see cref="MaxLinesPerWindow"/>
/// lines per window in all, then one line saying how many were not logged.
/// </summary>
internal sealed class RejectionLog(ILogger logger, TimeProvider time, TimeSpan window)
{
    public const int MaxLinesPerWindow = 100;
    private const int MaxTracked = 10_000;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _linesInWindow;
    private long _overBudget;

    public void Rejected(string? subject, MqttRejectionReason reason, string? field)
    {
        var key = subject ?? "(bad topic)";
        var now = time.GetUtcNow();
        long suppressed;
        long overBudget = 0;
        lock (_gate)
        {
            if (now - _windowStart >= window)
            {
                _windowStart = now;
                _linesInWindow = 0;
                overBudget = _overBudget;
                _overBudget = 0;
            }

            if (_entries.TryGetValue(key, out var entry) && now - entry.LoggedAt < window)
            {
                entry.Suppressed++;
                return;
            }

            if (_linesInWindow >= MaxLinesPerWindow)
            {
                _overBudget++;
                return;
            }

            if (_entries.Count >= MaxTracked)
            {
                // Entries older than the window carry nothing but a suppressed count; the budget above bounds the log.
                _entries.Clear();
            }

            _linesInWindow++;
            suppressed = entry?.Suppressed ?? 0;
            _entries[key] = new Entry { LoggedAt = now };
        }

        if (overBudget > 0)
        {
            logger.LogWarning("{Count} MQTT rejections were not logged in the last window: more than {Budget} sources misbehaved",
                overBudget, MaxLinesPerWindow);
        }

        // Subject ids are validated topic segments ([A-Za-z0-9._-], at most 64); field names are the contract's own.
        logger.LogWarning("MQTT message from {Subject} rejected: {Reason} (field {Field}); {Suppressed} more rejections from this source were not logged",
            key, reason, field, suppressed);
    }

    private sealed class Entry
    {
        public DateTimeOffset LoggedAt { get; init; }

        public long Suppressed { get; set; }
    }
}
