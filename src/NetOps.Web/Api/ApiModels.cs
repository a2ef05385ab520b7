using System.Text.Json;
using System.Text.Json.Serialization;
using NetOps.Core.Alerts;
using NetOps.Core.Cluster;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Web.Api;

/// <summary>Every entity's state at one version of the live model (<c>GET /api/state</c>).</summary>
public sealed record StateListResponse(long Version, IEnumerable<StateResponse> States);

/// <summary>One entity's state with its evidence: reason, since when, from which source, fresh for how long.</summary>
public sealed record StateResponse(
    string Entity,
    StateValue Value,
    ReasonResponse Reason,
    DateTimeOffset Since,
    DateTimeOffset ObservedAt,
    string Source,
    double FreshForSeconds,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>A stable reason code, its named values and the text the dashboard shows (Europe/Berlin times).</summary>
public sealed record ReasonResponse(string Code, IReadOnlyDictionary<string, string> Args, string Text);

/// <summary>The inventory in force (<c>GET /api/inventory</c>): credential names only, never their values.</summary>
public sealed record InventoryResponse(
    IEnumerable<Site> Sites,
    IEnumerable<Device> Devices,
    IEnumerable<Link> Links,
    IEnumerable<MobileNode> Nodes,
    IEnumerable<Core.Inventory.Endpoint> Endpoints,
    IEnumerable<Event> Events,
    IEnumerable<string>? LastRefusal);

/// <summary>One alert as the REST API reports it (<c>GET /api/alerts</c>, <c>/api/alerts/{id}</c>, the history).</summary>
public sealed record AlertResponse(
    string Id,
    string Rule,
    string Subject,
    AlertSeverity Severity,
    AlertStatus Status,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset UpdatedAt,
    string? Summary,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    AcknowledgementResponse? Acknowledgement,
    IReadOnlyList<string> Affected,
    string? SilencedBy,
    string? InMaintenance,
    bool Flapping,
    int Reopened,
    DateTimeOffset? EscalatedAt,
    string Fingerprint)
{
    public static AlertResponse Of(Alert alert) => new(alert.Id, alert.Rule, alert.Subject, alert.Severity, alert.Status, alert.StartsAt,
        alert.EndsAt, alert.UpdatedAt, alert.Summary, alert.Labels, alert.Annotations,
        alert.Acknowledgement is { } ack ? new AcknowledgementResponse(ack.By, ack.At, ack.Comment) : null,
        alert.Affected, alert.SilencedBy, alert.InMaintenance, alert.Flapping, alert.Reopened, alert.EscalatedAt, alert.Fingerprint);
}

/// <summary>Who took an alert on, when, and what they said.</summary>
public sealed record AcknowledgementResponse(string By, DateTimeOffset At, string? Comment);

/// <summary>Resolved and open alerts of a time range, newest first (<c>GET /api/alerts/history</c>).</summary>
public sealed record AlertHistoryResponse(DateTimeOffset From, DateTimeOffset Until, int Limit, IEnumerable<AlertResponse> Alerts);

/// <summary>The body of <c>POST /api/alerts/{id}/acknowledge</c>: who acknowledges (required) and why.</summary>
public sealed record AcknowledgeRequest(string? By, string? Comment);

/// <summary>Where a silence is in its life at the time of the answer.</summary>
public enum SilenceState
{
    Pending,
    Active,
    Expired,
}

/// <summary>A silence as the REST API reports it (<c>GET /api/silences</c>), its matchers in Alertmanager's form.</summary>
public sealed record SilenceResponse(
    string Id,
    IReadOnlyList<MatcherResponse> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment,
    DateTimeOffset CreatedAt,
    string? ExpiredBy,
    SilenceState State)
{
    public static SilenceResponse Of(Silence silence, DateTimeOffset now) => new(silence.Id, [.. silence.Matchers.Select(MatcherResponse.Of)],
        silence.StartsAt, silence.EndsAt, silence.CreatedBy, silence.Comment, silence.CreatedAt, silence.ExpiredBy,
        silence.EndsAt <= now ? SilenceState.Expired : silence.StartsAt > now ? SilenceState.Pending : SilenceState.Active);
}

/// <summary>
/// The body of <c>POST /api/silences</c>. Each matcher is Alertmanager's object (<c>{name, value, isRegex, isEqual}</c>) or a
/// string as Alertmanager writes one (<c>alertname="LinkDown"</c>, <c>subject=~"link:core-.*"</c>). startsAt defaults to now.
/// </summary>
public sealed record SilenceCreateRequest(
    IReadOnlyList<MatcherBody>? Matchers,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? CreatedBy,
    string? Comment);

/// <summary>A label matcher in Alertmanager's API form: equal or not, regex or literal.</summary>
public sealed record MatcherResponse(string Name, string Value, bool IsRegex, bool IsEqual)
{
    public static MatcherResponse Of(Matcher matcher) => new(matcher.Name, matcher.Value,
        matcher.Operator is MatchOperator.Regex or MatchOperator.NotRegex, matcher.Operator is MatchOperator.Equal or MatchOperator.Regex);
}

/// <summary>
/// A matcher of a silence request: Alertmanager's object <c>{name, value, isRegex, isEqual}</c> (isEqual defaults to true)
/// or a string as Alertmanager writes one (<c>alertname="LinkDown"</c>), kept in <see cref="Text"/> until it is parsed.
/// </summary>
[JsonConverter(typeof(MatcherBodyConverter))]
public sealed record MatcherBody(string Name, string Value, bool IsRegex, bool IsEqual = true)
{
    /// <summary>The matcher as given when it came as a string (Alertmanager's text form), parsed by <see cref="ToMatcher"/>.</summary>
    [JsonIgnore]
    public string? Text { get; init; }

    /// <summary>The domain's matcher, or null with the reason it is not one.</summary>
    public Matcher? ToMatcher(out string? error)
    {
        if (Text is { } text)
        {
            return Matcher.Parse(text, out error);
        }

        var matcher = new Matcher(Name, (IsRegex, IsEqual) switch
        {
            (false, true) => MatchOperator.Equal,
            (false, false) => MatchOperator.NotEqual,
            (true, true) => MatchOperator.Regex,
            _ => MatchOperator.NotRegex,
        }, Value);
        error = matcher.Validate();
        return error is null ? matcher : null;
    }
}

/// <summary>Reads a matcher as Alertmanager's object or as its text form; writes it back as it came.</summary>
internal sealed class MatcherBodyConverter : JsonConverter<MatcherBody>
{
    public override MatcherBody Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString() ?? "";
            return new MatcherBody("", "", false) { Text = text };
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a matcher is an object {name, value, isRegex, isEqual} or a string such as alertname=\"LinkDown\"");
        }

        string? name = null, value = null;
        bool isRegex = false, isEqual = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString() ?? "";
            reader.Read();
            switch (property.ToLowerInvariant())
            {
                case "name":
                    name = Text(ref reader, property);
                    break;
                case "value":
                    value = Text(ref reader, property);
                    break;
                case "isregex":
                    isRegex = Flag(ref reader, property);
                    break;
                case "isequal":
                    isEqual = Flag(ref reader, property);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new MatcherBody(name ?? "", value ?? "", isRegex, isEqual);
    }

    private static string? Text(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"a matcher's {property} is a string"),
    };

    private static bool Flag(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonException($"a matcher's {property} is true or false"),
    };

    public override void Write(Utf8JsonWriter writer, MatcherBody value, JsonSerializerOptions options)
    {
        if (value.Text is { } text)
        {
            writer.WriteStringValue(text);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(Name(options, "name"), value.Name);
        writer.WriteString(Name(options, "value"), value.Value);
        writer.WriteBoolean(Name(options, "isRegex"), value.IsRegex);
        writer.WriteBoolean(Name(options, "isEqual"), value.IsEqual);
        writer.WriteEndObject();
    }

    private static string Name(JsonSerializerOptions options, string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
}

/// <summary>How one receiver is doing (<c>GET /api/alerts/receivers</c>): what waits for it and its last error.</summary>
public sealed record ReceiverResponse(string Name, string Kind, int Pending, DateTimeOffset? LastDeliveredAt, string? LastError,
    DateTimeOffset? LastErrorAt, bool Healthy)
{
    public static ReceiverResponse Of(ReceiverHealth health) => new(health.Name, health.Kind, health.Pending, health.LastDeliveredAt,
        health.LastError, health.LastErrorAt, health.Healthy);
}

/// <summary>GET /api/collectors: where the membership is kept, its clock, and each live collector with its devices.</summary>
public sealed record CollectorsResponse(string Store, DateTimeOffset Now, IReadOnlyList<CollectorResponse> Collectors)
{
    public static CollectorsResponse Of(string store, MembershipView view, IEnumerable<string> devices) =>
        new(store, view.Now, [.. CollectorRoster.Of(view, devices).Select(share => new CollectorResponse(share.Member.Name, share.Member.Process,
            share.Member.StartedAt, share.Member.HeartbeatAt, share.Member.ExpiresAt, share.Member.Devices, share.Devices))]);
}

/// <summary>A live collector: <c>polling</c> is the count it reported with its last heartbeat, <c>devices</c> what the split gives it now.</summary>
public sealed record CollectorResponse(string Name, string? Process, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, DateTimeOffset ExpiresAt,
    int Polling, IReadOnlyList<string> Devices);
