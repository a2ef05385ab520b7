using MQTTnet;
using MQTTnet.Formatter;

namespace NetOps.Mqtt;

/// <summary>Connection settings shared by the ingest and the node publisher.</summary>
internal static class MqttClientOptionsFactory
{
    public static MqttClientOptionsBuilder Create(string host, int port, string clientId, string? username, string? password,
        bool useTls, bool allowUntrustedCertificates, TimeSpan keepAlive, TimeSpan timeout)
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

        if (useTls)
        {
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(host);
                if (allowUntrustedCertificates)
                {
                    tls.WithCertificateValidationHandler(_ => true);
                }
            });
        }

        return builder;
    }
}
