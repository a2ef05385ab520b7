using System.Net;

namespace NetOps.Snmp.Tests;

/// <summary>USM key derivation and cryptography against published vectors and keys net-snmp derived.</summary>
public sealed class UsmKeyTests
{
    private static readonly byte[] RfcEngineId = Convert.FromHexString("000000000000000000000002");

    // snmpd 5.9.3 (Debian 12) wrote these localised keys to its persistent snmpd.conf for users created with the
    // pass phrase "maplesyrup" for both authentication and privacy, on the engine below.
    private static readonly byte[] NetSnmpEngineId = Convert.FromHexString("80001f888036da1851f31e086b00000000");

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, "9faf3283884e92834ebc9847d8edd963", "526f5eed9fcce26f8964c2930787d82b")]
    [InlineData(SnmpAuthProtocol.Sha1, "9fb5cc0381497b3793528939ff788d5d79145211", "6695febc9288e36282235fc7151f128497b38f3f")]
    public void PasswordToKeyAndLocalisation_MatchRfc3414AppendixA3(SnmpAuthProtocol protocol, string ku, string kul)
    {
        var master = Usm.PasswordToKey(protocol, "maplesyrup");

        Assert.Equal(ku, Convert.ToHexStringLower(master));
        Assert.Equal(kul, Convert.ToHexStringLower(Usm.Localize(protocol, master, RfcEngineId)));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, "317a06708fc5bd27699938b6296d4457")]
    [InlineData(SnmpAuthProtocol.Sha1, "1fea271c1aa4a4d418e8b4805aa908f28114309a")]
    [InlineData(SnmpAuthProtocol.Sha224, "1edc0dea623d2155aae9448a879152034d49fe7f0b39292e7d6f2d75")]
    [InlineData(SnmpAuthProtocol.Sha256, "dfc3e7fbe4909fbab7784929f5906df235b9b849ccf4b9dc8f0a51027793d2c5")]
    [InlineData(SnmpAuthProtocol.Sha384, "4c9317b537fe6f2b85fb20c2ae374f30dbfa38ffa5b9284adecd331682b362a5979e9cf30e12e02759ad3737da39c751")]
    [InlineData(SnmpAuthProtocol.Sha512,
        "20fce2e77c0c641cacd5a65a5b9065bc5a6dcfea83948ecde1bff9347bf370a6c23591c84bb2f7e7d2109044225f0b68cee212393b45b20cab0b4806e8dae622")]
    public void LocalisedKeys_EqualWhatNetSnmpDerives_ForEveryHash(SnmpAuthProtocol protocol, string kul)
    {
        // RFC 7860 publishes no key vectors for SHA-2; net-snmp's are the reference devices interoperate with.
        var key = Usm.Localize(protocol, Usm.PasswordToKey(protocol, "maplesyrup"), NetSnmpEngineId);

        Assert.Equal(kul, Convert.ToHexStringLower(key));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, SnmpPrivProtocol.Aes256, "317a06708fc5bd27699938b6296d4457ae23bf16ead4489081b02d5b8d8e7f6c")]
    [InlineData(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes192, "1fea271c1aa4a4d418e8b4805aa908f28114309a1417d46b")]
    [InlineData(SnmpAuthProtocol.Sha224, SnmpPrivProtocol.Aes192, "1edc0dea623d2155aae9448a879152034d49fe7f0b39292e")]
    [InlineData(SnmpAuthProtocol.Sha384, SnmpPrivProtocol.Aes256, "4c9317b537fe6f2b85fb20c2ae374f30dbfa38ffa5b9284adecd331682b362a5")]
    [InlineData(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Des, "dfc3e7fbe4909fbab7784929f5906df2")]
    [InlineData(SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Aes128, "20fce2e77c0c641cacd5a65a5b9065bc")]
    public void PrivacyKeys_AreExtendedOrCutAsNetSnmpDoes(SnmpAuthProtocol auth, SnmpPrivProtocol priv, string expected)
    {
        var localized = Usm.Localize(auth, Usm.PasswordToKey(auth, "maplesyrup"), NetSnmpEngineId);

        Assert.Equal(expected, Convert.ToHexStringLower(Usm.PrivKey(auth, priv, localized)));
    }

    [Fact]
    public void Sha224_MatchesFips180Examples()
    {
        Assert.Equal("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            Convert.ToHexStringLower(Sha224.HashData("abc"u8)));
        Assert.Equal("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
            Convert.ToHexStringLower(Sha224.HashData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8)));
        var million = new byte[1_000_000];
        million.AsSpan().Fill((byte)'a');
        Assert.Equal("20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67", Convert.ToHexStringLower(Sha224.HashData(million)));
    }

    [Fact]
    public void HmacSha224_MatchesRfc4231TestCases()
    {
        Span<byte> digest = stackalloc byte[28];
        Usm.Sign(SnmpAuthProtocol.Sha224, Enumerable.Repeat((byte)0x0b, 20).ToArray(), "Hi There"u8, digest);
        Assert.Equal("896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22", Convert.ToHexStringLower(digest));

        // A key longer than the block is hashed first (test case 6).
        Usm.Sign(SnmpAuthProtocol.Sha224, Enumerable.Repeat((byte)0xaa, 131).ToArray(),
            "Test Using Larger Than Block-Size Key - Hash Key First"u8, digest);
        Assert.Equal("95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e", Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, 12)]
    [InlineData(SnmpAuthProtocol.Sha1, 12)]
    [InlineData(SnmpAuthProtocol.Sha224, 16)]
    [InlineData(SnmpAuthProtocol.Sha256, 24)]
    [InlineData(SnmpAuthProtocol.Sha384, 32)]
    [InlineData(SnmpAuthProtocol.Sha512, 48)]
    public void DigestLengths_AreThoseOfRfc3414AndRfc7860(SnmpAuthProtocol protocol, int length)
    {
        Assert.Equal(length, Usm.DigestLength(protocol));
    }

    [Theory]
    [InlineData(SnmpPrivProtocol.Des)]
    [InlineData(SnmpPrivProtocol.Aes128)]
    [InlineData(SnmpPrivProtocol.Aes192)]
    [InlineData(SnmpPrivProtocol.Aes256)]
    public void Encryption_RoundTrips_ForEveryLength(SnmpPrivProtocol protocol)
    {
        var key = Usm.PrivKey(SnmpAuthProtocol.Sha1, protocol,
            Usm.Localize(SnmpAuthProtocol.Sha1, Usm.PasswordToKey(SnmpAuthProtocol.Sha1, "maplesyrup"), RfcEngineId));
        var salt = new byte[8];
        for (var length = 1; length < 70; length++)
        {
            var plaintext = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();

            var ciphertext = Usm.Encrypt(protocol, key, 3, 1234, (ulong)length, plaintext, salt);
            var decrypted = Usm.Decrypt(protocol, key, 3, 1234, salt, ciphertext);

            Assert.NotNull(decrypted);
            Assert.Equal(plaintext, decrypted.AsSpan(0, length).ToArray());
            Assert.NotEqual(plaintext, ciphertext.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void StringForms_ShowNoPassPhrase()
    {
        var security = SnmpV3Security.AuthPriv("ops", SnmpAuthProtocol.Sha256, "very-secret-auth", SnmpPrivProtocol.Aes256, "very-secret-priv");
        var target = new SnmpTarget(new IPEndPoint(IPAddress.Loopback, 161)) { Version = SnmpVersion.V3, V3 = security };

        foreach (var text in new[] { security.ToString(), target.ToString() })
        {
            Assert.Contains("ops", text, StringComparison.Ordinal);
            Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ShortPassPhrases_AreRefusedWithoutEchoingThem()
    {
        var security = SnmpV3Security.AuthNoPriv("ops", SnmpAuthProtocol.Sha1, "short");

        var e = Assert.Throws<ArgumentException>(security.Validate);
        Assert.DoesNotContain("short", e.Message.Replace("AuthPassword", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void SignedMessage_VerifiesAndDecrypts_AndATamperedOneDoesNot()
    {
        var user = SnmpV3Security.AuthPriv("ops", SnmpAuthProtocol.Sha512, "maplesyrup", SnmpPrivProtocol.Aes256, "maplesyrup");
        var keys = new UsmUserKeys(user, NetSnmpEngineId);
        var pdu = new SnmpPdu(SnmpPduType.GetRequest, 7, [VarBind.Request(Oid.Parse("1.3.6.1.2.1.1.1.0"))]);
        var packet = keys.Protect(7, 1500, SnmpSecurityLevel.AuthPriv, true, 2, 300, new ScopedPdu(NetSnmpEngineId, "ctx", pdu), 99);

        var message = SnmpV3Codec.Decode(packet);
        Assert.Equal(UsmCheck.Ok, keys.Check(message, packet, out var scoped));
        Assert.Equal("ctx", scoped!.ContextName);
        Assert.Equal(pdu.VarBinds, scoped.Pdu.VarBinds);
        Assert.Equal(48, message.Security.AuthenticationParameters.Length);
        Assert.True(packet.AsSpan().IndexOf(Convert.FromHexString("2b060102010101")) < 0, "the OID travels encrypted");

        packet[^1] ^= 1;
        Assert.Equal(UsmCheck.WrongDigest, keys.Check(SnmpV3Codec.Decode(packet), packet, out _));
    }
}
