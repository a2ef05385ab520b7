using System.Globalization;

namespace NetOps.Mqtt;

/// <summary>How a (simulated) MOGLI node reaches the broker.</summary>
public sealed record NodePublisherOptions
{
    public required string NodeId { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Defaults to <c>mogli-{NodeId}</c>.</summary>
    public string? ClientId { get; init; }

    /// <summary>Identifies this run of the node; a new boot id starts a new sequence space. Defaults to a random id.</summary>
    public string? BootId { get; init; }

    public bool UseTls { get; init; }

    /// <summary>Accept any broker certificate; a lab broker only. Prefer <see cref="CaFile"/>.</summary>
    public bool AllowUntrustedCertificates { get; init; }

    /// <summary>PEM file of the CA that signed the broker's certificate (see <see cref="MqttOptions.CaFile"/>).</summary>
    public string? CaFile { get; init; }

    /// <summary>The broker declares the node gone (and publishes its will) after 1.5 times this without a packet.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Zero (the default): every connection starts clean. Positive: CleanStart=false with this session expiry, so
    /// the broker keeps the node's session (and QoS 1 state) across a reconnect.
    /// </summary>
    public TimeSpan SessionExpiry { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"NodePublisherOptions {{ NodeId = {NodeId}, Host = {Host}, Port = {Port}, Username = {Username}, BootId = {BootId} }}");
}
