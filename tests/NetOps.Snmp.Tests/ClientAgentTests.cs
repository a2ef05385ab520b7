using System.Diagnostics;
using System.Net;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>Our client against our agent, both on loopback sockets.</summary>
public sealed class ClientAgentTests
{
    [Fact]
    public async Task Get_ReturnsValues_AndMissingObjectsAsExceptionValues()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());

        var result = await fixture.Client.GetAsync(fixture.Target(),
            [Mib2.SysDescr, Mib2.SysUpTime, Oid.Parse("1.3.6.1.2.1.1.3.1"), Oid.Parse("1.3.6.1.2.1.99.0")]);

        Assert.Equal("NetOps test agent", result[0].Value.AsString());
        Assert.Equal(SnmpType.TimeTicks, result[1].Value.Type);
        Assert.Equal(SnmpType.NoSuchInstance, result[2].Value.Type);
        Assert.Equal(SnmpType.NoSuchObject, result[3].Value.Type);
    }

    [Fact]
    public async Task GetInV1_OfAMissingObject_RaisesNoSuchName()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());

        var error = await Assert.ThrowsAsync<SnmpErrorException>(() =>
            fixture.Client.GetAsync(fixture.Target(SnmpVersion.V1), [Mib2.SysDescr, Oid.Parse("1.3.6.1.2.1.99.0")]));

        Assert.Equal(SnmpErrorStatus.NoSuchName, error.Status);
        Assert.Equal(2, error.Index);
        Assert.Equal(Oid.Parse("1.3.6.1.2.1.99.0"), error.FailedOid);
    }

    [Fact]
    public async Task GetNextAndGetBulk_FollowLexicographicOrder()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(interfaces: 2));

        var next = await fixture.Client.GetNextAsync(fixture.Target(), [Mib2.System]);
        var bulk = await fixture.Client.GetBulkAsync(fixture.Target(), 1, 3, [Mib2.System, Mib2.IfEntry.Append(2)]);

        Assert.Equal(Mib2.SysDescr, Assert.Single(next).Oid);
        Assert.Equal(
            ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.2.1", "1.3.6.1.2.1.2.2.1.2.2", "1.3.6.1.2.1.2.2.1.5.1"],
            bulk.Select(b => b.Oid.ToString()));
    }

    [Theory]
    [InlineData(SnmpVersion.V1)]
    [InlineData(SnmpVersion.V2c)]
    public async Task Walk_ReturnsTheWholeSubtreeInOrder(SnmpVersion version)
    {
        var view = Mib2.Build(interfaces: 40);
        await using var fixture = AgentFixture.Start(view);

        var walked = await fixture.Client.WalkAsync(fixture.Target(version), Mib2.Interfaces).ToListAsync();

        Assert.Equal(view.Walk(Mib2.Interfaces).Select(b => b.Oid), walked.Select(b => b.Oid));
    }

    [Fact]
    public async Task Walk_StopsAtEndOfMibView()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build(interfaces: 1));

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Oid.Parse("1.3.6.1.2.1.2.2.1.10")).ToListAsync();

        Assert.Equal(["1.3.6.1.2.1.2.2.1.10.1"], walked.Select(b => b.Oid.ToString()));
    }

    [Fact]
    public async Task Walk_OfAScalar_ReturnsTheScalarAsSnmpwalkDoes()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Mib2.SysDescr).ToListAsync();

        Assert.Equal(Mib2.SysDescr, Assert.Single(walked).Oid);
    }

    [Fact]
    public async Task GetTable_KeysRowsByIndex()
    {
        var view = Mib2.Build(interfaces: 3);
        var entry = Oid.Parse("1.3.6.1.4.1.9999.1.1");
        view.Set(entry.Append(2, 10, 0, 0, 1), SnmpValue.OctetString("ten"));
        view.Set(entry.Append(3, 10, 0, 0, 1), SnmpValue.Integer(10));
        view.Set(entry.Append(2, 192, 168, 1, 1), SnmpValue.OctetString("one-nine-two"));
        await using var fixture = AgentFixture.Start(view);

        var interfaces = await fixture.Client.GetTableAsync(fixture.Target(), Mib2.IfEntry, [2, 8]);
        var multi = await fixture.Client.GetTableAsync(fixture.Target(), entry);

        Assert.Equal(["1", "2", "3"], interfaces.Rows.Select(r => r.Index.ToString()));
        Assert.Equal("port2", interfaces.Rows[1][2].AsString());
        Assert.False(interfaces.Rows[0].TryGet(5, out _));
        Assert.Equal(["10.0.0.1", "192.168.1.1"], multi.Rows.Select(r => r.Index.ToString()));
        Assert.Equal(10L, multi.Rows[0][3].AsInt64());
        Assert.False(multi.Rows[1].TryGet(3, out _));
    }

    [Fact]
    public async Task Walk_ShrinksRepetitions_WhenTheAgentAnswersTooBigWithAnEmptyList()
    {
        var view = Mib2.Build(interfaces: 30);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { TooBigAboveRepetitions = 5 } });

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Mib2.Interfaces).ToListAsync();
        var requestsForFirstWalk = fixture.Agent.RequestsAnswered;
        var again = await fixture.Client.WalkAsync(fixture.Target(), Mib2.Interfaces).ToListAsync();

        Assert.Equal(view.Walk(Mib2.Interfaces).Count(), walked.Count);
        Assert.Equal(walked.Select(b => b.Oid), again.Select(b => b.Oid));
        // The device's limit is remembered: the second walk needs no tooBig round trips.
        Assert.True(fixture.Agent.RequestsAnswered - requestsForFirstWalk < requestsForFirstWalk,
            $"first walk {requestsForFirstWalk} requests, second {fixture.Agent.RequestsAnswered - requestsForFirstWalk}");
        Assert.Contains(fixture.ClientLog.Entries, e => e.Message.Contains("tooBig", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Walk_CompletesAgainstAnAgentThatCapsRepetitions()
    {
        var view = Mib2.Build(interfaces: 30);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { MaxBulkRepetitions = 7 } });

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Mib2.Interfaces).ToListAsync();

        Assert.Equal(view.Walk(Mib2.Interfaces).Select(b => b.Oid), walked.Select(b => b.Oid));
        Assert.Contains(fixture.ClientLog.Entries, e => e.Message.Contains("truncated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Walk_OfAnAgentThatRepeatsAnOid_FailsInsteadOfLooping()
    {
        var view = Mib2.Build(interfaces: 5);
        var loopAt = Mib2.IfEntry.Append(2, 3);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { RepeatAfter = loopAt } });

        foreach (var version in new[] { SnmpVersion.V1, SnmpVersion.V2c })
        {
            var error = await Assert.ThrowsAsync<SnmpException>(async () =>
                await fixture.Client.WalkAsync(fixture.Target(version), Mib2.Interfaces).ToListAsync());

            Assert.Contains("not increasing", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Walk_ReadsAgentsWithBrokenEncodings()
    {
        var view = Mib2.Build(interfaces: 10);
        var quirks = new AgentQuirks { Encoding = new BerEncoding { NonMinimalIntegers = true, LongFormLengths = true, UnsignedWithoutLeadingZero = true } };
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = quirks });

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Mib2.Interfaces).ToListAsync();

        Assert.Equal(view.Walk(Mib2.Interfaces).Where(b => b.Oid.StartsWith(Mib2.Interfaces)).Select(b => b.Value), walked.Select(b => b.Value));
        Assert.Equal(uint.MaxValue - 1, walked.First(b => b.Oid == Mib2.IfEntry.Append(10, 1)).Value.AsUInt64());
    }

    [Fact]
    public async Task BulkAnswers_AreCutToTheAgentsMaximumMessageSize()
    {
        var view = Mib2.Build(interfaces: 200);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { MaxMessageSize = 484 });

        var page = await fixture.Client.GetBulkAsync(fixture.Target(), 0, 1000, [Mib2.Interfaces]);
        var walked = await fixture.Client.WalkAsync(fixture.Target() with { MaxRepetitions = 1000 }, Mib2.Interfaces).ToListAsync();

        Assert.InRange(page.Count, 5, 40);
        Assert.Equal(view.Walk(Mib2.Interfaces).Count(), walked.Count);
    }

    [Fact]
    public async Task TooBigGet_IsAnsweredTooBig()
    {
        var view = new MibView();
        view.Set(Oid.Parse("1.3.6.1.4.1.9999.1.0"), SnmpValue.OctetString(new string('x', 1400)));
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { MaxMessageSize = 484 });

        var error = await Assert.ThrowsAsync<SnmpErrorException>(() => fixture.Client.GetAsync(fixture.Target(), Oid.Parse("1.3.6.1.4.1.9999.1.0")));

        Assert.Equal(SnmpErrorStatus.TooBig, error.Status);
    }

    [Fact]
    public async Task WrongCommunity_GetsNoAnswer()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());

        await Assert.ThrowsAsync<SnmpTimeoutException>(() =>
            fixture.Client.GetAsync(fixture.Target() with { Community = "wrong", Timeout = TimeSpan.FromMilliseconds(100), Retries = 0 }, Mib2.SysDescr));
        Assert.DoesNotContain(fixture.AgentLog.Entries, e => e.Message.Contains("wrong", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.ClientLog.Entries, e => e.Message.Contains("wrong", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Set_ChangesWritableEntries_AndRefusesTheRest()
    {
        var view = Mib2.Build();
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { WriteCommunity = "private" });
        var writer = fixture.Target() with { Community = "private" };
        var sysName = Oid.Parse("1.3.6.1.2.1.1.5.0");

        await fixture.Client.SetAsync(writer, [new VarBind(sysName, SnmpValue.OctetString("renamed"))]);
        var readOnly = await Assert.ThrowsAsync<SnmpErrorException>(() =>
            fixture.Client.SetAsync(writer, [new VarBind(Mib2.SysDescr, SnmpValue.OctetString("x"))]));
        var wrongType = await Assert.ThrowsAsync<SnmpErrorException>(() =>
            fixture.Client.SetAsync(writer, [new VarBind(sysName, SnmpValue.Integer(1))]));
        var withReadCommunity = await Assert.ThrowsAsync<SnmpErrorException>(() =>
            fixture.Client.SetAsync(fixture.Target(), [new VarBind(sysName, SnmpValue.OctetString("nope"))]));

        Assert.Equal("renamed", (await fixture.Client.GetAsync(fixture.Target(), sysName)).Value.AsString());
        Assert.Equal(SnmpErrorStatus.NotWritable, readOnly.Status);
        Assert.Equal(SnmpErrorStatus.WrongType, wrongType.Status);
        Assert.Equal(SnmpErrorStatus.NoAccess, withReadCommunity.Status);
    }

    [Fact]
    public async Task ValuesChangedAtRunTime_AreServedAtOnce()
    {
        var view = Mib2.Build(interfaces: 2);
        await using var fixture = AgentFixture.Start(view);
        var operStatus = Mib2.IfEntry.Append(8, 2);

        var before = await fixture.Client.GetAsync(fixture.Target(), operStatus);
        view.Set(operStatus, SnmpValue.Integer(2));
        var after = await fixture.Client.GetAsync(fixture.Target(), operStatus);

        Assert.Equal(1L, before.Value.AsInt64());
        Assert.Equal(2L, after.Value.AsInt64());
    }

    [Fact]
    public async Task ADeadDevice_DoesNotDelayRequestsToALiveOne()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());
        await using var dead = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), Mib2.Build(),
            new SnmpAgentOptions { Quirks = new AgentQuirks { Silent = true } });
        var deadTarget = new SnmpTarget(dead.LocalEndPoint) { Timeout = TimeSpan.FromSeconds(2), Retries = 1 };

        var deadRequests = Enumerable.Range(0, 10).Select(_ => fixture.Client.GetAsync(deadTarget, Mib2.SysDescr)).ToList();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await fixture.Client.GetAsync(fixture.Target(), Mib2.SysUpTime);
        }

        var liveTime = clock.Elapsed;
        foreach (var request in deadRequests)
        {
            await Assert.ThrowsAsync<SnmpTimeoutException>(() => request);
        }

        // 20 round trips on loopback take milliseconds; one dead-device timeout would take 2 s.
        Assert.True(liveTime < TimeSpan.FromSeconds(1), $"live requests took {liveTime}");
    }

    [Fact]
    public async Task LateAnswersToAnEarlierAttempt_AreAccepted()
    {
        // Attempt 1 is answered at 450 ms, while the client waits for attempt 2 (300-600 ms); attempt 2's own
        // answer would come at 750 ms, too late. Only taking the late answer to attempt 1 completes the request.
        await using var fixture = AgentFixture.Start(Mib2.Build(),
            new SnmpAgentOptions { Quirks = new AgentQuirks { ResponseDelay = TimeSpan.FromMilliseconds(450) } });
        var target = fixture.Target() with { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 };

        var answer = await fixture.Client.GetAsync(target, Mib2.SysDescr);

        Assert.Equal("NetOps test agent", answer.Value.AsString());
        Assert.Contains(fixture.ClientLog.Entries, e => e.Message.Contains("attempt 1 of 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManyAgents_RunInOneProcess_OnLoopbackAddresses()
    {
        var agents = new List<AgentFixture>();
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                var view = new MibView();
                view.Set(Mib2.SysDescr, SnmpValue.OctetString($"device {i}"));
                agents.Add(AgentFixture.Start(view, address: IPAddress.Parse($"127.77.1.{i}")));
            }

            await using var client = new SnmpClient();
            var answers = await Task.WhenAll(agents.Select(a => client.GetAsync(a.Target(), Mib2.SysDescr)));

            Assert.Equal(Enumerable.Range(1, 5).Select(i => $"device {i}"), answers.Select(a => a.Value.AsString()));
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ADeviceAnsweringGarbage_GivesSnmpDecodeException()
    {
        using var device = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        device.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!stop.IsCancellationRequested)
            {
                var received = await device.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                await device.SendToAsync(new byte[] { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02 }, received.RemoteEndPoint, stop.Token);
            }
        });
        await using var client = new SnmpClient();

        try
        {
            var target = new SnmpTarget((IPEndPoint)device.LocalEndPoint!) { Timeout = TimeSpan.FromMilliseconds(200), Retries = 1 };
            await Assert.ThrowsAsync<SnmpDecodeException>(() => client.GetAsync(target, Mib2.SysDescr));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
        }
    }

    [Fact]
    public async Task RequestsToOneDevice_AreLimitedToItsShareOfConcurrency()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        await using var agent = SnmpAgent.Start(new IPEndPoint(IPAddress.Loopback, 0), Mib2.Build(),
            new SnmpAgentOptions { Quirks = new AgentQuirks { ResponseDelay = delay } });
        await using var client = new SnmpClient(new SnmpClientOptions { MaxInFlightPerDevice = 2 });
        var target = new SnmpTarget(agent.LocalEndPoint) { Timeout = TimeSpan.FromSeconds(5), Retries = 0 };

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync(target, Mib2.SysDescr)));

        // Six requests, two at a time, each answered after 200 ms: at least three rounds.
        Assert.True(clock.Elapsed >= delay * 3 - TimeSpan.FromMilliseconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task AgentsAndDevices_WorkOverIpv6()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            return;
        }

        await using var fixture = AgentFixture.Start(Mib2.Build(), address: IPAddress.IPv6Loopback);

        var answer = await fixture.Client.GetAsync(fixture.Target(), Mib2.SysDescr);

        Assert.Equal("NetOps test agent", answer.Value.AsString());
    }

    [Fact]
    public async Task MalformedDatagrams_AreDroppedByTheAgent()
    {
        await using var fixture = AgentFixture.Start(Mib2.Build());
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);

        await socket.SendToAsync(new byte[] { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff }, fixture.Agent.LocalEndPoint);
        await Eventually.TrueAsync(() => fixture.Agent.MalformedRequests == 1, TimeSpan.FromSeconds(5), "the agent counted the datagram");

        Assert.Equal("NetOps test agent", (await fixture.Client.GetAsync(fixture.Target(), Mib2.SysDescr)).Value.AsString());
    }
}
