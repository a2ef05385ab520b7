using NetOps.Snmp;

namespace NetOps.Collector.Tests;

/// <summary>
/// The one-string form of an SNMPv3 user in the credential store (<see cref="SnmpV3Credential"/>): what it accepts,
/// and that every refusal names the field, never a value.
/// </summary>
public sealed class SnmpV3CredentialTests
{
    private const string AuthPass = "auth-pass-1234";
    private const string PrivPass = "priv-pass-5678";

    public static TheoryData<string, SnmpSecurityLevel, SnmpAuthProtocol, SnmpPrivProtocol> Valid => new()
    {
        { $"user=ops;level=authPriv;auth=SHA-256;authPass={AuthPass};priv=AES-256;privPass={PrivPass}",
            SnmpSecurityLevel.AuthPriv, SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes256 },
        { $"user=ops;auth=MD5;authPass={AuthPass};priv=DES;privPass={PrivPass}", SnmpSecurityLevel.AuthPriv, SnmpAuthProtocol.Md5, SnmpPrivProtocol.Des },
        { $"USER=ops;Level=AUTHPRIV;AUTH=sha;AuthPass={AuthPass};PRIV=aes;privpass={PrivPass};", SnmpSecurityLevel.AuthPriv, SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128 },
        { $"user=ops;auth=SHA-512;authPass={AuthPass}", SnmpSecurityLevel.AuthNoPriv, SnmpAuthProtocol.Sha512, SnmpPrivProtocol.None },
        { $"user=ops;level=authNoPriv;auth=SHA-224;authPass={AuthPass}", SnmpSecurityLevel.AuthNoPriv, SnmpAuthProtocol.Sha224, SnmpPrivProtocol.None },
        { $"user=ops;auth=SHA-384;authPass={AuthPass};priv=AES-192;privPass={PrivPass}", SnmpSecurityLevel.AuthPriv, SnmpAuthProtocol.Sha384, SnmpPrivProtocol.Aes192 },
        { "user=ops", SnmpSecurityLevel.NoAuthNoPriv, SnmpAuthProtocol.None, SnmpPrivProtocol.None },
        { "user=ops;level=noAuthNoPriv", SnmpSecurityLevel.NoAuthNoPriv, SnmpAuthProtocol.None, SnmpPrivProtocol.None },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_AcceptsEveryLevelAndProtocol_ByNetSnmpNames(string text, SnmpSecurityLevel level, SnmpAuthProtocol auth, SnmpPrivProtocol priv)
    {
        var security = SnmpV3Credential.Parse(text);

        Assert.Equal("ops", security.UserName);
        Assert.Equal(level, security.Level);
        Assert.Equal(auth, security.AuthProtocol);
        Assert.Equal(priv, security.PrivProtocol);
        Assert.Equal(auth == SnmpAuthProtocol.None ? null : AuthPass, security.AuthPassword);
        Assert.Equal(priv == SnmpPrivProtocol.None ? null : PrivPass, security.PrivPassword);
        security.Validate();
    }

    [Theory]
    [InlineData("pass;word=with;;semicolons")]
    [InlineData(@"back\slash\;and\\double")]
    [InlineData("  spaces at both ends  ")]
    [InlineData("equals=signs==and#hash'quote\"")]
    [InlineData("ünïcødé-ß-€-日本語")]
    [InlineData(@"ends in a backslash\")]
    public void Format_ThenParse_KeepsAnyPassPhrase(string phrase)
    {
        var security = SnmpV3Security.AuthPriv("ops;x=y", SnmpAuthProtocol.Sha256, phrase, SnmpPrivProtocol.Aes128, phrase + "!") with
        {
            ContextName = "ctx;1",
        };

        var parsed = SnmpV3Credential.Parse(SnmpV3Credential.Format(security));

        Assert.Equal(security, parsed);
    }

    [Fact]
    public void Parse_TakesEscapesAndEqualsSigns_AsTheDocsSay()
    {
        var security = SnmpV3Credential.Parse(@"user=ops;authPass=a\;b\\c=d e;auth=SHA;context=lab");

        Assert.Equal(@"a;b\c=d e", security.AuthPassword);
        Assert.Equal("lab", security.ContextName);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "", "field 'user' is missing" },
        { "user=", "field 'user' is missing" },
        { $"level=authPriv;auth=SHA;authPass={AuthPass}", "field 'user' is missing" },
        { "user=ops;level=high", "field 'level' is not a security level (noAuthNoPriv, authNoPriv, authPriv)" },
        { $"user=ops;auth=SHA-999;authPass={AuthPass}", "field 'auth' is not an authentication protocol (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)" },
        { $"user=ops;auth=SHA;authPass={AuthPass};priv=3DES;privPass={PrivPass}", "field 'priv' is not a privacy protocol (DES, AES, AES-192, AES-256)" },
        { $"user=ops;level=authNoPriv;authPass={AuthPass}", "field 'auth' is missing (level authNoPriv needs it)" },
        { "user=ops;level=authPriv;auth=SHA;authPass=" + AuthPass, "field 'priv' is missing (level authPriv needs it)" },
        { $"user=ops;auth=SHA;authPass={AuthPass};priv=AES", "field 'privPass' is missing (level authPriv needs it)" },
        { "user=ops;auth=SHA;authPass=short", "field 'authPass': a USM pass phrase needs at least 8 characters" },
        { $"user=ops;level=noAuthNoPriv;auth=SHA;authPass={AuthPass}", "field 'auth' is not used at level noAuthNoPriv: remove it or raise the level" },
        { $"user=ops;level=authNoPriv;auth=SHA;authPass={AuthPass};privPass={PrivPass}", "field 'privPass' is not used at level authNoPriv: remove it or raise the level" },
        { $"user=ops;user=ops2", "field 'user' is given twice" },
        { "user=" + new string('u', 33), "field 'user': a USM user name has at most 32 octets" },
        { $"user=ops;auth=SHA;authPass={AuthPass};{PrivPass}", "field 4 has no '=' (fields are key=value; write '\\;' for a ';' inside a value)" },
        { $"user=ops;auth=SHA;authPass=auth;{PrivPass}=x", "field 4 has an unknown key (known: user, level, auth, authPass, priv, privPass, context; write '\\;' for a ';' inside a value)" },
        { $"user=ops;auth=SHA;authPass={AuthPass}\\", "the text ends in a lone '\\' (write '\\\\' for a backslash)" },
        { "public", "field 1 has no '=' (fields are key=value; write '\\;' for a ';' inside a value)" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_RefusesWithAnErrorNamingTheField_NeverAValue(string text, string expected)
    {
        Assert.False(SnmpV3Credential.TryParse(text, out var security, out var error));
        Assert.Null(security);
        Assert.Equal(expected, error);
        Assert.DoesNotContain(AuthPass, error, StringComparison.Ordinal);
        Assert.DoesNotContain(PrivPass, error, StringComparison.Ordinal);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => SnmpV3Credential.Parse(text)).Message);
    }

    [Fact]
    public void Format_IsNeverShownByTheUsersToString()
    {
        var security = SnmpV3Credential.Parse($"user=ops;auth=SHA;authPass={AuthPass};priv=AES;privPass={PrivPass}");

        Assert.DoesNotContain(AuthPass, security.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(PrivPass, security.ToString(), StringComparison.Ordinal);
    }
}
