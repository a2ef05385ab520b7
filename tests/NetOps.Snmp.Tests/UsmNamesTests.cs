namespace NetOps.Snmp.Tests;

/// <summary>The one table of SNMPv3 names that the command line, credential strings and trap-listen read.</summary>
public sealed class UsmNamesTests
{
    [Theory]
    [InlineData("MD5", SnmpAuthProtocol.Md5)]
    [InlineData("md5", SnmpAuthProtocol.Md5)]
    [InlineData("SHA", SnmpAuthProtocol.Sha1)]
    [InlineData("SHA1", SnmpAuthProtocol.Sha1)]
    [InlineData("sha-1", SnmpAuthProtocol.Sha1)]
    [InlineData("SHA-224", SnmpAuthProtocol.Sha224)]
    [InlineData("SHA224", SnmpAuthProtocol.Sha224)]
    [InlineData("SHA-256", SnmpAuthProtocol.Sha256)]
    [InlineData("sha256", SnmpAuthProtocol.Sha256)]
    [InlineData("SHA-384", SnmpAuthProtocol.Sha384)]
    [InlineData("SHA384", SnmpAuthProtocol.Sha384)]
    [InlineData("SHA-512", SnmpAuthProtocol.Sha512)]
    [InlineData("SHA512", SnmpAuthProtocol.Sha512)]
    public void AuthNamesAndAliases_NameTheirProtocol(string name, SnmpAuthProtocol expected)
    {
        Assert.True(UsmNames.TryParseAuth(name, out var protocol));
        Assert.Equal(expected, protocol);
    }

    [Theory]
    [InlineData("DES", SnmpPrivProtocol.Des)]
    [InlineData("AES", SnmpPrivProtocol.Aes128)]
    [InlineData("AES128", SnmpPrivProtocol.Aes128)]
    [InlineData("aes-128", SnmpPrivProtocol.Aes128)]
    [InlineData("AES-192", SnmpPrivProtocol.Aes192)]
    [InlineData("AES192", SnmpPrivProtocol.Aes192)]
    [InlineData("AES-256", SnmpPrivProtocol.Aes256)]
    [InlineData("aes256", SnmpPrivProtocol.Aes256)]
    public void PrivNamesAndAliases_NameTheirProtocol(string name, SnmpPrivProtocol expected)
    {
        Assert.True(UsmNames.TryParsePriv(name, out var protocol));
        Assert.Equal(expected, protocol);
    }

    [Theory]
    [InlineData("SHA-999")]
    [InlineData("")]
    [InlineData("None")]
    [InlineData("3DES")]
    public void UnknownNames_AreNoProtocol(string name)
    {
        Assert.False(UsmNames.TryParseAuth(name, out _));
        Assert.False(UsmNames.TryParsePriv(name, out _));
    }

    [Fact]
    public void EveryProtocol_HasOneWrittenName_ThatParsesBackToIt()
    {
        Assert.Equal(["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"], UsmNames.AuthProtocols);
        Assert.Equal(["DES", "AES", "AES-192", "AES-256"], UsmNames.PrivProtocols);
        foreach (var protocol in Enum.GetValues<SnmpAuthProtocol>().Where(p => p != SnmpAuthProtocol.None))
        {
            Assert.True(UsmNames.TryParseAuth(UsmNames.Name(protocol), out var parsed));
            Assert.Equal(protocol, parsed);
        }

        foreach (var protocol in Enum.GetValues<SnmpPrivProtocol>().Where(p => p != SnmpPrivProtocol.None))
        {
            Assert.True(UsmNames.TryParsePriv(UsmNames.Name(protocol), out var parsed));
            Assert.Equal(protocol, parsed);
        }
    }

    [Theory]
    [InlineData("noAuthNoPriv", true, SnmpSecurityLevel.NoAuthNoPriv)]
    [InlineData("AUTHNOPRIV", false, SnmpSecurityLevel.AuthNoPriv)]
    [InlineData("authPriv", false, SnmpSecurityLevel.AuthPriv)]
    [InlineData("noAuth", true, SnmpSecurityLevel.NoAuthNoPriv)]
    [InlineData("auth", true, SnmpSecurityLevel.AuthNoPriv)]
    [InlineData("priv", true, SnmpSecurityLevel.AuthPriv)]
    [InlineData("3", true, SnmpSecurityLevel.AuthPriv)]
    public void Levels_AreReadByName_AndNetSnmpsShortFormsOnlyWhenAsked(string name, bool shortForms, SnmpSecurityLevel expected)
    {
        Assert.True(UsmNames.TryParseLevel(name, shortForms, out var level));
        Assert.Equal(expected, level);
        if (!name.Contains("Priv", StringComparison.OrdinalIgnoreCase))
        {
            Assert.False(UsmNames.TryParseLevel(name, shortForms: false, out _));
        }
    }
}
