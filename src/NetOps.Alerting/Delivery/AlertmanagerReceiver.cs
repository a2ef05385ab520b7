using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// Hands alerts to a real Alertmanager (<c>POST /api/v2/alerts</c>), which then groups, silences and routes them as its
/// users configured. Alertmanager knows an alert by its labels, so they are sent as the alert has them, unchanged by
/// its state; an open alert is sent with <c>endsAt</c> <see cref="AlertmanagerReceiverOptions.ResendHorizon"/> ahead,
/// a resolved one with its own end.
/// </summary>
public sealed class AlertmanagerReceiver : IAlertReceiver
{
    private readonly AlertmanagerReceiverOptions _options;
    private readonly Uri _alerts;
    private readonly HttpClient _http;
    private readonly Uri? _externalUrl;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="options">Alertmanager's base URL (a path prefix is kept) and the resend horizon.</param>
    /// <param name="http">The client it posts with; the caller owns it.</param>
    /// <param name="externalUrl">The dashboard's address, for each alert's <c>generatorURL</c>.</param>
    /// <param name="timeout">How long one attempt may take.</param>
    /// <param name="time">The clock the horizon counts from.</param>
    /// <param name="logger">Where deliveries are noted.</param>
    public AlertmanagerReceiver(AlertmanagerReceiverOptions options, HttpClient http, Uri? externalUrl, TimeSpan timeout,
        TimeProvider? time = null, ILogger<AlertmanagerReceiver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        if (options.Url is not { IsAbsoluteUri: true } url)
        {
            throw new ArgumentException("Alertmanager needs an absolute URL", nameof(options));
        }

        var path = url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
        _alerts = new Uri(path, "api/v2/alerts");
        _options = options;
        _http = http;
        _externalUrl = externalUrl;
        _timeout = timeout;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "alertmanager";

    public string Kind => "alertmanager";

    public bool EscalationOnly => _options.Escalation;

    public TimeSpan? RefreshEvery => _options.ResendHorizon / 4;

    public async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Alerts.Count == 0)
        {
            return;
        }

        var body = AlertmanagerPayload.PostableAlerts(notification.Alerts, _externalUrl, _time.GetUtcNow(), _options.ResendHorizon);
        await DeliveryDeadline.RunAsync(Name, _timeout,
            ct => HttpDelivery.PostJsonAsync(_http, _alerts, body, bearerToken: null, ct), cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Notification {Notification} ({Alerts} alerts of group {GroupKey}) posted to {Receiver}",
            notification.Id, notification.Alerts.Count, notification.GroupKey, Name);
    }
}
