using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>A CONNECT with an empty client id, as <c>mosquitto_pub</c> sends it without <c>-i</c>: accepted as mosquitto does.</summary>
public sealed class EmbeddedBrokerClientIdTests
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task MosquittoPub_WithoutClientId_IsAssignedOne_AndItsMessageArrives(string protocol)
    {
        var brokerLog = new CapturingLogger<EmbeddedBroker>();
        await using var broker = await Brokers.StartEmbeddedAsync(brokerLog);
        const string topic = "netops/v1/test/anonymous";
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = new MqttLink(Brokers.IngestOptions(broker.Port, "anonymous-reader"),
            new MqttLinkOptions { Subscriptions = [topic] }, (message, _) =>
            {
                received.TrySetResult(Encoding.UTF8.GetString(message.Payload));
                return ValueTask.CompletedTask;
            });
        subscriber.Start();
        await subscriber.WaitConnectedAsync(CancellationToken.None).WaitAsync(Brokers.Timeout);

        // No -i: mosquitto_pub 2.x sends an empty client id (with a clean session under 3.1.1).
        await using var publisher = ExternalProcess.Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture),
            "-u", Brokers.Username, "-P", Brokers.Password, "-V", protocol, "-q", "1", "-t", topic, "-m", "from mosquitto_pub"]);
        var exitCode = await publisher.WaitForExitAsync(Brokers.Timeout);

        Assert.True(exitCode == 0, $"mosquitto_pub exited with {exitCode}: {publisher.Output}");
        Assert.Equal("from mosquitto_pub", await received.Task.WaitAsync(Brokers.Timeout));
        Assert.Empty(brokerLog.Errors);
    }

    [Fact]
    public async Task EmptyClientId_Mqtt5_GetsAnAssignedIdInTheConnack()
    {
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(ClientOptions(broker.Port, MqttProtocolVersion.V500, cleanSession: true))
            .WaitAsync(Brokers.Timeout);

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.StartsWith("auto-", result.AssignedClientIdentifier, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 0x00)]
    [InlineData(false, 0x02)]
    public async Task EmptyClientId_Mqtt311_IsAcceptedWithACleanSession_AndRefusedAsIdentifierRejectedWithout(bool cleanSession, byte returnCode)
    {
        // MQTT 3.1.1 §3.1.3.1 [MQTT-3.1.3-8]: a session of no name cannot be resumed; mosquitto refuses it too. MQTTnet's
        // client will not send such a CONNECT, so it goes over a plain socket.
        await using var broker = await Brokers.StartEmbeddedAsync(new CapturingLogger<EmbeddedBroker>());

        var connack = await ConnectMqtt311Async(broker.Port, cleanSession).WaitAsync(Brokers.Timeout);

        // CONNACK, remaining length 2, no session present, return code (0 accepted, 2 identifier rejected).
        Assert.Equal([0x20, 0x02, 0x00, returnCode], connack);
    }

    private static async Task<byte[]> ConnectMqtt311Async(int port, bool cleanSession)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        // Protocol "MQTT" level 4; flags: user name, password, clean session; keep-alive 60 s; an empty client id.
        List<byte> body = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, (byte)(0xC0 | (cleanSession ? 0x02 : 0x00)), 0, 60, 0, 0];
        foreach (var text in (string[])[Brokers.Username, Brokers.Password])
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }

        await stream.WriteAsync((byte[])[0x10, (byte)body.Count, .. body]);
        var connack = new byte[4];
        await stream.ReadExactlyAsync(connack);
        return connack;
    }

    private static MqttClientOptions ClientOptions(int port, MqttProtocolVersion protocol, bool cleanSession) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithClientId(string.Empty)
        .WithProtocolVersion(protocol)
        .WithCleanSession(cleanSession)
        .WithCredentials(Brokers.Username, Brokers.Password)
        .Build();
}
