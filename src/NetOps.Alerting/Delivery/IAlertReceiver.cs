using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// One place notifications go (a webhook, Alertmanager, a mailbox, an MQTT topic). Delivery throws when the receiver
/// did not take the notification; the dispatcher then keeps it and tries again with back-off.
/// </summary>
public interface IAlertReceiver
{
    /// <summary>Unique among the receivers ("webhook-0", "alertmanager", "email", "mqtt"); notifications are queued per name.</summary>
    string Name { get; }

    /// <summary>What kind of receiver this is ("webhook", "alertmanager", "email", "mqtt"), for the page.</summary>
    string Kind { get; }

    /// <summary>True for a second-line receiver: it gets only escalations of critical alerts nobody acknowledged.</summary>
    bool EscalationOnly { get; }

    /// <summary>
    /// How often the receiver must be told every open alert again, or null. Alertmanager forgets an alert whose
    /// <c>endsAt</c> passed, so it gets the open ones well within its resend horizon, acknowledged ones included.
    /// </summary>
    TimeSpan? RefreshEvery { get; }

    /// <summary>Hands one notification (a group of alerts) to the receiver; throws when it was not taken.</summary>
    Task DeliverAsync(Notification notification, CancellationToken cancellationToken);
}
