using System.Buffers;
using System.Globalization;
using System.Text.Json;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// Alertmanager's JSON, written in one place: the webhook payload version 4 (the webhook and MQTT receivers send it, so
/// that anything built for Alertmanager's webhook reads NetOps unchanged) and the postable alerts of its
/// <c>/api/v2/alerts</c>.
/// </summary>
internal static class AlertmanagerPayload
{
    /// <summary>What Alertmanager sends as <c>endsAt</c> of a firing alert: Go's zero time.</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>Annotations NetOps adds for an acknowledged alert, which stays firing for Alertmanager.</summary>
    public const string AcknowledgedBy = "acknowledged_by";

    public const string AcknowledgedAt = "acknowledged_at";

    public const string AcknowledgementComment = "acknowledgement_comment";

    /// <summary>The labels a NetOps group is formed by, as far as they are common to its alerts (<c>groupLabels</c>).</summary>
    private static readonly string[] GroupBy = [AlertLabels.Name, AlertLabels.Subject];

    /// <summary>The webhook payload version 4 of <paramref name="notification"/> as <paramref name="receiver"/> gets it.</summary>
    public static byte[] Webhook(Notification notification, string receiver, Uri? externalUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var annotations = notification.Alerts.Select(Annotations).ToList();
            var commonLabels = CommonLabels(notification.Alerts);
            json.WriteStartObject();
            json.WriteString("version", "4");
            json.WriteString("groupKey", notification.GroupKey);
            json.WriteNumber("truncatedAlerts", 0);
            json.WriteString("status", notification.Firing ? "firing" : "resolved");
            json.WriteString("receiver", receiver);
            WriteMap(json, "groupLabels", GroupedBy(commonLabels));
            WriteMap(json, "commonLabels", commonLabels);
            WriteMap(json, "commonAnnotations", Common(annotations));
            json.WriteString("externalURL", externalUrl?.AbsoluteUri ?? "");
            json.WriteStartArray("alerts");
            for (var i = 0; i < notification.Alerts.Count; i++)
            {
                WriteAlert(json, notification.Alerts[i], annotations[i], externalUrl);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One alert as in the webhook payload's <c>alerts[]</c>: its current state, on its own.</summary>
    public static byte[] Alert(Alert alert, Uri? externalUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteAlert(json, alert, Annotations(alert), externalUrl);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The body of <c>POST /api/v2/alerts</c>. Labels are the alert's own and never change with its state: Alertmanager
    /// knows an alert by its labels. An open alert ends at <paramref name="now"/> + <paramref name="horizon"/>, unless
    /// posted again before; a resolved one at its own end, which resolves it.
    /// </summary>
    public static byte[] PostableAlerts(IEnumerable<Alert> alerts, Uri? externalUrl, DateTimeOffset now, TimeSpan horizon)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var alert in alerts)
            {
                // Alertmanager refuses an alert that ends before it starts.
                var endsAt = alert.IsOpen ? now + horizon : alert.EndsAt ?? now;
                json.WriteStartObject();
                WriteMap(json, "labels", alert.Labels);
                WriteMap(json, "annotations", Annotations(alert));
                json.WriteString("startsAt", Timestamp(alert.StartsAt));
                json.WriteString("endsAt", Timestamp(endsAt < alert.StartsAt ? alert.StartsAt : endsAt));
                if (AlertLink(externalUrl, alert.Id) is { } link)
                {
                    json.WriteString("generatorURL", link.AbsoluteUri);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The alert's page on the dashboard (<c>{ExternalUrl}alerts/{id}</c>), or null without an external URL.</summary>
    public static Uri? AlertLink(Uri? externalUrl, string id) =>
        externalUrl is null ? null : new Uri(WithTrailingSlash(externalUrl), "alerts/" + Uri.EscapeDataString(id));

    /// <summary>RFC 3339 in UTC, fractions of a second only when there are any (as Go writes it).</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The alert's annotations, and who acknowledged it: an acknowledged alert is still firing for Alertmanager and its
    /// receivers, so the acknowledgement travels as annotations (labels must stay as they are). The subjects affected
    /// behind it are listed when the annotation does not already say.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Annotations(Alert alert)
    {
        var annotations = alert.Annotations;
        if (alert.Acknowledgement is { } ack)
        {
            annotations = annotations.SetItem(AcknowledgedBy, ack.By).SetItem(AcknowledgedAt, Timestamp(ack.At));
            if (!string.IsNullOrEmpty(ack.Comment))
            {
                annotations = annotations.SetItem(AcknowledgementComment, ack.Comment);
            }
        }

        if (alert.Affected.Length > 0 && !annotations.ContainsKey(AlertAnnotations.Affected))
        {
            annotations = annotations.SetItem(AlertAnnotations.Affected, string.Join(", ", alert.Affected));
        }

        return annotations;
    }

    /// <summary>The labels of the group as Alertmanager's <c>groupLabels</c> gives them: the common ones it is grouped by.</summary>
    public static IReadOnlyDictionary<string, string> GroupLabels(IReadOnlyList<Alert> alerts) =>
        GroupedBy(CommonLabels(alerts)).ToDictionary(StringComparer.Ordinal);

    private static SortedDictionary<string, string> CommonLabels(IReadOnlyList<Alert> alerts) =>
        Common([.. alerts.Select(a => (IReadOnlyDictionary<string, string>)a.Labels)]);

    private static IEnumerable<KeyValuePair<string, string>> GroupedBy(IEnumerable<KeyValuePair<string, string>> commonLabels) =>
        commonLabels.Where(l => GroupBy.Contains(l.Key, StringComparer.Ordinal));

    private static void WriteAlert(Utf8JsonWriter json, Alert alert, IReadOnlyDictionary<string, string> annotations, Uri? externalUrl)
    {
        json.WriteStartObject();
        json.WriteString("status", alert.IsOpen ? "firing" : "resolved");
        WriteMap(json, "labels", alert.Labels);
        WriteMap(json, "annotations", annotations);
        json.WriteString("startsAt", Timestamp(alert.StartsAt));
        json.WriteString("endsAt", alert.IsOpen || alert.EndsAt is not { } endsAt ? ZeroTime : Timestamp(endsAt));
        json.WriteString("generatorURL", AlertLink(externalUrl, alert.Id)?.AbsoluteUri ?? "");
        json.WriteString("fingerprint", alert.Fingerprint);
        json.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    /// <summary>The pairs every map has, with the same value (Alertmanager's commonLabels and commonAnnotations).</summary>
    private static SortedDictionary<string, string> Common(IReadOnlyList<IReadOnlyDictionary<string, string>> maps)
    {
        var common = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (maps.Count == 0)
        {
            return common;
        }

        foreach (var (key, value) in maps[0])
        {
            if (maps.Skip(1).All(m => m.TryGetValue(key, out var other) && other == value))
            {
                common.Add(key, value);
            }
        }

        return common;
    }

    private static Uri WithTrailingSlash(Uri url) =>
        url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
}
