using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NetOps.Storage.Buffer;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>/readyz probes the store every few seconds: its status is logged when it changes, not on every probe.</summary>
public sealed class StorageHealthLoggingTests : IDisposable
{
    // A minute of probes at the host's 5 s interval.
    private const int ProbesPerMinute = 12;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-health-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CapturingLogger<StorageHealthCheck> _log = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task InfluxOutage_IsLoggedOnceWhenItBegins_AndOnceWhenItEnds_NotOnEveryProbe()
    {
        await using var influxd = await Influxd.StartAsync(database: null);
        await using var services = Build(influxd.Url);
        var storage = services.GetRequiredService<StorageService>();
        var store = services.GetRequiredService<ITelemetryStore>();
        var buffer = services.GetRequiredService<DiskBuffer>();
        var check = services.GetRequiredService<StorageHealthCheck>();
        await storage.StartAsync(CancellationToken.None);
        try
        {
            await store.WriteAsync(SampleData.HourPoints(DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
            await Eventually.TrueAsync(() => storage.IsSetUp && buffer.PendingPoints == 0, TimeSpan.FromSeconds(30), "InfluxDB is set up and took the points");
            await ProbeAsync(check, HealthStatus.Healthy, ProbesPerMinute);

            await influxd.StopAsync();
            await store.WriteAsync(SampleData.HourPoints(DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
            await ProbeUntilAsync(check, HealthStatus.Degraded, "the probe sees InfluxDB down");
            await ProbeAsync(check, HealthStatus.Degraded, ProbesPerMinute);

            await influxd.StartAgainAsync();
            await ProbeUntilAsync(check, HealthStatus.Healthy, "the probe sees InfluxDB take writes again");
            await ProbeAsync(check, HealthStatus.Healthy, ProbesPerMinute);
        }
        finally
        {
            await storage.StopAsync(CancellationToken.None);
        }

        Assert.Collection(_log.Entries,
            line =>
            {
                Assert.Equal(LogLevel.Warning, line.Level);
                Assert.Contains("from Healthy to Degraded: InfluxDB not taking writes", line.Message, StringComparison.Ordinal);
            },
            line =>
            {
                Assert.Equal(LogLevel.Information, line.Level);
                Assert.Contains("from Degraded to Healthy", line.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public async Task InfluxNeverReachable_IsOneWarning_ForAMinuteOfProbes()
    {
        // A free loopback port: nothing listens, every connection is refused.
        await using var services = Build(new Uri($"http://127.0.0.1:{FreePort.Tcp()}/"));
        var storage = services.GetRequiredService<StorageService>();
        var check = services.GetRequiredService<StorageHealthCheck>();
        await storage.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => storage.SetupError is not null, TimeSpan.FromSeconds(30), "the setup fails");
            await ProbeAsync(check, HealthStatus.Degraded, ProbesPerMinute);
        }
        finally
        {
            await storage.StopAsync(CancellationToken.None);
        }

        var line = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("from Healthy to Degraded: InfluxDB not set up yet", line.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(Uri influx)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Kind"] = "InfluxV1",
            ["Storage:DataDirectory"] = _directory,
            ["Storage:Influx:Url"] = influx.ToString(),
            // Retries soon after InfluxDB is back, so the test does not wait out a long backoff.
            ["Storage:Influx:MaxBackoff"] = "00:00:00.500",
        }).Build();
        return new ServiceCollection()
            .AddSingleton<ILogger<StorageHealthCheck>>(_log)
            .AddNetOpsStorage(configuration)
            .BuildServiceProvider();
    }

    private static async Task ProbeAsync(StorageHealthCheck check, HealthStatus expected, int probes)
    {
        for (var i = 0; i < probes; i++)
        {
            Assert.Equal(expected, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        }
    }

    private static Task ProbeUntilAsync(StorageHealthCheck check, HealthStatus expected, string what) =>
        Eventually.TrueAsync(async () => (await check.CheckHealthAsync(new HealthCheckContext())).Status == expected, TimeSpan.FromSeconds(30), what);
}
