using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// POSTs Alertmanager's webhook payload (version 4) to a URL, with a bearer token when one is configured; anything but
/// a 2xx answer fails the delivery.
/// </summary>
public sealed class WebhookReceiver : IAlertReceiver
{
    private readonly WebhookReceiverOptions _options;
    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly Uri? _externalUrl;
    private readonly TimeSpan _timeout;
    private readonly Func<string, string>? _resolveCredential;
    private readonly ILogger _logger;

    /// <param name="index">Its place in "Alerting:Webhooks": the receiver is "webhook-{index}".</param>
    /// <param name="options">Its URL and the name of its bearer token's credential.</param>
    /// <param name="http">The client it posts with; the caller owns it.</param>
    /// <param name="externalUrl">The dashboard's address, for <c>externalURL</c> and each alert's <c>generatorURL</c>.</param>
    /// <param name="timeout">How long one attempt may take.</param>
    /// <param name="resolveCredential">Turns <see cref="WebhookReceiverOptions.BearerCredential"/> into the token, on every delivery.</param>
    /// <param name="logger">Where deliveries are noted (never the token).</param>
    public WebhookReceiver(int index, WebhookReceiverOptions options, HttpClient http, Uri? externalUrl, TimeSpan timeout,
        Func<string, string>? resolveCredential = null, ILogger<WebhookReceiver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _url = options.Url is { IsAbsoluteUri: true } url ? url : throw new ArgumentException("the webhook needs an absolute URL", nameof(options));
        if (options.BearerCredential is not null && resolveCredential is null)
        {
            throw new ArgumentException("a bearer credential needs a credential resolver", nameof(resolveCredential));
        }

        Name = $"webhook-{index}";
        _options = options;
        _http = http;
        _externalUrl = externalUrl;
        _timeout = timeout;
        _resolveCredential = resolveCredential;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    public string Kind => "webhook";

    public bool EscalationOnly => _options.Escalation;

    public TimeSpan? RefreshEvery => null;

    public async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var body = AlertmanagerPayload.Webhook(notification, Name, _externalUrl);
        // Resolved on every delivery, so that a rotated token is used from the next notification on.
        var token = _options.BearerCredential is { Length: > 0 } credential ? _resolveCredential!(credential) : null;
        await DeliveryDeadline.RunAsync(Name, _timeout,
            ct => HttpDelivery.PostJsonAsync(_http, _url, body, token, ct), cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Notification {Notification} ({Alerts} alerts of group {GroupKey}) posted to {Receiver}",
            notification.Id, notification.Alerts.Count, notification.GroupKey, Name);
    }
}
