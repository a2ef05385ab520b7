using System.Security.Authentication;
using MQTTnet;
using MQTTnet.Formatter;

namespace NetOps.Mqtt;

/// <summary>Connection settings shared by the ingest, the link and the node publisher.</summary>
internal static class MqttClientOptionsFactory
{
    public static MqttClientOptionsBuilder Create(string host, int port, string clientId, string? username, string? password,
        BrokerTls tls, TimeSpan keepAlive, TimeSpan timeout, out BrokerCertificateValidator? validator)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(keepAlive)
            .WithTimeout(timeout);
        if (!string.IsNullOrEmpty(username))
        {
            builder = builder.WithCredentials(username, password ?? string.Empty);
        }

        validator = ApplyTls(builder, host, tls);
        return builder;
    }

    /// <summary>Turns TLS on when asked; returns the validator whose verdict explains a refused handshake.</summary>
    public static BrokerCertificateValidator? ApplyTls(MqttClientOptionsBuilder builder, string host, BrokerTls tls)
    {
        if (!tls.UseTls)
        {
            return null;
        }

        var validator = new BrokerCertificateValidator(host, tls.AllowUntrustedCertificates, tls.CaFile);
        builder.WithTlsOptions(options => options.UseTls().WithTargetHost(host)
            .WithCertificateValidationHandler(args => validator.Validate(args.Certificate, args.Chain, args.SslPolicyErrors)));
        return validator;
    }

    /// <summary>
    /// Connects; a handshake that failed because the broker's certificate was not trusted comes back as an
    /// <see cref="AuthenticationException"/> that says why, instead of MQTTnet's generic communication error.
    /// </summary>
    public static async Task<MqttClientConnectResult> ConnectAsync(IMqttClient client, MqttClientOptions options,
        BrokerCertificateValidator? validator, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && validator?.Refusal is { } refusal)
        {
            throw new AuthenticationException(refusal, e);
        }
    }
}
