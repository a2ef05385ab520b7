using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace NetOps.Mqtt;

/// <summary>
/// Received messages in arrival order, each waiting for its hand-over to finish, then acknowledged in that order
/// (MQTT 5 [MQTT-4.6.0-2]), every run of ready ones in one send through the connection's <see cref="CoalescingChannel"/>.
/// Bounded by Mqtt:ReceiveMaximum: a broker that sends more waits on the ingest.
/// </summary>
internal sealed class DeliveryQueue
{
    private readonly Channel<Delivery> _deliveries;
    private readonly CoalescingAdapterFactory _adapters;
    private readonly Func<Connection> _current;
    private readonly Action _drained;
    private readonly ILogger _logger;

    /// <param name="capacity">Mqtt:ReceiveMaximum.</param>
    /// <param name="adapters">Where the connection's channel is, to send a run of acknowledgements at once.</param>
    /// <param name="current">The connection messages arrive on now: a delivery is acknowledged only on its own.</param>
    /// <param name="drained">Called when the drain marker of a member leaving its shared group is acknowledged.</param>
    /// <param name="logger">Where acknowledgements that could not be sent are noted.</param>
    public DeliveryQueue(int capacity, CoalescingAdapterFactory adapters, Func<Connection> current, Action drained, ILogger logger)
    {
        _deliveries = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _adapters = adapters;
        _current = current;
        _drained = drained;
        _logger = logger;
    }

    /// <summary>No more messages: <see cref="AcknowledgeInOrderAsync"/> ends once the queued ones are done.</summary>
    public void Complete() => _deliveries.Writer.TryComplete();

    /// <summary>Queues a message in arrival order; false when the ingest stops first (it is then neither handed on nor acknowledged).</summary>
    public ValueTask<bool> QueueAsync(Delivery delivery, CancellationToken stopping)
    {
        return _deliveries.Writer.TryWrite(delivery) ? ValueTask.FromResult(true) : WaitAndQueueAsync(_deliveries, delivery, stopping);

        static async ValueTask<bool> WaitAndQueueAsync(Channel<Delivery> deliveries, Delivery delivery, CancellationToken stopping)
        {
            try
            {
                // Full: Mqtt:ReceiveMaximum messages wait for their acknowledgement, which a broker should not exceed.
                await deliveries.Writer.WriteAsync(delivery, stopping).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return false;
            }
        }
    }

    // MQTT 5 [MQTT-4.6.0-2]: a client sends PUBACKs in the order the PUBLISHes arrived, whatever order the sink
    // finished them in. After a sink failure nothing more is acknowledged on that connection: the broker redelivers
    // the failed message and everything after it; what became durable meanwhile (without gaps per subject) is then
    // dropped as a replay, the rest reaches the sink again.
    public async Task AcknowledgeInOrderAsync()
    {
        var reader = _deliveries.Reader;
        while (true)
        {
            if (!reader.TryPeek(out var next))
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Waits uncorked: an acknowledgement is never held back waiting for the next message.
            await next.Task.ConfigureAwait(false);

            // Every delivery that is ready now is acknowledged in one send.
            var channel = _adapters.Current;
            channel?.Cork();
            try
            {
                while (reader.TryPeek(out var delivery) && delivery.Task.IsCompleted && reader.TryRead(out _))
                {
                    await AcknowledgeOneAsync(delivery).ConfigureAwait(false);
                }
            }
            finally
            {
                await UncorkAsync(channel).ConfigureAwait(false);
            }
        }
    }

    private async Task AcknowledgeOneAsync(Delivery delivery)
    {
        var durable = await delivery.Task.ConfigureAwait(false);
        if (!durable || delivery.Connection.IsPoisoned || !ReferenceEquals(delivery.Connection, _current()))
        {
            // An acknowledgement on a later connection could carry a packet id the broker has given another message.
            return;
        }

        await AcknowledgeAsync(delivery.Args).ConfigureAwait(false);
        if (delivery.IsDrainMarker)
        {
            _drained();
        }
    }

    private async Task UncorkAsync(CoalescingChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.UncorkAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection went away: the broker redelivers, and the replay check drops what was applied.
            _logger.LogDebug(e, "MQTT acknowledgements not sent");
        }
    }

    // Not cancelled by a stop: a message the sink took must be acknowledged, or the next start hands it on again.
    // A dead connection fails the send at once.
    private async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        try
        {
            await args.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection went away: the broker redelivers, and the replay check drops what was applied.
            _logger.LogDebug(e, "MQTT acknowledgement not sent");
        }
    }
}

/// <summary>A received message waiting in arrival order for its acknowledgement; its result true: acknowledge.</summary>
internal sealed class Delivery(MqttApplicationMessageReceivedEventArgs args, Connection connection, bool isDrainMarker = false)
    : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public MqttApplicationMessageReceivedEventArgs Args { get; } = args;

    public Connection Connection { get; } = connection;

    public bool IsDrainMarker { get; } = isDrainMarker;

    /// <summary>A message that needs no hand-over (rejected, ignored, the drain marker): acknowledged in its turn.</summary>
    public static Delivery Acknowledged(MqttApplicationMessageReceivedEventArgs args, Connection connection, bool isDrainMarker = false)
    {
        var delivery = new Delivery(args, connection, isDrainMarker);
        delivery.TrySetResult(true);
        return delivery;
    }
}
