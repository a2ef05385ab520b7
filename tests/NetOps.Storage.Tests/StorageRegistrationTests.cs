using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetOps.Core.Observations;
using NetOps.Storage.Embedded;
using NetOps.Storage.Influx;

namespace NetOps.Storage.Tests;

public sealed class StorageRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-di-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private ServiceProvider Build(Dictionary<string, string?> settings, Func<IServiceProvider, string, string?>? secrets = null)
    {
        settings["Storage:DataDirectory"] = _directory;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddNetOpsStorage(configuration, secrets).BuildServiceProvider();
    }

    [Fact]
    public async Task Embedded_IsTheDefault_AndRecordsObservations()
    {
        await using var services = Build([]);
        Assert.IsType<SqliteTelemetryStore>(services.GetRequiredService<ITelemetryStore>());
        var recorded = await services.GetRequiredService<ObservationRecorder>().RecordAsync(SampleData.Hour(), CancellationToken.None);
        Assert.Equal(SampleData.HourPoints().Count, recorded);
        var health = await services.GetRequiredService<StorageHealthCheck>().CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }

    [Fact]
    public async Task InfluxV1_ResolvesCredentialByName_AndIsDegradedUntilSetUp()
    {
        string? asked = null;
        await using var services = Build(new()
        {
            ["Storage:Kind"] = "InfluxV1",
            ["Storage:Influx:Url"] = "http://127.0.0.1:9/",
            ["Storage:Influx:Username"] = "netops",
            ["Storage:Influx:Credential"] = "influx",
        }, (_, name) => { asked = name; return "pw"; });

        var store = Assert.IsType<InfluxTelemetryStore>(services.GetRequiredService<ITelemetryStore>());
        Assert.Equal("influx", asked);
        Assert.Equal(SampleData.HourPoints().Count, await store.WriteAsync(SampleData.HourPoints(), CancellationToken.None));
        var health = await services.GetRequiredService<StorageHealthCheck>().CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal((long)SampleData.HourPoints().Count, health.Data["buffered_points"]);
        Assert.DoesNotContain("pw", services.GetRequiredService<InfluxV1Client>().ToString() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://influxdb:8086/", null, true)]
    [InlineData("http://10.0.0.5:8086/", null, true)]
    [InlineData("http://127.0.0.1:8086/", null, false)]
    [InlineData("http://localhost:8086/", null, false)]
    [InlineData("http://[::1]:8086/", null, false)]
    [InlineData("http://127.0.0.1:8086/", true, true)]
    [InlineData("http://influxdb:8086/", false, false)]
    public void Gzip_IsOnUnlessInfluxIsOnLoopback_OrSetExplicitly(string url, bool? gzip, bool compressed) =>
        Assert.Equal(compressed, new InfluxOptions { Url = new Uri(url), Gzip = gzip }.CompressWrites);
}
