using System.Globalization;
using System.Net;

namespace NetOps.Mqtt;

/// <summary>The in-process broker of the all-in-one host; bound from "Mqtt:Broker".</summary>
public sealed record EmbeddedBrokerOptions
{
    public const string SectionName = "Mqtt:Broker";

    /// <summary>Loopback by default: the all-in-one host's nodes reach it through a local relay or the simulator.</summary>
    public string BindAddress { get; init; } = IPAddress.Loopback.ToString();

    public int Port { get; init; } = 1883;

    /// <summary>The one account clients log in with; required, the broker never runs open.</summary>
    public string Username { get; init; } = string.Empty;

    public string? Password { get; init; }

    /// <summary><c>env:VARIABLE</c> or <c>file:/path</c>.</summary>
    public string? PasswordRef { get; init; }

    /// <summary>
    /// Messages queued per client before the broker drops them. MQTTnet's default of 250 drops telemetry
    /// under a burst (an ingest restart with a full session); 10,000 covers minutes of a large event.
    /// </summary>
    public int MaxPendingMessagesPerClient { get; init; } = 10_000;

    /// <summary>Keep sessions of clients that connect with CleanStart=false (the ingest relies on it).</summary>
    public bool PersistentSessions { get; init; } = true;

    public string? ResolvePassword() => Secrets.Resolve(Password, PasswordRef);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            problems.Add("Mqtt:Broker:BindAddress must be an IP address");
        }

        if (Port is < 1 or > 65535)
        {
            problems.Add("Mqtt:Broker:Port must be 1..65535");
        }

        if (string.IsNullOrEmpty(Username))
        {
            problems.Add("Mqtt:Broker:Username is required");
        }

        if ((Password is null) == (PasswordRef is null))
        {
            problems.Add("Mqtt:Broker: set exactly one of Password and PasswordRef");
        }

        if (MaxPendingMessagesPerClient < 1)
        {
            problems.Add("Mqtt:Broker:MaxPendingMessagesPerClient must be positive");
        }

        return problems;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"EmbeddedBrokerOptions {{ BindAddress = {BindAddress}, Port = {Port}, Username = {Username}, MaxPendingMessagesPerClient = {MaxPendingMessagesPerClient} }}");
}
