using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace NetOps.Mqtt;

/// <summary>
/// Builds MQTTnet's client adapter as MQTTnet does, with its TCP channel under a <see cref="CoalescingChannel"/>; the
/// channel of the latest connection is <see cref="Current"/>. Other transports (WebSocket) are MQTTnet's own.
/// </summary>
internal sealed class CoalescingAdapterFactory : IMqttClientAdapterFactory
{
    private volatile CoalescingChannel? _current;

    public CoalescingChannel? Current => _current;

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            _current = null;
            return new MqttClientAdapterFactory().CreateClientAdapter(options, packetInspector, logger);
        }

        var channel = new CoalescingChannel(new MqttTcpChannel(options));
        _current = channel;
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
