using System.Net;
using NetOps.Snmp.Tests.Support;
using static NetOps.Snmp.Tests.Traps.TrapTestSupport;

namespace NetOps.Snmp.Tests.Traps;

/// <summary>Our trap receiver against net-snmp's senders: snmptrap v1/v2c/v3 and snmpinform v2c/v3.</summary>
public sealed class TrapReceiverInteropTests
{
    private static readonly byte[] SenderEngineId = Convert.FromHexString("80001F8880C0FFEE0102030405");

    [Fact]
    public async Task V2cTrap_FromSnmptrap_IsDecodedWithSourceTrapOidAndBindings()
    {
        await using var receiver = StartReceiver(new TrapReceiverOptions { Communities = ["public"] });
        var port = FreeUdpPort();

        var sent = await NetSnmpTool.RunAsync("snmptrap", [.. From(port), "-v2c", "-c", "public", Address(receiver), "12345", LinkDown,
            .. LinkDownArguments]);
        var trap = await NextAsync(receiver);

        Assert.Equal(0, sent.ExitCode);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), trap.Source);
        Assert.Equal(SnmpVersion.V2c, trap.Version);
        Assert.Equal(SnmpPduType.TrapV2, trap.PduType);
        Assert.Equal(SnmpNotification.LinkDown, trap.TrapOid);
        Assert.Equal(12345u, trap.SysUpTime);
        Assert.Equal(LinkDownObjects, trap.Objects);
        Assert.Equal("public", trap.Community);
        Assert.DoesNotContain("public", trap.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1Trap_FromSnmptrap_IsTranslatedToTheV2FormAsRfc3584Says()
    {
        await using var receiver = StartReceiver();
        var port = FreeUdpPort();

        // Generic trap 2 is linkDown; 192.0.2.7 is the agent-addr the device claims.
        var sent = await NetSnmpTool.RunAsync("snmptrap", [.. From(port), "-v1", "-c", "public", Address(receiver), ".1.3.6.1.4.1.8072.2.3",
            "192.0.2.7", "2", "0", "4242", .. LinkDownArguments]);
        var trap = await NextAsync(receiver);

        Assert.Equal(0, sent.ExitCode);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), trap.Source);
        Assert.Equal(SnmpVersion.V1, trap.Version);
        Assert.Equal(SnmpNotification.LinkDown, trap.TrapOid);
        Assert.Equal(4242u, trap.SysUpTime);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), trap.AgentAddress);
        Assert.Equal(
            [
                new VarBind(SnmpNotification.SysUpTimeInstance, SnmpValue.TimeTicks(4242)),
                new VarBind(SnmpNotification.SnmpTrapOidInstance, SnmpValue.ObjectIdentifier(SnmpNotification.LinkDown)),
                .. LinkDownObjects,
                new VarBind(SnmpNotification.SnmpTrapAddressInstance, SnmpValue.IpAddress(IPAddress.Parse("192.0.2.7"))),
                new VarBind(SnmpNotification.SnmpTrapEnterpriseInstance, SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.8072.2.3"))),
            ],
            trap.VarBinds);
    }

    [Fact]
    public async Task V1EnterpriseSpecificTrap_BecomesEnterpriseZeroSpecific()
    {
        await using var receiver = StartReceiver();

        var sent = await NetSnmpTool.RunAsync("snmptrap", ["-v1", "-c", "public", Address(receiver), ".1.3.6.1.4.1.8072.2.3", "127.0.0.1", "6",
            "17", "1", ".1.3.6.1.2.1.1.5.0", "s", "olt-3"]);
        var trap = await NextAsync(receiver);

        Assert.Equal(0, sent.ExitCode);
        Assert.Equal(Oid.Parse("1.3.6.1.4.1.8072.2.3.0.17"), trap.TrapOid);
        Assert.Equal("olt-3", trap.Find(Oid.Parse("1.3.6.1.2.1.1.5.0"))!.Value.Value.AsString());
    }

    [Fact]
    public async Task V2cInform_FromSnmpinform_IsAcknowledgedSoSnmpinformSucceeds()
    {
        await using var receiver = StartReceiver(new TrapReceiverOptions { Communities = ["public"] });
        var port = FreeUdpPort();

        var sent = await NetSnmpTool.RunAsync("snmpinform", [.. From(port), "-v2c", "-c", "public", "-t", "3", "-r", "1", Address(receiver),
            "777", LinkDown, .. LinkDownArguments]);
        var inform = await NextAsync(receiver);

        Assert.True(sent.ExitCode == 0, sent.Error);
        Assert.True(inform.IsInform);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), inform.Source);
        Assert.Equal(SnmpNotification.LinkDown, inform.TrapOid);
        Assert.Equal(LinkDownObjects, inform.Objects);
        Assert.Equal(1, receiver.Acknowledged);
    }

    [Fact]
    public async Task V2cInform_WithAnUnknownCommunity_IsNeitherQueuedNorAcknowledged()
    {
        await using var receiver = StartReceiver(new TrapReceiverOptions { Communities = ["s3cret"] });

        var sent = await NetSnmpTool.RunAsync("snmpinform", ["-v2c", "-c", "public", "-t", "0.3", "-r", "0", Address(receiver), "1", LinkDown]);

        Assert.NotEqual(0, sent.ExitCode);
        Assert.Equal(1, receiver.UnknownSource);
        Assert.Equal(0, receiver.Received);
        Assert.Equal(0, receiver.Acknowledged);
    }

    public static TheoryData<string, string> Protocols => new()
    {
        { "MD5", "DES" },
        { "SHA", "AES" },
        { "SHA-256", "AES-256" },
    };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task V3Trap_AuthPriv_FromSnmptrap_IsDecodedWithTheSendersEngineId(string auth, string priv)
    {
        var user = User("traps", auth, priv) with { EngineId = SenderEngineId };
        await using var receiver = StartReceiver(new TrapReceiverOptions { Users = [user] });
        var port = FreeUdpPort();

        var sent = await NetSnmpTool.RunAsync("snmptrap", [.. From(port), "-v3", "-e", "0x" + Hex(SenderEngineId), .. NetSnmpUser(user),
            Address(receiver), "12345", LinkDown, .. LinkDownArguments]);
        var trap = await NextAsync(receiver);

        Assert.Equal(0, sent.ExitCode);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), trap.Source);
        Assert.Equal(SnmpVersion.V3, trap.Version);
        Assert.Equal("traps", trap.UserName);
        Assert.Equal(SnmpSecurityLevel.AuthPriv, trap.SecurityLevel);
        Assert.Equal(Hex(SenderEngineId), Hex(trap.EngineId));
        Assert.Equal(SnmpNotification.LinkDown, trap.TrapOid);
        Assert.Equal(LinkDownObjects, trap.Objects);
    }

    [Fact]
    public async Task V3Trap_WithAWrongPassPhraseOrEngine_IsCountedAndNeverDelivered()
    {
        var user = User("traps", "SHA", "AES") with { EngineId = SenderEngineId };
        await using var receiver = StartReceiver(new TrapReceiverOptions { Users = [user] });
        var wrong = User("traps", "SHA", "AES") with { AuthPassword = "not-the-pass-phrase" };

        var badDigest = await NetSnmpTool.RunAsync("snmptrap", ["-v3", "-e", "0x" + Hex(SenderEngineId), .. NetSnmpUser(wrong), Address(receiver),
            "1", LinkDown]);
        var otherEngine = await NetSnmpTool.RunAsync("snmptrap", ["-v3", "-e", "0x80001F88800102030405060708", .. NetSnmpUser(user),
            Address(receiver), "1", LinkDown]);
        var good = await NetSnmpTool.RunAsync("snmptrap", ["-v3", "-e", "0x" + Hex(SenderEngineId), .. NetSnmpUser(user), Address(receiver),
            "2", LinkDown]);
        var trap = await NextAsync(receiver);

        Assert.Equal([0, 0, 0], [badDigest.ExitCode, otherEngine.ExitCode, good.ExitCode]);
        Assert.Equal(2u, trap.SysUpTime);
        Assert.Equal(2, receiver.UnknownSource);
        Assert.False(receiver.Notifications.TryRead(out _));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task V3Inform_AuthPriv_FromSnmpinform_DiscoversOurEngineAndIsAcknowledged(string auth, string priv)
    {
        var user = User("informs", auth, priv);
        await using var receiver = StartReceiver(new TrapReceiverOptions { Users = [user] });
        var port = FreeUdpPort();

        var sent = await NetSnmpTool.RunAsync("snmpinform", [.. From(port), "-v3", .. NetSnmpUser(user), "-t", "3", "-r", "1",
            Address(receiver), "999", LinkDown, .. LinkDownArguments]);
        var inform = await NextAsync(receiver);

        Assert.True(sent.ExitCode == 0, sent.Error);
        Assert.True(inform.IsInform);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), inform.Source);
        Assert.Equal(Hex(receiver.EngineId), Hex(inform.EngineId));
        Assert.Equal(SnmpSecurityLevel.AuthPriv, inform.SecurityLevel);
        Assert.Equal(LinkDownObjects, inform.Objects);
        Assert.Equal(1, receiver.Acknowledged);
    }

    private static SnmpV3Security User(string name, string auth, string priv) => SnmpV3Security.AuthPriv(name,
        UsmNames.TryParseAuth(auth, out var a) ? a : throw new ArgumentOutOfRangeException(nameof(auth)), "auth-pass-" + name,
        UsmNames.TryParsePriv(priv, out var p) ? p : throw new ArgumentOutOfRangeException(nameof(priv)), "priv-pass-" + name);

    private static string[] NetSnmpUser(SnmpV3Security user) =>
    [
        "-u", user.UserName, "-l", "authPriv",
        "-a", UsmNames.Name(user.AuthProtocol), "-A", user.AuthPassword!,
        "-x", UsmNames.Name(user.PrivProtocol), "-X", user.PrivPassword!,
    ];
}
