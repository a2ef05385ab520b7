namespace NetOps.Mqtt.Parsing;

/// <summary>Limits and defaults of the payload parser.</summary>
public sealed record MqttParserOptions
{
    /// <summary>Payloads above this many bytes are rejected unread (16 KiB).</summary>
    public int MaxPayloadBytes { get; init; } = 16 * 1024;

    /// <summary>Telemetry stays fresh for this many report intervals (3).</summary>
    public double FreshnessMultiplier { get; init; } = 3;

    /// <summary>Report interval of a node or endpoint the catalog does not know an interval for (10 s).</summary>
    public TimeSpan DefaultReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a presence report stays evidence (1 day): offline holds until the next report, and the state
    /// engine adds this to a timestamp, so it must stay far from TimeSpan.MaxValue.
    /// </summary>
    public TimeSpan PresenceFreshFor { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Device times before this are a clock without a fix (a GPS-less boot sends 1970).</summary>
    public DateTimeOffset EarliestDeviceTime { get; init; } = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Device times further ahead of arrival than this are not believed (5 min).</summary>
    public TimeSpan MaxDeviceTimeAhead { get; init; } = TimeSpan.FromMinutes(5);
}
