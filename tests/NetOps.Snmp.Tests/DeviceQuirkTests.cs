using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetOps.Snmp.Tests.Support;

namespace NetOps.Snmp.Tests;

/// <summary>
/// Devices that break the rules, served by our agent (or, where the agent cannot break a rule, by a responder the
/// test controls), and read by our client. ClientAgentTests covers tooBig with an empty list, a repeated OID, and
/// non-minimal integers with long-form lengths; these add the rest of the quirks the peers' trackers report.
/// </summary>
public sealed class DeviceQuirkTests
{
    private static readonly BerEncoding Everything = new()
    {
        NonMinimalIntegers = true, LongFormLengths = true, UnsignedWithoutLeadingZero = true, ZeroLengthZeros = true,
    };

    [Fact]
    public async Task ZeroLengthIntegers_AreReadAsZero_OfEveryIntegerType()
    {
        var view = new MibView();
        var zeros = new[]
        {
            SnmpValue.Integer(0), SnmpValue.Counter32(0), SnmpValue.Gauge32(0), SnmpValue.TimeTicks(0), SnmpValue.Counter64(0), SnmpValue.Integer(7),
        };
        for (var i = 0; i < zeros.Length; i++)
        {
            view.Set(Oid.Parse($"1.3.6.1.4.1.99999.1.{i + 1}.0"), zeros[i]);
        }

        var quirks = new AgentQuirks { Encoding = new BerEncoding { ZeroLengthZeros = true } };
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = quirks });

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Oid.Parse("1.3.6.1.4.1.99999")).ToListAsync();
        var walkedV1 = await fixture.Client.WalkAsync(fixture.Target(SnmpVersion.V1), Oid.Parse("1.3.6.1.4.1.99999")).ToListAsync();

        Assert.Equal(zeros, walked.Select(b => b.Value));
        Assert.Equal(zeros.Where(v => v.Type != SnmpType.Counter64), walkedV1.Select(b => b.Value));
        // The agent really sends "02 00": the last binding of a one-binding response to INTEGER 0 ends the packet.
        var response = SnmpCodec.Encode(new SnmpMessage(SnmpVersion.V2c, "public",
            new SnmpPdu(SnmpPduType.Response, 5, [new VarBind(Oid.Parse("1.3.6.1.4.1.99999.1.1.0"), SnmpValue.Integer(0))])), quirks.Encoding);
        Assert.Equal(new byte[] { 0x02, 0x00 }, response[^2..]);
    }

    [Fact]
    public async Task ARecordedDevice_WithEveryEncodingFaultAtOnce_IsReadValueForValue()
    {
        var view = MibView.FromSnmprec(Recordings.LinuxFullWalk);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { Encoding = Everything } });

        var walked = await fixture.Client.WalkAsync(fixture.Target(), Oid.Parse("1.3.6")).ToListAsync();

        Assert.Equal(view.Walk().Select(b => (b.Oid, b.Value)), walked.Select(b => (b.Oid, b.Value)));
    }

    [Fact]
    public async Task BulkAnswersSilentlyCutAt55Repetitions_AreReadWithoutSkippingRowsOrEndingEarly()
    {
        // Zyxel: asked for more than about 55 repetitions, the switch answers fewer rows, with no error.
        var view = Mib2.Build(interfaces: 200);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { MaxBulkRepetitions = 55 } });
        var target = fixture.Target() with { MaxRepetitions = 100 };

        var walked = await fixture.Client.WalkAsync(target, Mib2.Interfaces).ToListAsync();
        var requestsOfFirstWalk = fixture.Agent.RequestsAnswered;
        var table = await fixture.Client.GetTableAsync(target, Mib2.IfEntry, [2, 10]);

        Assert.Equal(view.Walk(Mib2.Interfaces).Select(b => (b.Oid, b.Value)), walked.Select(b => (b.Oid, b.Value)));
        Assert.Equal(200, table.Rows.Count);
        Assert.All(table.Rows, row => Assert.Equal($"port{row.Index[0]}", row[2].AsString()));
        Assert.Contains(fixture.ClientLog.Entries, e => e.Message.Contains("truncated", StringComparison.Ordinal));
        // 1,001 objects at 55 a page: the walk needs no extra round trips beyond the pages themselves.
        Assert.InRange(requestsOfFirstWalk, 1001 / 55 + 1, 1001 / 55 + 2);
    }

    [Fact]
    public async Task ADeviceThatKeepsTruncating_IsOneInformationLine_TheRestOfItsTuningDebug()
    {
        var view = Mib2.Build(interfaces: 200);
        await using var first = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { MaxBulkRepetitions = 55 } });
        await using var second = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = new AgentQuirks { MaxBulkRepetitions = 40 } });
        var client = first.Client; // one client polls both, as the worker's does
        var expected = view.Walk(Mib2.Interfaces).Select(b => (b.Oid, b.Value)).ToList();

        // Each poll the first device serves fewer rows per answer than the poll before: it lowers every time.
        foreach (var cap in new[] { 55, 30, 20 })
        {
            first.Agent.Quirks = first.Agent.Quirks with { MaxBulkRepetitions = cap };
            var walked = await client.WalkAsync(first.Target() with { MaxRepetitions = 100 }, Mib2.Interfaces).ToListAsync();
            Assert.Equal(expected, walked.Select(b => (b.Oid, b.Value)));
        }

        await client.WalkAsync(second.Target() with { MaxRepetitions = 100 }, Mib2.Interfaces).ToListAsync();

        var lowered = first.ClientLog.Entries.Where(e => e.Message.StartsWith("Get-bulk to ", StringComparison.Ordinal))
            .Select(e => (e.Level, e.Message)).ToList();
        Assert.Equal(
            [
                (LogLevel.Information, $"Get-bulk to {first.Agent.LocalEndPoint} lowered from 100 to 55 repetitions after a truncated answer"),
                (LogLevel.Debug, $"Get-bulk to {first.Agent.LocalEndPoint} lowered from 55 to 30 repetitions after a truncated answer"),
                (LogLevel.Debug, $"Get-bulk to {first.Agent.LocalEndPoint} lowered from 30 to 20 repetitions after a truncated answer"),
                (LogLevel.Information, $"Get-bulk to {second.Agent.LocalEndPoint} lowered from 100 to 40 repetitions after a truncated answer"),
            ],
            lowered);
    }

    [Theory]
    [InlineData(SnmpVersion.V2c, "2,1")] // unsorted: a page that goes backwards
    [InlineData(SnmpVersion.V2c, "1,2")] // every page starts again at the first row: the walk would loop
    [InlineData(SnmpVersion.V1, "1")]
    public async Task UnsortedOids_EndTheWalkWithAnError_InsteadOfLooping(SnmpVersion version, string rows)
    {
        var page = rows.Split(',').Select(r => new VarBind(Mib2.IfEntry.Append(2, uint.Parse(r, System.Globalization.CultureInfo.InvariantCulture)),
            SnmpValue.OctetString("port"))).ToArray();
        await using var device = UnsortedDevice.Start(page);
        await using var client = new SnmpClient();
        var target = new SnmpTarget(device.EndPoint) { Version = version, Timeout = TimeSpan.FromSeconds(1), Retries = 0 };

        var error = await Assert.ThrowsAsync<SnmpException>(async () => await client.WalkAsync(target, Mib2.Interfaces).ToListAsync());

        Assert.Contains("not increasing", error.Message, StringComparison.Ordinal);
        Assert.InRange(device.Requests, 1, 2);
    }

    [Fact]
    public async Task SixtyFourBitCountersThatReset_AreReadExactly_AsNetSnmpReadsThem()
    {
        // HP: Counter64 values past 2^63 (high bit set, which a signed reader takes as negative), then a reset to
        // almost nothing. The engine reports what the device says; rates handle the reset (StateEngine).
        var view = new MibView();
        var hcInOctets = Oid.Parse("1.3.6.1.2.1.31.1.1.1.6.1");
        var hcOutOctets = Oid.Parse("1.3.6.1.2.1.31.1.1.1.10.1");
        view.Set(hcInOctets, SnmpValue.Counter64(ulong.MaxValue - 1));
        view.Set(hcOutOctets, SnmpValue.Counter64((1UL << 63) + 5));
        var quirks = new AgentQuirks { Encoding = new BerEncoding { NonMinimalIntegers = true, LongFormLengths = true } };
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { Quirks = quirks });

        var before = await fixture.Client.GetAsync(fixture.Target(), [hcInOctets, hcOutOctets]);
        var theirs = await NetSnmpTool.RunAsync("snmpget", "-v2c", "-c", "public", "-On", fixture.Address, hcInOctets.ToString(), hcOutOctets.ToString());
        view.Set(hcInOctets, SnmpValue.Counter64(3));
        view.Set(hcOutOctets, SnmpValue.Counter64(0));
        var after = await fixture.Client.GetAsync(fixture.Target(), [hcInOctets, hcOutOctets]);

        Assert.Equal([ulong.MaxValue - 1, (1UL << 63) + 5], before.Select(b => b.Value.AsUInt64()));
        Assert.Equal(WalkOutput.Format(before), theirs.Output);
        Assert.Equal([3UL, 0UL], after.Select(b => b.Value.AsUInt64()));
        Assert.All(after, b => Assert.Equal(SnmpType.Counter64, b.Value.Type));
    }

    /// <summary>
    /// A responder answering every request with the same page, whatever was asked: what an agent serving an
    /// unsorted table does. Our agent sorts its view, so it cannot misbehave this way.
    /// </summary>
    private sealed class UnsortedDevice : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private int _requests;

        private UnsortedDevice(Socket socket, IReadOnlyList<VarBind> page)
        {
            _socket = socket;
            _serving = ServeAsync(page);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public int Requests => Volatile.Read(ref _requests);

        public static UnsortedDevice Start(IReadOnlyList<VarBind> page)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new UnsortedDevice(socket, page);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            try
            {
                await _serving;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }

        private async Task ServeAsync(IReadOnlyList<VarBind> page)
        {
            var buffer = new byte[65535];
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                var request = SnmpCodec.Decode(buffer.AsSpan(0, received.ReceivedBytes).ToArray());
                var answer = request.Version == SnmpVersion.V1 ? page.Take(1).ToArray() : [.. page];
                var response = new SnmpMessage(request.Version, request.Community, new SnmpPdu(SnmpPduType.Response, request.Pdu.RequestId, answer));
                await _socket.SendToAsync(SnmpCodec.Encode(response), SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }
}
