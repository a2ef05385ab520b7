using System.Globalization;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>How the ingest reaches the broker; bound from the "Mqtt" configuration section.</summary>
public sealed record MqttOptions
{
    public const string SectionName = "Mqtt";

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>NetOps's broker port: unprivileged, and clear of a system mosquitto on 1883.</summary>
    public int Port { get; init; } = 18830;

    /// <summary>The one account NetOps's clients log in with (the embedded broker's only account).</summary>
    public string? Username { get; init; } = "netops";

    /// <summary>
    /// The password itself; prefer <see cref="Credential"/> or <see cref="PasswordRef"/> outside tests. Set from
    /// <see cref="Credential"/> when the options are bound (<see cref="MqttServiceCollectionExtensions.AddNetOpsMqttOptions"/>).
    /// </summary>
    public string? Password { get; set; }

    /// <summary>Name of the credential that holds the password ("Mqtt:Credential"), resolved by the host's credential store.</summary>
    public string? Credential { get; init; }

    /// <summary>Where the password is: <c>env:VARIABLE</c> or <c>file:/path</c> (first line).</summary>
    public string? PasswordRef { get; init; }

    /// <summary>Stable per instance: the broker keeps the persistent session under it.</summary>
    public string ClientId { get; init; } = $"netops-ingest-{Environment.MachineName}";

    /// <summary>When set, telemetry and sensor topics are subscribed as <c>$share/{group}/...</c>.</summary>
    public string? SharedGroup { get; init; }

    public bool UseTls { get; init; }

    /// <summary>Accept any broker certificate, giving up the broker's identity; for a lab broker only. Prefer <see cref="CaFile"/>.</summary>
    public bool AllowUntrustedCertificates { get; init; }

    /// <summary>
    /// PEM file of the CA (or CAs) that signed the broker's certificate: with it the broker's chain must end there,
    /// and the system's store is not consulted. The host name is still checked. Needs <see cref="UseTls"/>.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>How long the broker keeps the session (and queues QoS 1 messages) while the ingest is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>QoS 1 messages the broker may have in flight to the ingest: the back-pressure window (MQTT 5 Receive Maximum).</summary>
    public ushort ReceiveMaximum { get; init; } = 1024;

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one log line per source and reason within this window; the counter counts all.</summary>
    public TimeSpan RejectionLogWindow { get; init; } = TimeSpan.FromMinutes(1);

    public int MaxPayloadBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// When set (e.g. <c>netops/v1/dead-letter</c>), rejected messages are republished to <c>{DeadLetterTopic}/{reason}</c>,
    /// best effort and off the ingest's path. Off by default.
    /// </summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>Dead letters waiting to be published; beyond this they are dropped and counted.</summary>
    public int DeadLetterQueueCapacity { get; init; } = 1024;

    public double FreshnessMultiplier { get; init; } = 3;

    public TimeSpan DefaultReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The password from <see cref="Password"/> or <see cref="PasswordRef"/>; null when neither is set.</summary>
    public string? ResolvePassword() => Secrets.Resolve(Password, PasswordRef);

    internal BrokerTls ToBrokerTls() => new(UseTls, AllowUntrustedCertificates, CaFile);

    public MqttParserOptions ToParserOptions() => new()
    {
        MaxPayloadBytes = MaxPayloadBytes,
        FreshnessMultiplier = FreshnessMultiplier,
        DefaultReportInterval = DefaultReportInterval,
    };

    /// <summary>Problems that must stop the host at start; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            problems.Add("Mqtt:Host is required");
        }

        if (Port is < 1 or > 65535)
        {
            problems.Add("Mqtt:Port must be 1..65535");
        }

        if (string.IsNullOrWhiteSpace(ClientId) || ClientId.Length > 128)
        {
            problems.Add("Mqtt:ClientId is required (at most 128 characters)");
        }

        if (SharedGroup is not null && (SharedGroup.Length == 0 || SharedGroup.IndexOfAny(['/', '+', '#']) >= 0))
        {
            problems.Add("Mqtt:SharedGroup must not be empty nor contain '/', '+' or '#'");
        }

        if (DeadLetterTopic is not null && (DeadLetterTopic.Length == 0 || DeadLetterTopic.IndexOfAny(['+', '#']) >= 0
            || DeadLetterTopic.StartsWith('$') || DeadLetterTopic.StartsWith('/') || DeadLetterTopic.EndsWith('/')))
        {
            problems.Add("Mqtt:DeadLetterTopic must be a topic without wildcards, not starting with '$' nor starting or ending with '/'");
        }

        if (DeadLetterQueueCapacity < 1)
        {
            problems.Add("Mqtt:DeadLetterQueueCapacity must be positive");
        }

        if (CaFile is not null)
        {
            if (!UseTls)
            {
                problems.Add("Mqtt:CaFile needs Mqtt:UseTls");
            }

            if (AllowUntrustedCertificates)
            {
                problems.Add("Mqtt: set CaFile or AllowUntrustedCertificates, not both");
            }

            if (!File.Exists(CaFile))
            {
                problems.Add($"Mqtt:CaFile {CaFile} does not exist");
            }
        }

        if (Password is not null && PasswordRef is not null)
        {
            problems.Add("Mqtt: set Password, PasswordRef or Credential, not two of them");
        }

        if (ReceiveMaximum == 0)
        {
            problems.Add("Mqtt:ReceiveMaximum must be positive");
        }

        if (MaxPayloadBytes < 64)
        {
            problems.Add("Mqtt:MaxPayloadBytes must be at least 64");
        }

        if (FreshnessMultiplier < 1)
        {
            problems.Add("Mqtt:FreshnessMultiplier must be at least 1");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            problems.Add("Mqtt:ReconnectMinDelay must be positive and not above ReconnectMaxDelay");
        }

        return problems;
    }

    // The synthesized ToString would print the password into whatever logs the options.
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MqttOptions {{ Host = {Host}, Port = {Port}, Username = {Username}, ClientId = {ClientId}, SharedGroup = {SharedGroup}, UseTls = {UseTls}, CaFile = {CaFile} }}");
}
