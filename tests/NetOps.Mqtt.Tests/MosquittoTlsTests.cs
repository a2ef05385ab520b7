using System.Buffers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetOps.Core.Observations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>TLS against mosquitto with a certificate from a throwaway CA: trusted through Mqtt:CaFile, refused without it.</summary>
public sealed class MosquittoTlsTests
{
    private static NodeTelemetry Reading(double battery) => new(battery, PowerSource.Mains, null, 30, UplinkKind.Fibre, null, null);

    private static MqttOptions IngestOptions(Mosquitto broker, string clientId) =>
        Brokers.IngestOptions(broker.Port, clientId, Mosquitto.Username, Mosquitto.Password) with { UseTls = true };

    private static NodePublisherOptions NodeOptions(Mosquitto broker, string nodeId) =>
        Brokers.NodeOptions(broker.Port, nodeId, Mosquitto.Username, Mosquitto.Password) with { UseTls = true };

    [Fact]
    public async Task IngestAndNode_TrustingTheCaFile_ConnectOverTls_AndTelemetryArrives()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoSettings { Tls = true });
        var sink = new CollectingSink();
        await using var ingest = new TelemetryIngest(IngestOptions(broker, "ingest-tls") with { CaFile = broker.CaFile }, sink.Accept);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);
        await using var node = new NodePublisher(NodeOptions(broker, "mogli-40") with { CaFile = broker.CaFile });
        await node.SwitchOnAsync();

        await node.PublishTelemetryAsync(Reading(72));

        await Eventually.TrueAsync(() => sink.Of<NodeTelemetryObservation>().Count > 0, Brokers.Timeout, "telemetry over TLS");
        Assert.Equal(72, Assert.Single(sink.Of<NodeTelemetryObservation>()).Telemetry.BatteryPercent);
    }

    [Fact]
    public async Task Link_TrustingTheCaFile_PublishesAndReceivesOverTls()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoSettings { Tls = true });
        var options = IngestOptions(broker, "link-tls-reader") with { CaFile = broker.CaFile };
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var reader = new MqttLink(options, new MqttLinkOptions { Subscriptions = ["netops/v1/test/tls"] }, (message, _) =>
        {
            received.TrySetResult(System.Text.Encoding.UTF8.GetString(message.Payload.ToArray()));
            return ValueTask.CompletedTask;
        });
        await using var writer = new MqttLink(options with { ClientId = "link-tls-writer" }, new MqttLinkOptions());
        reader.Start();
        writer.Start();
        await reader.WaitConnectedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        await writer.PublishAsync("netops/v1/test/tls", "over tls"u8.ToArray(), retain: false, CancellationToken.None).WaitAsync(Brokers.Timeout);

        Assert.Equal("over tls", await received.Task.WaitAsync(Brokers.Timeout));
    }

    [Fact]
    public async Task Node_ThatDoesNotTrustTheCa_IsRefusedWithAClearError()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoSettings { Tls = true });
        await using var node = new NodePublisher(NodeOptions(broker, "mogli-41"));

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => node.SwitchOnAsync());

        Assert.Contains("not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains("CN=netops-test-ca", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mqtt:CaFile", error.Message, StringComparison.Ordinal);
        Assert.False(node.IsConnected);
    }

    [Fact]
    public async Task Ingest_ThatDoesNotTrustTheCa_LogsWhyAndNeverSubscribes()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoSettings { Tls = true });
        var logger = new CapturingLogger<TelemetryIngest>();
        await using var ingest = new TelemetryIngest(IngestOptions(broker, "ingest-untrusting"), new CollectingSink().Accept, logger: logger);

        await ingest.StartAsync(CancellationToken.None);

        await logger.WaitForAsync(e => e.Text.Contains("is not trusted by this system", StringComparison.Ordinal),
            Brokers.Timeout, "the refused certificate in the log");
        Assert.False(ingest.IsConnected);
        Assert.DoesNotContain(logger.Entries, e => e.Text.Contains(Mosquitto.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CaFile_OfAnotherCa_IsRefused()
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoSettings { Tls = true });
        var otherCa = Path.Combine(Path.GetDirectoryName(broker.CaFile)!, "other-ca.crt");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=some-other-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(otherCa, certificate.ExportCertificatePem());
        }

        await using var node = new NodePublisher(NodeOptions(broker, "mogli-42") with { CaFile = otherCa });

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => node.SwitchOnAsync());
        Assert.Contains("does not chain to Mqtt:CaFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaFile_NeedsTls_AndExcludesAllowingUntrustedCertificates()
    {
        var path = Path.GetTempFileName();
        try
        {
            Assert.Contains(new MqttOptions { CaFile = path }.Validate(), p => p.Contains("needs Mqtt:UseTls", StringComparison.Ordinal));
            Assert.Contains(new MqttOptions { CaFile = path, UseTls = true, AllowUntrustedCertificates = true }.Validate(),
                p => p.Contains("not both", StringComparison.Ordinal));
            Assert.Contains(new MqttOptions { CaFile = path + ".missing", UseTls = true }.Validate(),
                p => p.Contains("does not exist", StringComparison.Ordinal));
            Assert.Empty(new MqttOptions { CaFile = path, UseTls = true }.Validate());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
