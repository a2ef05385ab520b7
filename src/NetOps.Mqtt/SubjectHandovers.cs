using System.Buffers;
using Microsoft.Extensions.Logging;
using MQTTnet;
using NetOps.Core.Observations;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// Hands observations to the sink in order per subject (node, endpoint, camera): the next of a subject once the sink
/// accepted the previous one, different subjects at the same time. Marks a message applied in the replay check only
/// once it and every earlier one of its subject on that connection are durable (a watermark without gaps); a sink
/// failure poisons the connection and drops it, so that the broker redelivers from the failed message on.
/// </summary>
internal sealed class SubjectHandovers(Func<Observation, CancellationToken, ValueTask<ValueTask>> sink, SequenceTracker sequences,
    IngestRejections rejections, Func<Task> dropConnection, ILogger logger)
{
    // Outer: accepted (in order per subject); inner: durable. A one-phase sink's accepted is durable.
    private readonly Func<Observation, CancellationToken, ValueTask<ValueTask>> _sink = sink;
    private readonly SequenceTracker _sequences = sequences;
    private readonly IngestRejections _rejections = rejections;
    private readonly Func<Task> _dropConnection = dropConnection;
    private readonly ILogger _logger = logger;

    // Per subject (node, endpoint or camera id): the tail of its hand-overs, so that the next one waits for its acceptance.
    private readonly Dictionary<string, Chain> _chains = new(StringComparer.Ordinal);
    private readonly Lock _chainsGate = new();

    /// <summary>Starts the hand-over of one observation behind the earlier ones of its subject; completes the delivery.</summary>
    public void HandOnInOrder(Handover handover, MqttApplicationMessage message, Delivery delivery)
    {
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Chain? chain;
        Link previous;
        lock (_chainsGate)
        {
            if (!_chains.TryGetValue(handover.Subject, out chain))
            {
                chain = new Chain();
                _chains.Add(handover.Subject, chain);
            }

            chain.Pending++;
            previous = chain.Tail;
            chain.Tail = new Link(accepted.Task, delivery.Task, handover.Connection);
        }

        // Behind an earlier copy still on its way, a redelivery may turn out a replay only after this handler has
        // returned, when MQTTnet's payload is no longer ours: the dead letter needs its own copy.
        if (_rejections.ForwardsDeadLetters && !(previous.Accepted.IsCompleted && previous.Durable.IsCompleted))
        {
            handover.Payload = message.Payload.ToArray();
        }

        _ = HandOnAfterAsync(previous, chain, handover, delivery, accepted);
    }

    private async Task HandOnAfterAsync(Link previous, Chain chain, Handover handover, Delivery delivery, TaskCompletionSource accepted)
    {
        var durable = false;
        try
        {
            // Neither faults: a delivery reports failure as false.
            await previous.Accepted.ConfigureAwait(false);
            var previousDurable = previous.Durable;
            if (!ReferenceEquals(previous.Connection, handover.Connection))
            {
                // A redelivery behind its earlier copy: the replay check must know whether that one became durable.
                // Whatever its outcome, it does not hold this connection's watermark back: the broker redelivers
                // from the first unacknowledged message on, so the subject's earlier ones come first here.
                await previousDurable.ConfigureAwait(false);
                previousDurable = Link.Done.Durable;
            }

            durable = await HandOnAsync(handover, accepted, previousDurable).ConfigureAwait(false);
        }
        finally
        {
            lock (_chainsGate)
            {
                if (--chain.Pending == 0 && _chains.TryGetValue(handover.Subject, out var current) && ReferenceEquals(current, chain))
                {
                    _chains.Remove(handover.Subject);
                }
            }

            // Durable before accepted: a one-phase hand-over lets the next one in only once it is marked applied, so
            // that a duplicate on the same connection is still dropped as a replay.
            delivery.TrySetResult(durable);
            accepted.TrySetResult();
        }
    }

    // True: acknowledge (durable, or a replay). False: leave unacknowledged, so that the broker delivers it again.
    // Signals accepted as soon as the sink accepted it, so that the subject's next message can follow before this
    // one is durable.
    private async Task<bool> HandOnAsync(Handover handover, TaskCompletionSource accepted, Task<bool> previousDurable)
    {
        var (observation, connection, stopping) = (handover.Observation, handover.Connection, handover.Stopping);
        if (connection.IsPoisoned || stopping.IsCancellationRequested)
        {
            // An earlier message of this connection failed (or the ingest stops): this one must not overtake it.
            return false;
        }

        if (_sequences.IsReplay(observation.Source, observation.Sequence))
        {
            // The earlier copy of a redelivery was still on its way at arrival, and has become durable since.
            _rejections.Reject(handover.Subject, MqttRejectionReason.Replayed, "seq", handover.Topic, new ReadOnlySequence<byte>(handover.Payload ?? []),
                handover.ReceivedAt);
            return true;
        }

        try
        {
            var durable = await _sink(observation, stopping).ConfigureAwait(false);
            if (!durable.IsCompleted || !previousDurable.IsCompleted)
            {
                accepted.TrySetResult();
            }

            await durable.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not marked applied: its redelivery is handed on again, not dropped as a replay. A failure of the stop
            // (the sink was cancelled) poisons nothing: what other subjects' sinks finish is still acknowledged, and
            // this subject's later messages are not acknowledged (the stop), so they stay behind this one.
            if (!stopping.IsCancellationRequested && connection.TryPoison())
            {
                _logger.LogError(e, "Observation sink failed; reconnecting so that the broker redelivers from {Source} seq {Sequence} on",
                    observation.Source, observation.Sequence);
                _ = Task.Run(_dropConnection, CancellationToken.None);
            }

            return false;
        }

        // The replay check counts what is durable, as a watermark without gaps: this one only after the subject's
        // earlier ones. Behind one that failed, it stays unmarked, so its redelivery reaches the sink again (the store
        // overwrites the same series and time, the state engine drops a (source, seq) it applied).
        if (!await previousDurable.ConfigureAwait(false))
        {
            return false;
        }

        _sequences.Applied(observation.Source, observation.Sequence);
        return true;
    }
}

/// <summary>The hand-overs of one subject: the last one started, and how many have not finished.</summary>
internal sealed class Chain
{
    public Link Tail { get; set; } = Link.Done;

    public int Pending { get; set; }
}

/// <summary>One hand-over as the next of its subject sees it: accepted by the sink; durable (and marked applied), or not.</summary>
internal sealed record Link(Task Accepted, Task<bool> Durable, Connection? Connection)
{
    public static Link Done { get; } = new(Task.CompletedTask, Task.FromResult(true), null);
}

/// <summary>An observation on its way to the sink.</summary>
internal sealed record Handover(string Subject, Observation Observation, string Topic, DateTimeOffset ReceivedAt, Connection Connection,
    CancellationToken Stopping)
{
    /// <summary>A copy of the payload, kept only for a dead letter that may be needed after the handler returned.</summary>
    public byte[]? Payload { get; set; }
}
