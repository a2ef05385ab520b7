namespace NetOps.Inventory.Tests;

public sealed class CredentialTests
{
    [Fact]
    public void Credential_ResolvesFromTheEnvironment_UpperCasedWithUnderscores()
    {
        // A name no other test uses: the process environment is shared.
        var name = "env-test-" + Guid.NewGuid().ToString("N")[..8];
        var variable = CredentialStore.VariableFor(name);
        Assert.Equal("NETOPS_SECRET_" + name.ToUpperInvariant().Replace('-', '_'), variable);
        Environment.SetEnvironmentVariable(variable, "from-the-environment");
        try
        {
            var store = new CredentialStore(null);

            Assert.True(store.TryResolve(name, out var secret));
            Assert.Equal("from-the-environment", secret.Reveal());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Credential_ResolvesFromTheSecretsFile_AndTheEnvironmentWins()
    {
        var environment = new Dictionary<string, string> { ["NETOPS_SECRET_MOGLI_RO"] = "overridden" };
        var store = new CredentialStore(Demo.SecretsFile, environment.GetValueOrDefault);

        Assert.True(store.TryResolve("rainbow-ro", out var rainbow));
        Assert.Equal("rainbow-demo-ro", rainbow.Reveal());
        Assert.True(store.TryResolve("mogli-ro", out var mogli));
        Assert.Equal("overridden", mogli.Reveal());
        Assert.False(store.TryResolve("nobody", out _));
    }

    [Fact]
    public void Secret_NeverShowsItsValue_InToString()
    {
        var store = new CredentialStore(Demo.SecretsFile, _ => null);
        Assert.True(store.TryResolve("rainbow-ro", out var secret));

        Assert.DoesNotContain("rainbow-demo-ro", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("rainbow-demo-ro", $"{secret}", StringComparison.Ordinal);
        Assert.DoesNotContain("rainbow-demo-ro", store.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenSecretsFile_IsReportedByLine_WithoutItsContents()
    {
        using var temp = new TempInventory();
        File.WriteAllText(temp.SecretsFile, "rainbow-ro: hunter2-rainbow\nmogli-ro: [hunter2-mogli\nS3cret Pasted Here: x\n");

        var result = await new InventoryLoader(new CredentialStore(temp.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .LoadDirectoryAsync(temp.Directory, CancellationToken.None);

        Assert.False(result.Succeeded);
        var text = string.Join('\n', result.Errors);
        Assert.Contains(temp.SecretsFile, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretsFileKeyThatIsNotAName_IsReportedByLine_WithoutEchoingIt()
    {
        using var temp = new TempInventory();
        File.WriteAllText(temp.SecretsFile, "rainbow-ro: a\nmogli-ro: b\nThe Community Is hunter2: x\n");

        var result = await new InventoryLoader(new CredentialStore(temp.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .LoadDirectoryAsync(temp.Directory, CancellationToken.None);

        var error = Assert.Single(result.Errors);
        Assert.Equal(temp.SecretsFile, error.File);
        Assert.Equal(3, error.Line);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }
}
