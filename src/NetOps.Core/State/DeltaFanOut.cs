using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace NetOps.Core.State;

/// <summary>
/// Hands each published delta to every current subscriber. A subscriber that falls more than its buffer behind
/// misses deltas and sees a version gap, on which it resynchronises; the publisher never waits for a reader.
/// </summary>
public sealed class DeltaFanOut
{
    private const int SubscriberBuffer = 4096;

    private readonly Lock _gate = new();
    private readonly List<Channel<StateDelta>> _subscribers = [];

    /// <summary>Offers the delta to every subscriber without waiting.</summary>
    public void Publish(StateDelta delta)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(delta);
            }
        }
    }

    /// <summary>Deltas above <paramref name="afterVersion"/> from now on; the subscription exists once enumeration started.</summary>
    public async IAsyncEnumerable<StateDelta> SubscribeAsync(long afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<StateDelta>(new BoundedChannelOptions(SubscriberBuffer)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var delta in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (delta.Version > afterVersion)
                {
                    yield return delta;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}
