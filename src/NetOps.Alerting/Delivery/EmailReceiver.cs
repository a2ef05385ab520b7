using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using NetOps.Core.Alerts;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// One mail per notification through an SMTP server (MailKit): plain text and HTML as alternatives, secured as
/// configured, authenticated when a user name is set. The password is a credential name, resolved on every delivery.
/// </summary>
public sealed class EmailReceiver : IAlertReceiver
{
    private readonly EmailReceiverOptions _options;
    private readonly string _host;
    private readonly Uri? _externalUrl;
    private readonly TimeSpan _timeout;
    private readonly Func<string, string>? _resolveCredential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="options">Server, port, security, sender, recipients, user and the name of the password's credential.</param>
    /// <param name="externalUrl">The dashboard's address, for each alert's link.</param>
    /// <param name="timeout">How long one attempt may take, connecting and sending.</param>
    /// <param name="resolveCredential">Turns <see cref="EmailReceiverOptions.PasswordCredential"/> into the password.</param>
    /// <param name="time">The clock of the mail's date.</param>
    /// <param name="logger">Where deliveries are noted (never the password).</param>
    public EmailReceiver(EmailReceiverOptions options, Uri? externalUrl, TimeSpan timeout, Func<string, string>? resolveCredential = null,
        TimeProvider? time = null, ILogger<EmailReceiver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Host) || options.To.Count == 0)
        {
            throw new ArgumentException("mail needs a host and at least one recipient", nameof(options));
        }

        _host = options.Host;

        if (options.PasswordCredential is not null && resolveCredential is null)
        {
            throw new ArgumentException("a password credential needs a credential resolver", nameof(resolveCredential));
        }

        _options = options;
        _externalUrl = externalUrl;
        _timeout = timeout;
        _resolveCredential = resolveCredential;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "email";

    public string Kind => "email";

    public bool EscalationOnly => _options.Escalation;

    public TimeSpan? RefreshEvery => null;

    public async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var message = Compose(notification);
        await DeliveryDeadline.RunAsync(Name, _timeout, ct => SendAsync(message, ct), cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Notification {Notification} ({Alerts} alerts of group {GroupKey}) mailed to {Recipients} recipients via {Host}",
            notification.Id, notification.Alerts.Count, notification.GroupKey, _options.To.Count, _host);
    }

    internal MimeMessage Compose(Notification notification)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_options.From));
        message.To.AddRange(_options.To.Select(MailboxAddress.Parse));
        message.Subject = AlertMail.Subject(notification);
        message.Date = _time.GetUtcNow();
        message.Body = new BodyBuilder
        {
            TextBody = AlertMail.Text(notification, _externalUrl),
            HtmlBody = AlertMail.Html(notification, _externalUrl),
        }.ToMessageBody();
        return message;
    }

    private async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var smtp = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _timeout.TotalMilliseconds) };
        await smtp.ConnectAsync(_host, _options.Port, Security(_options.Security), cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(_options.Username))
        {
            var password = _options.PasswordCredential is { Length: > 0 } credential ? _resolveCredential!(credential) : string.Empty;
            await smtp.AuthenticateAsync(_options.Username, password, cancellationToken).ConfigureAwait(false);
        }

        await smtp.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await smtp.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }

    private static SecureSocketOptions Security(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
