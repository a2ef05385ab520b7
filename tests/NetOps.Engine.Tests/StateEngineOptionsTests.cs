using Npgsql;

namespace NetOps.Engine.Tests;

public sealed class StateEngineOptionsTests
{
    [Fact]
    public void LeasePasswordCredential_IsResolvedIntoTheLeaseConnectionString_WhichConfigurationKeepsFreeOfIt()
    {
        var options = new StateEngineOptions
        {
            LeaseConnectionString = "Host=postgres;Username=netops;Database=netops",
            LeasePasswordCredential = "postgres-password",
        };

        var resolved = new NpgsqlConnectionStringBuilder(options.ResolveLeaseConnectionString(
            name => name == "postgres-password" ? "s3cret;Host=elsewhere" : throw new InvalidOperationException(name)));

        // A password with separators stays one value: it cannot add or override a keyword.
        Assert.Equal("s3cret;Host=elsewhere", resolved.Password);
        Assert.Equal("postgres", resolved.Host);
        Assert.DoesNotContain("s3cret", options.LeaseConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutLeasePasswordCredential_TheLeaseConnectionStringIsUsedAsIs()
    {
        var options = new StateEngineOptions { LeaseConnectionString = "Host=postgres;Username=netops" };

        Assert.Equal("Host=postgres;Username=netops",
            options.ResolveLeaseConnectionString(name => throw new InvalidOperationException($"{name} was not asked for")));
    }
}
