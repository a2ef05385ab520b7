using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// What the ingest does with a message it rejects: counts it (<c>netops.mqtt.rejected</c>), logs it at most once per
/// source and window (<see cref="RejectionLog"/>), and, with <see cref="MqttOptions.DeadLetterTopic"/>, republishes it to
/// the dead-letter topic: best effort, from a bounded queue, never holding up the ingest.
/// </summary>
internal sealed class IngestRejections
{
    private readonly MqttOptions _options;
    private readonly MqttMetrics? _metrics;
    private readonly RejectionLog _rejectionLog;
    private readonly ILogger _logger;
    private readonly Channel<DeadLetter>? _deadLetters;

    public IngestRejections(MqttOptions options, MqttMetrics? metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _rejectionLog = new RejectionLog(logger, time, options.RejectionLogWindow);
        if (options.DeadLetterTopic is not null)
        {
            _deadLetters = Channel.CreateBounded<DeadLetter>(new BoundedChannelOptions(options.DeadLetterQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            });
        }
    }

    /// <summary>Rejected messages are forwarded: one that may be rejected after its handler returned needs its own copy of the payload.</summary>
    public bool ForwardsDeadLetters => _deadLetters is not null;

    /// <summary>Counts and logs a rejection that is no dead letter (a device time not believed: the message is applied).</summary>
    public void Reject(string? subject, MqttRejectionReason reason, string? field)
    {
        _metrics?.Rejected(reason);
        _rejectionLog.Rejected(subject, reason, field);
    }

    /// <summary>Counts and logs a rejected message, and queues it for the dead-letter topic when there is one.</summary>
    public void Reject(string? subject, MqttRejectionReason reason, string? field, string topic, in ReadOnlySequence<byte> payload,
        DateTimeOffset receivedAt)
    {
        Reject(subject, reason, field);
        DeadLetterOf(topic, payload, reason, field, receivedAt);
    }

    /// <summary>Forwards queued dead letters on <paramref name="client"/> until <paramref name="stopping"/>; completes at once without a dead-letter topic.</summary>
    public Task ForwardAsync(IMqttClient client, CancellationToken stopping) =>
        _deadLetters is null ? Task.CompletedTask : ForwardDeadLettersAsync(client, _deadLetters.Reader, stopping);

    private void DeadLetterOf(string topic, in ReadOnlySequence<byte> original, MqttRejectionReason reason, string? field, DateTimeOffset receivedAt)
    {
        if (_deadLetters is null)
        {
            return;
        }

        // An oversize payload is not copied: forwarding it would hand the flood on.
        var size = original.Length;
        var payload = size <= _options.MaxPayloadBytes ? original.ToArray() : [];
        if (!_deadLetters.Writer.TryWrite(new DeadLetter(topic, payload, size, reason, field, receivedAt)))
        {
            _metrics?.DeadLetter(forwarded: false);
        }
    }

    private async Task ForwardDeadLettersAsync(IMqttClient client, ChannelReader<DeadLetter> reader, CancellationToken stopping)
    {
        var prefix = _options.DeadLetterTopic!;
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (reader.TryRead(out var letter))
                {
                    var forwarded = await TryForwardAsync(client, prefix, letter, stopping).ConfigureAwait(false);
                    _metrics?.DeadLetter(forwarded);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryForwardAsync(IMqttClient client, string prefix, DeadLetter letter, CancellationToken stopping)
    {
        if (!client.IsConnected)
        {
            return false;
        }

        // The original topic and payload are untrusted text: they travel as data, never into a log line.
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"{prefix}/{letter.Reason.ToTag()}")
            .WithPayload(letter.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("reason", Utf8(letter.Reason.ToTag()))
            .WithUserProperty("field", Utf8(letter.Field ?? string.Empty))
            .WithUserProperty("topic", Utf8(letter.Topic))
            .WithUserProperty("size", Utf8(letter.Size.ToString(CultureInfo.InvariantCulture)))
            .WithUserProperty("received_at", Utf8(letter.ReceivedAt.ToString("O", CultureInfo.InvariantCulture)))
            .Build();
        try
        {
            var result = await client.PublishAsync(message, stopping).ConfigureAwait(false);
            return result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            _logger.LogDebug(e, "Dead letter not forwarded");
            return false;
        }
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);
}

/// <summary>A rejected message on its way to the dead-letter topic.</summary>
internal readonly record struct DeadLetter(string Topic, byte[] Payload, long Size, MqttRejectionReason Reason, string? Field, DateTimeOffset ReceivedAt);
