using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>
/// SNMPv3 message and USM parsing under random corruption, seeded with real packets captured from our client's
/// exchanges with net-snmp's snmpd: discovery, reports, authNoPriv and authPriv requests and responses.
/// </summary>
public sealed class SnmpV3FuzzTests
{
    private static readonly UsmUsers.User[] Users =
    [
        new(null, null), new("SHA", null), new("MD5", "DES"), new("SHA-256", "AES"), new("SHA-224", "AES-192"), new("SHA-512", "AES-256"),
    ];

    [Fact]
    public async Task EveryTruncationAndCorruption_OfRealV3Packets_GivesSnmpDecodeExceptionOrAMessage()
    {
        var seeds = await CaptureAsync();
        Assert.Contains(seeds, p => SnmpV3Codec.Decode(p).IsEncrypted);
        Assert.Contains(seeds, p => SnmpV3Codec.Decode(p).Scoped?.Pdu.Type == SnmpPduType.Report);
        var engineId = SnmpV3Codec.Decode(seeds.First(p => SnmpV3Codec.Decode(p).Security.EngineId.Length > 0)).Security.EngineId.ToArray();
        var keys = Users.Where(u => u.Auth is not null).ToDictionary(u => u.Name, u => new UsmUserKeys(u.Security, engineId));
        var random = new Random(3414);

        foreach (var seed in seeds)
        {
            // The seed itself passes every check with its user's keys.
            var message = SnmpV3Codec.Decode(seed);
            if (message.IsAuthenticated && keys.TryGetValue(message.Security.UserName, out var user))
            {
                Assert.Equal(UsmCheck.Ok, user.Check(message, seed, out _));
            }

            for (var length = 0; length < seed.Length; length++)
            {
                Assert.Throws<SnmpDecodeException>(() => SnmpV3Codec.Decode(seed.AsMemory(0, length)));
            }

            for (var round = 0; round < 1500; round++)
            {
                var corrupt = (byte[])seed.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
                }

                Process(corrupt, keys);
            }
        }
    }

    /// <summary>Decoding, then what a receiver does with its user's keys: only a decode error without a hidden cause may escape.</summary>
    private static void Process(byte[] packet, Dictionary<string, UsmUserKeys> keys)
    {
        try
        {
            var message = SnmpV3Codec.Decode(packet);
            if (keys.TryGetValue(message.Security.UserName, out var user))
            {
                _ = user.Check(message, packet, out _);
            }
        }
        catch (SnmpDecodeException e) when (e.InnerException is null)
        {
        }
    }

    /// <summary>Real v3 datagrams both ways, relayed between our client and snmpd.</summary>
    private static async Task<List<byte[]>> CaptureAsync()
    {
        await using var snmpd = await UsmSnmpd.StartAsync(Users);
        await using var recorder = new UdpRecorder(snmpd.EndPoint);
        await using (var client = new SnmpClient())
        {
            foreach (var user in Users)
            {
                var target = snmpd.Target(user.Security) with { EndPoint = recorder.EndPoint };
                await client.GetAsync(target, Oid.Parse("1.3.6.1.2.1.1.1.0"));
                await client.GetBulkAsync(target, 0, 3, [Oid.Parse("1.3.6.1.2.1.1")]);
            }

            var unknown = snmpd.Target(Users[1].Security with { UserName = "nobody" }) with { EndPoint = recorder.EndPoint };
            await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(unknown, Oid.Parse("1.3.6.1.2.1.1.1.0")));
        }

        return [.. recorder.Packets.Where(p => SnmpV3Codec.PeekVersion(p) == 3)];
    }
}
