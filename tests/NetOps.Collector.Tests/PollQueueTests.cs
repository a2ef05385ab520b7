using Microsoft.Extensions.Time.Testing;
using NetOps.Core.Inventory;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

public sealed class PollQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ScheduledPoll_WhileOneIsRunning_IsSkipped()
    {
        var queue = new PollQueue(new TestMeterFactory());
        Assert.True(queue.TryEnqueue("acc"));
        Assert.True(queue.Due.TryRead(out _));
        queue.Start("acc");

        Assert.False(queue.TryEnqueue("acc"));
        queue.Done("acc");

        Assert.False(queue.Due.TryRead(out _));
    }

    [Fact]
    public void RequestedPoll_WhileOneIsRunning_FollowsIt()
    {
        var queue = new PollQueue(new TestMeterFactory());
        Assert.True(queue.TryEnqueue("acc"));
        Assert.True(queue.Due.TryRead(out _));
        queue.Start("acc");

        Assert.False(queue.Request("acc"));
        Assert.False(queue.Request("acc"));
        Assert.False(queue.Due.TryRead(out _));
        queue.Done("acc");

        Assert.True(queue.Due.TryRead(out var device));
        Assert.Equal("acc", device);
        Assert.Equal(PollSections.Interfaces, queue.Start("acc").Sections);
        Assert.False(queue.Due.TryRead(out _));
    }

    [Fact]
    public void RequestsForAQueuedDevice_AreMergedIntoOnePoll_WithTheirSectionsAndTheEarliestFireTime()
    {
        var clock = new FakeTimeProvider(T0.AddSeconds(3));
        var queue = new PollQueue(new TestMeterFactory(), clock);
        var lateness = new List<PollLateness>();
        queue.PollStarted += lateness.Add;

        Assert.True(queue.TryEnqueue("acc", PollSections.Interfaces, T0.AddSeconds(1)));
        Assert.False(queue.TryEnqueue("acc", PollSections.Optics, T0));
        Assert.False(queue.Request("acc", PollSections.Interfaces));
        Assert.True(queue.TryEnqueue("core", PollSections.Neighbours, T0.AddSeconds(2)));

        Assert.True(queue.Due.TryRead(out var first));
        Assert.True(queue.Due.TryRead(out var second));
        Assert.False(queue.Due.TryRead(out _));
        var acc = queue.Start(first!);
        Assert.Equal(("acc", PollSections.Interfaces | PollSections.Optics, (DateTimeOffset?)T0), (acc.DeviceId, acc.Sections, acc.ScheduledAt));
        Assert.Equal("core", second);
        queue.Start(second!);

        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)], lateness.Select(l => l.Lateness));
        Assert.Equal(0, queue.Queued);
    }

    [Fact]
    public void ScheduledPollOfOtherSections_WhileOneIsRunning_FollowsIt_AndTheDeviceIsNeverPolledTwiceAtOnce()
    {
        var queue = new PollQueue(new TestMeterFactory());
        queue.TryEnqueue("acc", PollSections.Interfaces);
        queue.Due.TryRead(out _);
        queue.Start("acc");

        Assert.False(queue.TryEnqueue("acc", PollSections.Interfaces | PollSections.Optics));
        Assert.False(queue.TryEnqueue("acc", PollSections.Poe));
        Assert.False(queue.Due.TryRead(out _));

        queue.Done("acc");
        Assert.True(queue.Due.TryRead(out _));
        Assert.Equal(PollSections.Optics | PollSections.Poe, queue.Start("acc").Sections);
        queue.Done("acc");
        Assert.False(queue.Due.TryRead(out _));
    }
}
