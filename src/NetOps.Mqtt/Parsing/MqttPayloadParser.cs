using System.Buffers;
using System.Text.Json;
using NetOps.Core.Observations;

namespace NetOps.Mqtt.Parsing;

/// <summary>
/// Turns contract messages (docs/mqtt.md) into observations. Reads the payload in place with
/// <see cref="Utf8JsonReader"/>: no string of the whole payload, no DOM. Thread-safe; holds no state.
/// The per-source replay check is the caller's (it needs to know what was applied).
/// </summary>
public sealed class MqttPayloadParser(MqttParserOptions? options = null)
{
    private const int MaxDepth = 4;
    private const int MaxQuantityLength = 32;

    /// <summary>Longest camera status detail accepted, in characters.</summary>
    public const int MaxDetailLength = 128;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public MqttParserOptions Options { get; } = options ?? new MqttParserOptions();

    /// <summary>Parses one message received on <paramref name="topic"/> at <paramref name="arrivedAt"/>.</summary>
    public MqttParseResult Parse(string topic, in ReadOnlySequence<byte> payload, DateTimeOffset arrivedAt, INodeCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (!MqttTopics.TryParse(topic, out var kind, out var subject))
        {
            return MqttParseResult.Reject(MqttTopicKind.Unknown, null, MqttRejectionReason.BadTopic);
        }

        if (payload.Length > Options.MaxPayloadBytes)
        {
            return MqttParseResult.Reject(kind, subject, MqttRejectionReason.Oversize);
        }

        if (catalog is not null && !catalog.IsKnown(subject))
        {
            return MqttParseResult.Reject(kind, subject, MqttRejectionReason.UnknownNode);
        }

        if (payload.IsEmpty)
        {
            // An empty retained message clears the topic on the broker; it says nothing about the node or camera.
            return kind is MqttTopicKind.NodeStatus or MqttTopicKind.CameraStatus
                ? new MqttParseResult(kind, subject, null, null, false)
                : MqttParseResult.Reject(kind, subject, MqttRejectionReason.MalformedJson);
        }

        var fields = new Fields();
        MqttRejection? rejection;
        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            rejection = ReadObject(ref reader, kind, ref fields);
        }
        catch (JsonException)
        {
            rejection = new MqttRejection(MqttRejectionReason.MalformedJson);
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string surfaces here when the value is decoded.
            rejection = new MqttRejection(MqttRejectionReason.MalformedJson);
        }

        if (rejection is not null)
        {
            return new MqttParseResult(kind, subject, null, rejection, false);
        }

