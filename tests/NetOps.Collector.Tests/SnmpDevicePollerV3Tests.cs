using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Inventory;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

/// <summary>
/// The collector's poller against a real net-snmp snmpd, with devices and credentials as the service gets them:
/// an inventory loaded from YAML and secrets resolved by the credential store.
/// </summary>
public sealed class SnmpDevicePollerV3Tests(LabSnmpd lab) : IClassFixture<LabSnmpd>, IAsyncLifetime
{
    private const string WrongPassword = "not-the-priv-pass-42";

    /// <summary>The fixture's SHA-256/AES-256 user, as an operator writes it into the secrets file.</summary>
    private static readonly string V3Credential = SnmpV3Credential.Format(LabSnmpd.User.Security);

    private readonly SnmpClient _client = new();

    [Fact]
    public async Task V3Device_IsPolledWithItsUsmUser_AndReportsTheLoopbackPort()
    {
        var (poller, device) = PollerFor("v3", "lab-v3", V3Credential);

        var observation = await poller.PollAsync(device, CancellationToken.None);

        Assert.True(observation.Reachable, observation.Error);
        Assert.Null(observation.Error);
        Assert.NotNull(observation.SysUpTime);
        var lo = Assert.Single(observation.Ports, p => p.Name == "lo");
        Assert.True(lo.OperUp);
        Assert.NotNull(lo.InOctets);
    }

    [Fact]
    public async Task V3Device_WithAWrongPrivacyPassword_IsUnreachable_AndTheErrorNamesTheUserNotThePassword()
    {
        var wrong = V3Credential.Replace(UsmUsers.PrivPassword, WrongPassword, StringComparison.Ordinal);
        // snmpd drops what it cannot decrypt: this costs one timeout, kept short but clear of a cold start.
        var (poller, device) = PollerFor("v3", "lab-v3", wrong, timeout: TimeSpan.FromSeconds(1.5));

        var observation = await poller.PollAsync(device, CancellationToken.None);

        Assert.False(observation.Reachable);
        Assert.Empty(observation.Ports);
        Assert.NotNull(observation.Error);
        Assert.Contains("'sha-256-aes-256'", observation.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, observation.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(UsmUsers.AuthPassword, observation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task V3Device_WithAWrongAuthPassword_IsUnreachable_WithAWrongDigestError()
    {
        var wrong = V3Credential.Replace(UsmUsers.AuthPassword, WrongPassword, StringComparison.Ordinal);
        var (poller, device) = PollerFor("v3", "lab-v3", wrong);

        var observation = await poller.PollAsync(device, CancellationToken.None);

        Assert.False(observation.Reachable);
        Assert.NotNull(observation.Error);
        Assert.Contains("'sha-256-aes-256'", observation.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, observation.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(UsmUsers.PrivPassword, observation.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2cDevice_IsStillPolledWithItsCommunity()
    {
        var (poller, device) = PollerFor("v2c", "lab-ro", "public");

        var observation = await poller.PollAsync(device, CancellationToken.None);

        Assert.True(observation.Reachable, observation.Error);
        Assert.Contains(observation.Ports, p => p.Name == "lo");
    }

    [Fact]
    public async Task V3Device_WhoseCredentialChangedToACommunity_IsUnreachable_AndTheErrorNamesCredentialAndField()
    {
        // Loaded while valid, then the secret changed under the running collector (the environment wins over the file).
        var secrets = new Dictionary<string, string> { [CredentialStore.VariableFor("lab-v3")] = V3Credential };
        var (poller, device) = PollerFor("v3", "lab-v3", secrets);
        secrets[CredentialStore.VariableFor("lab-v3")] = "private-community";

        var observation = await poller.PollAsync(device, CancellationToken.None);

        Assert.False(observation.Reachable);
        Assert.Equal("credential 'lab-v3' is not an SNMPv3 credential: field 1 has no '=' (fields are key=value; write '\\;' for a ';' inside a value)",
            observation.Error);
    }

    private (SnmpDevicePoller Poller, Device Device) PollerFor(string version, string credential, string secret, TimeSpan? timeout = null) =>
        PollerFor(version, credential, new Dictionary<string, string> { [CredentialStore.VariableFor(credential)] = secret }, timeout);

    private (SnmpDevicePoller Poller, Device Device) PollerFor(string version, string credential, Dictionary<string, string> secrets,
        TimeSpan? timeout = null)
    {
        var store = new CredentialStore(null, secrets.GetValueOrDefault);
        var inventory = $"""
            sites:
              - {"{"} id: lab {"}"}
            devices:
              - id: lab-snmpd
                class: access
                site: lab
                address: 127.0.0.1
                snmp: {"{"} version: {version}, port: {lab.Snmpd.Port}, credential: {credential} {"}"}
                ports: [lo]
            """;
        var result = new InventoryLoader(store, TimeProvider.System).Load([new InventorySource("lab.yaml", inventory)]);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var options = Options.Create(new CollectorOptions
        {
            Name = "test-collector",
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
            Retries = 0,
        });
        return (new SnmpDevicePoller(_client, store, options, TimeProvider.System), result.Inventory!.Devices["lab-snmpd"]);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _client.DisposeAsync().AsTask();
}

/// <summary>snmpd with one authPriv user (SHA-256/AES-256) that also answers v2c "public".</summary>
public sealed class LabSnmpd : IAsyncLifetime
{
    public static readonly UsmUsers.User User = new("SHA-256", "AES-256");

    private UsmSnmpd? _snmpd;

    public UsmSnmpd Snmpd => _snmpd ?? throw new InvalidOperationException("not started");

    // A request encrypted with the wrong privacy key makes snmpd log that it cannot parse it: the test provokes that.
    public async Task InitializeAsync() => _snmpd = await UsmSnmpd.StartAsync([User], "error parsing ScopedPDU");

    public async Task DisposeAsync()
    {
        if (_snmpd is not null)
        {
            await _snmpd.DisposeAsync();
        }
    }
}
