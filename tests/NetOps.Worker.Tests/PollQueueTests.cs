namespace NetOps.Worker.Tests;

public sealed class PollQueueTests
{
    [Fact]
    public void ScheduledPoll_WhileOneIsRunning_IsSkipped()
    {
        var queue = new PollQueue();
        Assert.True(queue.TryEnqueue("acc"));
        Assert.True(queue.Due.TryRead(out _));

        Assert.False(queue.TryEnqueue("acc"));
        queue.Done("acc");

        Assert.False(queue.Due.TryRead(out _));
    }

    [Fact]
    public void RequestedPoll_WhileOneIsRunning_FollowsIt()
    {
        var queue = new PollQueue();
        Assert.True(queue.TryEnqueue("acc"));
        Assert.True(queue.Due.TryRead(out _));

        Assert.False(queue.Request("acc"));
        Assert.False(queue.Request("acc"));
        Assert.False(queue.Due.TryRead(out _));
        queue.Done("acc");

        Assert.True(queue.Due.TryRead(out var device));
        Assert.Equal("acc", device);
        Assert.False(queue.Due.TryRead(out _));
    }
}
