using System.Buffers;
using System.Text.Json;
using NetOps.Core.Observations;

namespace NetOps.Storage.Points;

/// <summary>
/// Notifications as points of <see cref="Schema.Trap"/> and back: the engine's process writes them, a web-only
/// process lists them (<see cref="StoredTrapLog"/>). Only what the trap log shows is stored: no community, no secret.
/// </summary>
public static class TrapPoints
{
    private static readonly Dictionary<string, NotificationKind> KindsByName =
        Enum.GetValues<NotificationKind>().ToDictionary(NameOf, StringComparer.Ordinal);

    /// <summary>The kind as a tag value, as the REST API spells it: "link-down".</summary>
    public static string NameOf(NotificationKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    /// <summary>The point of one notification.</summary>
    public static Point ToPoint(DeviceNotificationObservation notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var fields = new List<Field>(4);
        if (!string.IsNullOrEmpty(notification.Port))
        {
            fields.Add(Field.String(Schema.Fields.Port, notification.Port));
        }

        if (!string.IsNullOrEmpty(notification.Sender))
        {
            fields.Add(Field.String(Schema.Fields.Sender, notification.Sender));
        }

        fields.Add(Field.String(Schema.Fields.Varbinds, VarbindsJson(notification.Varbinds)));
        if (!string.IsNullOrEmpty(notification.Version))
        {
            fields.Add(Field.String(Schema.Fields.Version, notification.Version));
        }

        // Sorted by key, as InfluxDB stores them.
        return new Point(Schema.Trap,
            [new Tag(Schema.Tags.Device, notification.DeviceId), new Tag(Schema.Tags.Kind, NameOf(notification.Notification)),
             new Tag(Schema.Tags.TrapOid, notification.TrapOid)],
            [.. fields], Point.ToNanoseconds(notification.ObservedAt));
    }

    /// <summary>A stored trap point as the trap log lists it; null when it is not one (a field missing or malformed).</summary>
    public static RecentNotification? FromPoint(StoredPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var values = point.Values;
        if (!values.TryGetValue(Schema.Tags.TrapOid, out var trapOid))
        {
            return null;
        }

        List<NotificationVarbind> varbinds = [];
        if (values.TryGetValue(Schema.Fields.Varbinds, out var json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                foreach (var binding in document.RootElement.EnumerateArray())
                {
                    varbinds.Add(new NotificationVarbind(binding.GetProperty("oid").GetString() ?? "", binding.GetProperty("value").GetString() ?? ""));
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                return null;
            }
        }

        return new RecentNotification(point.Time, values.GetValueOrDefault(Schema.Fields.Sender) ?? "", values.GetValueOrDefault(Schema.Fields.Version) ?? "",
            values.GetValueOrDefault(Schema.Tags.Device),
            KindsByName.GetValueOrDefault(values.GetValueOrDefault(Schema.Tags.Kind) ?? "", NotificationKind.Other), trapOid,
            values.GetValueOrDefault(Schema.Fields.Port), varbinds);
    }

    private static string VarbindsJson(IReadOnlyList<NotificationVarbind> varbinds)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + varbinds.Count * 48);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var binding in varbinds)
            {
                writer.WriteStartObject();
                writer.WriteString("oid", binding.Oid);
                writer.WriteString("value", binding.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
