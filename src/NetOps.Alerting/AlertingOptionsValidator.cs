using MimeKit;
using Microsoft.Extensions.Options;

namespace NetOps.Alerting;

/// <summary>Every problem of the "Alerting" section, each naming its key, so that a bad value stops the host with that name.</summary>
internal sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>
{
    private const string Section = AlertingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AlertingOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    public static IReadOnlyList<string> Problems(AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.ExternalUrl is not null && !IsHttp(options.ExternalUrl))
        {
            problems.Add($"{Section}:ExternalUrl must be an absolute http(s) URL");
        }

        if (options.DeliveryTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:DeliveryTimeout must be positive");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            problems.Add($"{Section}:RetryDelay must be positive and not above {Section}:MaxRetryDelay");
        }

        if (options.Alertmanager.Url is not null)
        {
            if (!IsHttp(options.Alertmanager.Url))
            {
                problems.Add($"{Section}:Alertmanager:Url must be an absolute http(s) URL");
            }

            if (options.Alertmanager.ResendHorizon < TimeSpan.FromMinutes(1))
            {
                problems.Add($"{Section}:Alertmanager:ResendHorizon must be at least one minute");
            }
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            if (options.Webhooks[i].Url is not { } url || !IsHttp(url))
            {
                problems.Add($"{Section}:Webhooks:{i}:Url must be an absolute http(s) URL");
            }
        }

        var email = options.Email;
        if (!string.IsNullOrWhiteSpace(email.Host))
        {
            if (email.To.Count == 0)
            {
                problems.Add($"{Section}:Email:To needs at least one address when {Section}:Email:Host is set");
            }

            for (var i = 0; i < email.To.Count; i++)
            {
                if (!IsMailbox(email.To[i]))
                {
                    problems.Add($"{Section}:Email:To:{i} is not a mail address");
                }
            }

            if (!IsMailbox(email.From))
            {
                problems.Add($"{Section}:Email:From is not a mail address");
            }

            if (email.Port is < 1 or > 65535)
            {
                problems.Add($"{Section}:Email:Port must be 1..65535");
            }

            if (!string.IsNullOrEmpty(email.PasswordCredential) && string.IsNullOrEmpty(email.Username))
            {
                problems.Add($"{Section}:Email:PasswordCredential needs {Section}:Email:Username");
            }
        }

        var topic = options.Mqtt.Topic;
        if (options.Mqtt.Enabled && (string.IsNullOrEmpty(topic) || topic.IndexOfAny(['+', '#', '\0']) >= 0
            || topic.StartsWith('$') || topic.StartsWith('/') || topic.EndsWith('/')))
        {
            problems.Add($"{Section}:Mqtt:Topic must be a topic without wildcards, not starting with '$' nor starting or ending with '/'");
        }

        return problems;
    }

    private static bool IsHttp(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(url.Host);

    private static bool IsMailbox(string? address) =>
        !string.IsNullOrWhiteSpace(address) && MailboxAddress.TryParse(address, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal);
}
