using System.Diagnostics;
using NetOps.Snmp.Tests.Support;

namespace NetOps.Snmp.Tests.Transport;

/// <summary>
/// The client's answers are handled on its own receive thread, which also goes on with the client's own steps (the next
/// page of a walk or table); the caller's code never runs there, so a slow caller holds nobody else's answers.
/// </summary>
public sealed class ReceiveThreadTests
{
    [Fact]
    public async Task EveryOperation_HandsItsOutcomeToTheCaller_OffTheReceiveThread()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(interfaces: 30));
        var target = fixture.Target() with { MaxRepetitions = 5 };
        var client = fixture.Client;

        await client.GetAsync(target, Mib2.SysUpTime);
        Assert.False(UdpReceiveLoop.OnOwnThread);
        await client.GetNextAsync(target, [Mib2.System]);
        Assert.False(UdpReceiveLoop.OnOwnThread);
        await client.GetBulkAsync(target, 0, 5, [Mib2.Interfaces]);
        Assert.False(UdpReceiveLoop.OnOwnThread);
        await client.SendAsync(target, new SnmpPdu(SnmpPduType.GetRequest, 0, [VarBind.Request(Mib2.SysDescr)]));
        Assert.False(UdpReceiveLoop.OnOwnThread);
        var table = await client.GetTableAsync(target, Mib2.IfEntry, [1, 2, 10]);
        Assert.Equal(30, table.Rows.Count);
        Assert.False(UdpReceiveLoop.OnOwnThread);
        await Assert.ThrowsAsync<SnmpErrorException>(() => client.GetAsync(target with { Version = SnmpVersion.V1 }, [Oid.Parse("1.3.6.1.2.1.99.0")]));
        Assert.False(UdpReceiveLoop.OnOwnThread);

        // A walk hands each page to the loop's body as it came (on the receive thread: no thread woken per page), and
        // what follows the walk runs on the pool again.
        var bodies = 0;
        await foreach (var _ in client.WalkAsync(target, Mib2.IfEntry.Append(2)))
        {
            bodies++;
        }

        Assert.Equal(30, bodies);
        Assert.False(UdpReceiveLoop.OnOwnThread);
    }

    [Fact]
    public async Task ACallerThatBlocksAfterItsAnswer_DoesNotHoldAnotherCallersAnswers()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(interfaces: 40));
        var target = fixture.Target() with { MaxRepetitions = 2 };
        using var release = new ManualResetEventSlim();
        using var blocked = new SemaphoreSlim(0);

        // The first caller blocks its thread once it has its answer, as careless code might.
        var blocking = Task.Run(async () =>
        {
            await fixture.Client.GetAsync(target, Mib2.SysUpTime);
            blocked.Release();
            release.Wait(TimeSpan.FromSeconds(30));
        });
        Assert.True(await blocked.WaitAsync(TimeSpan.FromSeconds(10)));

        // Meanwhile another reads a table page by page: 20 exchanges, each answered on the receive thread.
        var watch = Stopwatch.StartNew();
        var table = await fixture.Client.GetTableAsync(target, Mib2.IfEntry, [2, 10]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(40, table.Rows.Count);
        Assert.False(blocking.IsCompleted);
        release.Set();
        await blocking;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }
}
