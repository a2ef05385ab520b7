using Microsoft.Extensions.Logging;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests;

/// <summary>
/// What goes wrong with SNMPv3 against net-snmp's snmpd: each mistake gives its own clear error naming device and
/// user, and no pass phrase or key ever reaches a message or a log line. Also: an agent reboot is followed by itself.
/// </summary>
public sealed class UsmFailureTests
{
    private static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");
    private static readonly UsmUsers.User DesUser = new("MD5", "DES");
    private static readonly UsmUsers.User AesUser = new("SHA-256", "AES");
    private static readonly UsmUsers.User AuthUser = new("SHA", null);
    private static readonly UsmUsers.User NoAuthUser = new(null, null);

    public static TheoryData<string, SnmpSecurityFailure> Mistakes => new()
    {
        { "wrong auth pass phrase", SnmpSecurityFailure.WrongDigest },
        { "wrong auth protocol", SnmpSecurityFailure.WrongDigest },
        { "wrong privacy pass phrase (DES)", SnmpSecurityFailure.PrivacyMismatch },
        { "wrong privacy pass phrase (AES)", SnmpSecurityFailure.PrivacyMismatch },
        { "wrong privacy protocol", SnmpSecurityFailure.DecryptionError },
        { "unknown user", SnmpSecurityFailure.UnknownUserName },
        { "level above the user's", SnmpSecurityFailure.UnsupportedSecurityLevel },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task EachMistake_GivesItsClearError_WithoutSecrets(string mistake, SnmpSecurityFailure expected)
    {
        const string Wrong = "wrong-pass-phrase-77";
        await using var snmpd = await UsmSnmpd.StartAsync([DesUser, AesUser, AuthUser, NoAuthUser], "error parsing ScopedPDU");
        var log = new CapturingLogger<SnmpClient>();
        await using var client = new SnmpClient(logger: log);
        var security = mistake switch
        {
            "wrong auth pass phrase" => DesUser.Security with { AuthPassword = Wrong },
            "wrong auth protocol" => DesUser.Security with { AuthProtocol = SnmpAuthProtocol.Sha1 },
            "wrong privacy pass phrase (DES)" => DesUser.Security with { PrivPassword = Wrong },
            "wrong privacy pass phrase (AES)" => AesUser.Security with { PrivPassword = Wrong },
            "wrong privacy protocol" => DesUser.Security with { PrivProtocol = SnmpPrivProtocol.Aes128 },
            "unknown user" => DesUser.Security with { UserName = "nobody" },
            _ => NoAuthUser.Security with { Level = SnmpSecurityLevel.AuthNoPriv, AuthProtocol = SnmpAuthProtocol.Md5, AuthPassword = Wrong },
        };
        // Discovery under the generous default timeout; the mistake itself is allowed no retry, so that a dropped
        // request (wrong privacy key) costs one short timeout.
        await client.GetAsync(snmpd.Target(NoAuthUser.Security), SysDescr);
        var target = snmpd.Target(security) with { Timeout = TimeSpan.FromSeconds(1.5), Retries = 0 };

        var e = await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(target, SysDescr));

        Assert.Equal(expected, e.Failure);
        Assert.Equal(security.UserName, e.UserName);
        Assert.Contains(snmpd.Address, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{security.UserName}'", e.Message, StringComparison.Ordinal);
        var everything = string.Join('\n', log.Entries.Select(l => l.Text).Append(e.ToString()).Append(target.ToString()));
        foreach (var secret in Secrets(security))
        {
            Assert.DoesNotContain(secret, everything, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AgentReboot_IsFollowedByItself_WithTheNewBoots()
    {
        await using var snmpd = await UsmSnmpd.StartAsync([AesUser]);
        var log = new CapturingLogger<SnmpClient>();
        await using var client = new SnmpClient(logger: log);
        var target = snmpd.Target(AesUser.Security);
        var bootsOid = Oid.Parse("1.3.6.1.6.3.10.2.1.2.0");
        var engineIdOid = Oid.Parse("1.3.6.1.6.3.10.2.1.1.0");
        var before = await client.GetAsync(target, [bootsOid, engineIdOid]);

        await snmpd.RestartAsync();
        var after = await client.GetAsync(target, [bootsOid, engineIdOid, SysDescr]);

        Assert.Equal(before[0].Value.AsInt64() + 1, after[0].Value.AsInt64());
        Assert.Equal(before[1].Value.AsBytes(), after[1].Value.AsBytes());
        Assert.Equal(SnmpType.OctetString, after[2].Value.Type);
        Assert.Contains(log.Entries, l => l.Level == LogLevel.Information && l.Message.Contains("resynchronised", StringComparison.Ordinal));
        Assert.Empty(log.Errors);
    }

    [Fact]
    public async Task KnownEngineId_SkipsDiscovery_AndLearnsTheTime()
    {
        await using var snmpd = await UsmSnmpd.StartAsync([AuthUser]);
        await using var discovering = new SnmpClient();
        var engineId = (await discovering.GetAsync(snmpd.Target(AuthUser.Security), Oid.Parse("1.3.6.1.6.3.10.2.1.1.0"))).Value.AsBytes();
        await using var client = new SnmpClient();

        var result = await client.GetAsync(snmpd.Target(AuthUser.Security with { EngineId = engineId }), SysDescr);

        Assert.Equal(SnmpType.OctetString, result.Value.Type);
    }

    /// <summary>The pass phrases and every key derived from them, as hexadecimal.</summary>
    private static IEnumerable<string> Secrets(SnmpV3Security security)
    {
        foreach (var phrase in new[] { security.AuthPassword, security.PrivPassword, UsmUsers.AuthPassword, UsmUsers.PrivPassword })
        {
            if (phrase is null)
            {
                continue;
            }

            yield return phrase;
            foreach (var auth in new[] { SnmpAuthProtocol.Md5, SnmpAuthProtocol.Sha1, SnmpAuthProtocol.Sha256 })
            {
                yield return Convert.ToHexString(Usm.PasswordToKey(auth, phrase));
            }
        }
    }
}
