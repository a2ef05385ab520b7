namespace NetOps.Inventory.Tests;

/// <summary>A v3 device's credential must hold a whole USM user; a community there is reported at load, by field and never by value.</summary>
public sealed class V3CredentialValidationTests
{
    private const string Inventory = """
        defaults:
          snmp: { version: v3, port: 16161, credential: lab-v3 }
        sites:
          - { id: lab }
        devices:
          - id: core-lab
            class: core
            site: lab
            address: 127.77.0.1
          - id: acc-lab
            class: access
            site: lab
            address: 127.77.0.2
            snmp: { version: v2c, credential: lab-ro }
        """;

    [Fact]
    public void V3Device_WithAV3Credential_Loads()
    {
        var result = Load("user=ops;level=authPriv;auth=SHA-256;authPass=auth-pass-1;priv=AES;privPass=priv\\;pass-2");

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }

    [Fact]
    public void V3Device_WithACommunityAsCredential_IsReportedAtItsSnmpCredential_WithoutTheSecret()
    {
        var result = Load("user=ops;level=authPriv;auth=SHA-256;authPass=secret-pass-1");

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal("lab.yaml", error.File);
        Assert.Equal(6, error.Line);
        Assert.Equal("devices[0].snmp.credential", error.Field);
        Assert.Equal("credential 'lab-v3' is not an SNMPv3 credential: field 'priv' is missing (level authPriv needs it)", error.Message);
        Assert.DoesNotContain("secret-pass-1", error.ToString(), StringComparison.Ordinal);
    }

    private static InventoryLoadResult Load(string v3Secret)
    {
        var secrets = new Dictionary<string, string>
        {
            [CredentialStore.VariableFor("lab-v3")] = v3Secret,
            [CredentialStore.VariableFor("lab-ro")] = "community-is-fine-for-v2c",
        };
        return new InventoryLoader(new CredentialStore(null, secrets.GetValueOrDefault), new FakeTimeProvider(DateTimeOffset.UnixEpoch))
            .Load([new InventorySource("lab.yaml", Inventory)]);
    }
}
