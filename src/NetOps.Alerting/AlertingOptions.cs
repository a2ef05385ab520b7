namespace NetOps.Alerting;

/// <summary>
/// The "Alerting" section: where notifications go. Rules live in the inventory's <c>alerting:</c> section; this is
/// the deployment's side (URLs, mail server), set by environment (<c>Alerting__Alertmanager__Url</c>,
/// <c>Alerting__Webhooks__0__Url</c>).
/// </summary>
public sealed class AlertingOptions
{
    public const string SectionName = "Alerting";

    /// <summary>False turns alerting off in a process that would otherwise run it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The dashboard's address as on-call engineers reach it, for links in notifications (generatorURL, mail).</summary>
    public Uri? ExternalUrl { get; set; }

    public AlertmanagerReceiverOptions Alertmanager { get; set; } = new();

    public List<WebhookReceiverOptions> Webhooks { get; set; } = [];

    public EmailReceiverOptions Email { get; set; } = new();

    public MqttReceiverOptions Mqtt { get; set; } = new();

    /// <summary>The first retry of a failed delivery waits this long; each next one twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A delivery attempt that takes longer than this fails (and is retried).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>A receiver that may be first line (everything) or second line (escalations only).</summary>
public abstract class ReceiverOptions
{
    /// <summary>True: this receiver gets only escalations of critical alerts nobody acknowledged in time.</summary>
    public bool Escalation { get; set; }
}

/// <summary>A real Alertmanager: NetOps posts its alerts to <c>/api/v2/alerts</c>; empty Url: none.</summary>
public sealed class AlertmanagerReceiverOptions : ReceiverOptions
{
    /// <summary>One hour: open alerts are then to be posted again every quarter hour (Prometheus sets endsAt four resend intervals ahead).</summary>
    public static readonly TimeSpan DefaultResendHorizon = TimeSpan.FromHours(1);

    public Uri? Url { get; set; }

    /// <summary>
    /// How far ahead of now an open alert's <c>endsAt</c> is set when it is posted. Alertmanager resolves an alert whose
    /// <c>endsAt</c> has passed, so every open alert (acknowledged ones too) must be posted again well within this
    /// horizon (a quarter of it is Prometheus' habit); should NetOps stop, Alertmanager resolves its alerts after at most
    /// this long. A resolved alert is posted with its own end, which resolves it at once.
    /// </summary>
    public TimeSpan ResendHorizon { get; set; } = DefaultResendHorizon;
}

/// <summary>Anything that takes Alertmanager's webhook (payload version 4).</summary>
public sealed class WebhookReceiverOptions : ReceiverOptions
{
    public Uri? Url { get; set; }

    /// <summary>Name of a credential (environment or secrets file) sent as a bearer token; never the token itself.</summary>
    public string? BearerCredential { get; set; }
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it, plain otherwise (MailKit's Auto).</summary>
    Auto,
    None,
    StartTls,
    Tls,
}

/// <summary>Mail through an SMTP server; empty Host: none. One mail per notification group, plain text and HTML.</summary>
public sealed class EmailReceiverOptions : ReceiverOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string From { get; set; } = "netops@localhost";

    public List<string> To { get; set; } = [];

    public string? Username { get; set; }

    /// <summary>Name of the credential holding the SMTP password (environment or secrets file), never the password.</summary>
    public string? PasswordCredential { get; set; }
}

/// <summary>Notifications as JSON on an MQTT topic of the configured broker ("Mqtt"), for field devices and displays.</summary>
public sealed class MqttReceiverOptions : ReceiverOptions
{
    /// <summary>False: no MQTT receiver.</summary>
    public bool Enabled { get; set; }

    /// <summary>Each notification goes to "{Topic}/{group key}", retained per alert as well under "{Topic}/alerts/{id}".</summary>
    public string Topic { get; set; } = "netops/alerts";
}