        return Build(kind, subject, ref fields, arrivedAt, catalog);
    }

    private MqttParseResult Build(MqttTopicKind kind, string subject, ref Fields f, DateTimeOffset arrivedAt, INodeCatalog? catalog)
    {
        if (f.Seq is not { } seq)
        {
            return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, "seq");
        }

        var deviceTimeRejected = f.TimestampUnreadable;
        var observedAt = arrivedAt;
        if (f.Timestamp is { } ts)
        {
            if (ts < Options.EarliestDeviceTime || ts > arrivedAt + Options.MaxDeviceTimeAhead)
            {
                deviceTimeRejected = true;
            }
            else
            {
                observedAt = ts;
            }
        }

        var interval = catalog?.ReportInterval(subject) ?? Options.DefaultReportInterval;
        var source = SourceName(kind, subject, f.Boot);
        Observation observation;
        switch (kind)
        {
            case MqttTopicKind.NodeTelemetry:
                if (f.GpsPresent && (f.Latitude is null || f.Longitude is null))
                {
                    return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, f.Latitude is null ? "gps.lat" : "gps.lon");
                }

                var telemetry = new NodeTelemetry(
                    f.BatteryPercent,
                    f.Power,
                    f.RuntimeLeftSeconds is { } r ? TimeSpan.FromSeconds(r) : null,
                    f.EnclosureTemperatureC,
                    f.Uplink,
                    f.LteRssiDbm,
                    f.GpsPresent ? new GeoPosition(f.Latitude!.Value, f.Longitude!.Value) : null);
                observation = new NodeTelemetryObservation(source, seq, observedAt, subject, telemetry, interval * Options.FreshnessMultiplier);
                break;
            case MqttTopicKind.NodeStatus:
                if (f.Online is not { } online)
                {
                    return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, "state");
                }

                observation = new NodePresenceObservation(source, seq, observedAt, subject, online, Options.PresenceFreshFor);
                break;
            case MqttTopicKind.SensorHeartbeat:
                var heartbeatInterval = f.IntervalSeconds is { } s ? TimeSpan.FromSeconds(s) : interval;
                observation = new EndpointHeartbeatObservation(source, seq, observedAt, subject, heartbeatInterval * Options.FreshnessMultiplier);
                break;
            case MqttTopicKind.SensorReading:
                if (f.Quantity is null)
                {
                    return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, "quantity");
                }

                if (f.Value is not { } value)
                {
                    return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, "value");
                }

                // A reading is also word that the endpoint is alive: one observation carries both.
                observation = new EndpointHeartbeatObservation(source, seq, observedAt, subject, interval * Options.FreshnessMultiplier,
                    new SensorReading(f.Quantity, value));
                break;
            case MqttTopicKind.CameraStatus:
                if (f.Online is not { } cameraOnline)
                {
                    return MqttParseResult.Reject(kind, subject, MqttRejectionReason.MissingField, "state");
                }

                // With interval_s the publisher repeats the status that often, and it ages out like a heartbeat when the
                // repeats stop (a node that reports for its cameras lost power); without, it holds until the next one.
                observation = new CameraStatusObservation(source, seq, observedAt, subject, cameraOnline, f.Detail,
                    f.IntervalSeconds is { } every ? TimeSpan.FromSeconds(every) * Options.FreshnessMultiplier : null);
                break;
            default:
                return MqttParseResult.Reject(kind, subject, MqttRejectionReason.BadTopic);
        }

        return new MqttParseResult(kind, subject, observation, null, deviceTimeRejected);
    }

    /// <summary>The observation source of a subject: one sequence space per topic kind, id and boot.</summary>
    public static string SourceName(MqttTopicKind kind, string subjectId, string? boot)
    {
        var prefix = kind switch
        {
            MqttTopicKind.NodeTelemetry => "mqtt:telemetry:",
            MqttTopicKind.NodeStatus => "mqtt:status:",
            MqttTopicKind.SensorHeartbeat => "mqtt:heartbeat:",
            MqttTopicKind.SensorReading => "mqtt:reading:",
            MqttTopicKind.CameraStatus => "mqtt:camera:",
            _ => "mqtt:unknown:",
        };
        return boot is null ? string.Concat(prefix, subjectId) : string.Concat(prefix, subjectId, "@", boot);
    }

    private static MqttRejection? ReadObject(ref Utf8JsonReader reader, MqttTopicKind kind, ref Fields f)
    {
        if (!reader.Read())
        {
            return new MqttRejection(MqttRejectionReason.MalformedJson);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // Drain the value so that a non-JSON payload reports as malformed rather than as a wrong type.
            reader.Skip();
            while (reader.Read())
            {
            }

            return new MqttRejection(MqttRejectionReason.WrongType, "payload");
        }

        MqttRejection? first = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var rejection = ReadProperty(ref reader, kind, ref f);
            first ??= rejection;
        }

        // Anything after the object is malformed: Read() throws on trailing tokens.
        while (reader.Read())
        {
        }

        return first;
    }

    private static MqttRejection? ReadProperty(ref Utf8JsonReader reader, MqttTopicKind kind, ref Fields f)
    {
        if (reader.ValueTextEquals("seq"u8))
        {
            reader.Read();
            return ReadSequence(ref reader, out f.Seq);
        }

        if (reader.ValueTextEquals("ts"u8))
        {
            reader.Read();
            return ReadTimestamp(ref reader, ref f);
        }

        if (reader.ValueTextEquals("boot"u8))
        {
            reader.Read();
            return ReadId(ref reader, "boot", MqttTopics.MaxIdLength, out f.Boot);
        }

        // Presence: node and camera status say online or offline.
        if (kind is MqttTopicKind.NodeStatus or MqttTopicKind.CameraStatus && reader.ValueTextEquals("state"u8))
        {
            reader.Read();
            return ReadState(ref reader, out f.Online);
        }

        // How often a heartbeat or a camera status is repeated: it ages out after a multiple of that.
        if (kind is MqttTopicKind.SensorHeartbeat or MqttTopicKind.CameraStatus && reader.ValueTextEquals("interval_s"u8))
        {
            reader.Read();
            return ReadNumber(ref reader, "interval_s", 1, TimeSpan.FromDays(1).TotalSeconds, out f.IntervalSeconds);
        }

        switch (kind)
        {
            case MqttTopicKind.NodeTelemetry:
                if (reader.ValueTextEquals("battery_pct"u8))
                {
                    reader.Read();
                    return ReadNumber(ref reader, "battery_pct", 0, 100, out f.BatteryPercent);
                }

                if (reader.ValueTextEquals("power"u8))
                {
                    reader.Read();
                    return ReadPower(ref reader, out f.Power);
                }

                if (reader.ValueTextEquals("runtime_left_s"u8))
                {
                    reader.Read();
                    return ReadNumber(ref reader, "runtime_left_s", 0, TimeSpan.FromDays(30).TotalSeconds, out f.RuntimeLeftSeconds);
                }

                if (reader.ValueTextEquals("enclosure_temp_c"u8))
                {
                    reader.Read();
                    return ReadNumber(ref reader, "enclosure_temp_c", -50, 120, out f.EnclosureTemperatureC);
                }

                if (reader.ValueTextEquals("uplink"u8))
                {
                    reader.Read();
                    return ReadUplink(ref reader, out f.Uplink);
                }

                if (reader.ValueTextEquals("lte_rssi_dbm"u8))
                {
                    reader.Read();
                    return ReadNumber(ref reader, "lte_rssi_dbm", -150, 0, out f.LteRssiDbm);
                }

                if (reader.ValueTextEquals("gps"u8))
                {
                    reader.Read();
                    return ReadGps(ref reader, ref f);
                }

                break;
            case MqttTopicKind.CameraStatus:
                if (reader.ValueTextEquals("detail"u8))
                {
                    reader.Read();
                    return ReadDetail(ref reader, out f.Detail);
                }

                break;
            case MqttTopicKind.SensorReading:
                if (reader.ValueTextEquals("quantity"u8))
                {
                    reader.Read();
                    return ReadQuantity(ref reader, out f.Quantity);
                }

                if (reader.ValueTextEquals("value"u8))
                {
                    reader.Read();
                    return ReadNumber(ref reader, "value", double.MinValue, double.MaxValue, out f.Value);
                }

                break;
        }

        // Unknown fields are skipped: a newer node firmware may add some before the contract names them.
        reader.Read();
        reader.Skip();
        return null;
    }

    private static MqttRejection? ReadSequence(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return new MqttRejection(MqttRejectionReason.WrongType, "seq");
        }

        if (!reader.TryGetInt64(out var seq) || seq < 0)
        {
            return new MqttRejection(MqttRejectionReason.OutOfRange, "seq");
        }

        value = seq;
        return null;
    }

    private static MqttRejection? ReadNumber(ref Utf8JsonReader reader, string field, double min, double max, out double? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var number) || !double.IsFinite(number) || number < min || number > max)
                {
                    return new MqttRejection(MqttRejectionReason.OutOfRange, field);
                }

                value = number;
                return null;
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, field);
        }
    }

    private static MqttRejection? ReadTimestamp(ref Utf8JsonReader reader, ref Fields f)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                if (reader.TryGetDateTimeOffset(out var parsed))
                {
                    f.Timestamp = parsed;
                }
                else
                {
                    f.TimestampUnreadable = true;
                }

                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var ms) && ms >= -62135596800000L && ms <= 253402300799999L)
                {
                    f.Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                }
                else
                {
                    f.TimestampUnreadable = true;
                }

                return null;
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, "ts");
        }
    }

    private static MqttRejection? ReadPower(ref Utf8JsonReader reader, out PowerSource? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                if (reader.ValueTextEquals("mains"u8))
                {
                    value = PowerSource.Mains;
                    return null;
                }

                if (reader.ValueTextEquals("battery"u8))
                {
                    value = PowerSource.Battery;
                    return null;
                }

                return new MqttRejection(MqttRejectionReason.OutOfRange, "power");
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, "power");
        }
    }

    private static MqttRejection? ReadUplink(ref Utf8JsonReader reader, out UplinkKind? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                if (reader.ValueTextEquals("fibre"u8))
                {
                    value = UplinkKind.Fibre;
                    return null;
                }

                if (reader.ValueTextEquals("lte"u8))
                {
                    value = UplinkKind.Lte;
                    return null;
                }

                if (reader.ValueTextEquals("none"u8))
                {
                    value = UplinkKind.None;
                    return null;
                }

                return new MqttRejection(MqttRejectionReason.OutOfRange, "uplink");
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, "uplink");
        }
    }

    private static MqttRejection? ReadState(ref Utf8JsonReader reader, out bool? online)
    {
        online = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return new MqttRejection(MqttRejectionReason.WrongType, "state");
        }

        if (reader.ValueTextEquals("online"u8))
        {
            online = true;
            return null;
        }

        if (reader.ValueTextEquals("offline"u8))
        {
            online = false;
            return null;
        }

        return new MqttRejection(MqttRejectionReason.OutOfRange, "state");
    }

    private static MqttRejection? ReadGps(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new MqttRejection(MqttRejectionReason.WrongType, "gps");
        }

        f.GpsPresent = true;
        MqttRejection? first = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            MqttRejection? rejection;
            if (reader.ValueTextEquals("lat"u8))
            {
                reader.Read();
                rejection = ReadNumber(ref reader, "gps.lat", -90, 90, out f.Latitude);
            }
            else if (reader.ValueTextEquals("lon"u8))
            {
                reader.Read();
                rejection = ReadNumber(ref reader, "gps.lon", -180, 180, out f.Longitude);
            }
            else
            {
                reader.Read();
                reader.Skip();
                rejection = null;
            }

            first ??= rejection;
        }

        return first;
    }

    private static MqttRejection? ReadQuantity(ref Utf8JsonReader reader, out string? quantity)
    {
        quantity = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return new MqttRejection(MqttRejectionReason.WrongType, "quantity");
        }

        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (reader.ValueIsEscaped || length is 0 or > MaxQuantityLength)
        {
            return new MqttRejection(MqttRejectionReason.OutOfRange, "quantity");
        }

        Span<char> chars = stackalloc char[MaxQuantityLength];
        var written = reader.CopyString(chars);
        foreach (var c in chars[..written])
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return new MqttRejection(MqttRejectionReason.OutOfRange, "quantity");
            }
        }

        quantity = new string(chars[..written]);
        return null;
    }

    private static MqttRejection? ReadDetail(ref Utf8JsonReader reader, out string? detail)
    {
        detail = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                // A character takes 1 to 6 bytes of JSON (\uXXXX): what is too long to fit is refused before it is decoded.
                var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                if (length > MaxDetailLength * 6)
                {
                    return new MqttRejection(MqttRejectionReason.OutOfRange, "detail");
                }

                var text = reader.GetString()!;
                if (text.Length > MaxDetailLength)
                {
                    return new MqttRejection(MqttRejectionReason.OutOfRange, "detail");
                }

                foreach (var c in text)
                {
                    // Control characters (newlines, escapes for terminals) have no place in a one-line status text.
                    if (char.IsControl(c))
                    {
                        return new MqttRejection(MqttRejectionReason.OutOfRange, "detail");
                    }
                }

                detail = text.Length == 0 ? null : text;
                return null;
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, "detail");
        }
    }

    private static MqttRejection? ReadId(ref Utf8JsonReader reader, string field, int maxLength, out string? id)
    {
        id = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                if (reader.ValueIsEscaped || length > maxLength)
                {
                    return new MqttRejection(MqttRejectionReason.OutOfRange, field);
                }

                Span<char> chars = stackalloc char[maxLength];
                var written = reader.CopyString(chars);
                if (!MqttTopics.IsValidId(chars[..written]))
                {
                    return new MqttRejection(MqttRejectionReason.OutOfRange, field);
                }

                id = new string(chars[..written]);
                return null;
            default:
                reader.Skip();
                return new MqttRejection(MqttRejectionReason.WrongType, field);
        }
    }

    private struct Fields
    {
        public long? Seq;
        public DateTimeOffset? Timestamp;
        public bool TimestampUnreadable;
        public string? Boot;
        public double? BatteryPercent;
        public PowerSource? Power;
        public double? RuntimeLeftSeconds;
        public double? EnclosureTemperatureC;
        public UplinkKind? Uplink;
        public double? LteRssiDbm;
        public bool GpsPresent;
        public double? Latitude;
        public double? Longitude;
        public bool? Online;
        public double? IntervalSeconds;
        public string? Quantity;
        public double? Value;
        public string? Detail;
    }
}
