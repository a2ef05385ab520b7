using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace NetOps.Mqtt;

/// <summary>
/// Gives an MQTT 3.1.1 client that connects with an empty client id and a clean session a unique id, as mosquitto does
/// (<c>mosquitto_pub</c> without <c>-i</c> sends such a CONNECT). MQTTnet's broker assigns an id to an MQTT 5 client only
/// (<see cref="ValidatingConnectionEventArgs.AssignedClientIdentifier"/>, which <see cref="EmbeddedBroker"/> sets) and refuses
/// the 3.1.1 one as "identifier rejected". MQTT 3.1.1 §3.1.3.1 allows an empty id only with CleanSession=1
/// [MQTT-3.1.3-8]: without it the CONNECT is refused with "identifier rejected", as the spec [MQTT-3.1.3-9] and mosquitto
/// do (MQTTnet's decoder refuses it by itself but closes the connection without a CONNACK).
/// </summary>
internal sealed class ClientIdAssigningServerAdapter(IMqttServerAdapter inner) : IMqttServerAdapter
{
    private Func<IMqttChannelAdapter, Task>? _clientHandler;

    /// <summary>mosquitto's <c>auto_id_prefix</c> and a UUID.</summary>
    public static string NewClientId() => $"auto-{Guid.NewGuid()}";

    public Func<IMqttChannelAdapter, Task>? ClientHandler
    {
        get => _clientHandler;
        set
        {
            _clientHandler = value;
            inner.ClientHandler = value is null ? null : channel => value(new AssigningChannel(channel));
        }
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger) => inner.StartAsync(options, logger);

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    /// <summary>Passes everything through; only the first packet, the CONNECT, may get an id.</summary>
    private sealed class AssigningChannel(IMqttChannelAdapter inner) : IMqttChannelAdapter
    {
        private bool _connectSeen;

        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        // After the first packet the inner task is returned as it is: no extra state machine per packet.
        public Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
            _connectSeen ? inner.ReceivePacketAsync(cancellationToken) : ReceiveConnectAsync(cancellationToken);

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public void Dispose() => inner.Dispose();

        private async Task<MqttPacket> ReceiveConnectAsync(CancellationToken cancellationToken)
        {
            MqttPacket packet;
            try
            {
                packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MqttProtocolViolationException e) when (e.Message.Contains("[MQTT-3.1.3-7]", StringComparison.Ordinal))
            {
                // An empty client id without a clean session: MQTTnet names the rule in its message, and it is the only
                // sign of it (the packet never leaves the decoder). Answer as the spec says, then let MQTTnet close.
                await inner.SendPacketAsync(new MqttConnAckPacket { ReturnCode = MqttConnectReturnCode.ConnectionRefusedIdentifierRejected },
                    cancellationToken).ConfigureAwait(false);
                throw;
            }

            _connectSeen = true;
            if (packet is MqttConnectPacket { CleanSession: true } connect && string.IsNullOrEmpty(connect.ClientId)
                && inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V311)
            {
                connect.ClientId = NewClientId();
            }

            return packet;
        }
    }
}
