using System.Text.Json;
using System.Text.RegularExpressions;
using NetOps.Engine;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>What operators and Prometheus read from the all-in-one host.</summary>
public sealed class EndpointTests : IAsyncLifetime
{
    private readonly AllInOneHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Readiness_NamesBrokerSchedulerAndStateEngine()
    {
        using var document = JsonDocument.Parse(await _host.Http.GetStringAsync(new Uri("readyz", UriKind.Relative)));
        var checks = document.RootElement.GetProperty("checks");
        foreach (var name in new[] { "broker", "scheduler", "state-engine" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }

        using var live = await _host.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.True(live.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Metrics_ReportPollsMqttAndStateInPrometheusText()
    {
        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = await _host.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
            // A series without labels may be written with empty braces: netops_state_observations_applied_total{} 42.
            return Regex.IsMatch(text, @"^netops_state_observations_applied_total(\{\})? [1-9]", RegexOptions.Multiline) &&
                   text.Contains("netops_mqtt_received_total{kind=\"telemetry\"}", StringComparison.Ordinal) &&
                   text.Contains("netops_poll_duration_seconds_count{class=\"Core\"}", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "polls, telemetry and state in /metrics");

        Assert.Contains("# TYPE netops_poll_duration_seconds histogram", text, StringComparison.Ordinal);
        // Seconds buckets from a millisecond to half a minute, as before the exporter was OpenTelemetry's.
        Assert.Contains("netops_poll_duration_seconds_bucket{class=\"Core\",le=\"0.001\"}", text, StringComparison.Ordinal);
        Assert.Contains("netops_poll_duration_seconds_bucket{class=\"Core\",le=\"30\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE netops_poll_queued gauge", text, StringComparison.Ordinal);
        // The .NET runtime's own meter.
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_OfPolledDevices_IsKeptInTheEmbeddedStore()
    {
        var readiness = await _host.Http.GetStringAsync(new Uri("readyz", UriKind.Relative));
        Assert.Contains("\"store\"", readiness, StringComparison.Ordinal);

        await Eventually.TrueAsync(async () =>
        {
            using var document = JsonDocument.Parse(await _host.Http.GetStringAsync(
                new Uri("api/history/port/in_octets?device=core-rathaus&group=port&window=00:00:01&aggregate=max&range=00:10:00", UriKind.Relative)));
            var series = document.RootElement.EnumerateArray().ToList();
            // One series per port of the core, each with several one-second windows of a rising counter.
            return series.Count >= 8 && series.All(s => s.GetProperty("tags").GetProperty("port").GetString()!.StartsWith("Te1/0/", StringComparison.Ordinal)) &&
                   series.Any(s => s.GetProperty("points").GetArrayLength() >= 3);
        }, TimeSpan.FromSeconds(30), "port counters of core-rathaus in the history");
    }

    [Fact]
    public async Task SimulatedNode_ReportsItsCameras_AnUnpluggedOneOffline_AndBackOnline()
    {
        // The node speaks for its cameras over MQTT (retained camera status); the store keeps what it said.
        async Task<double?> LastSaidAsync()
        {
            using var document = JsonDocument.Parse(await _host.Http.GetStringAsync(new Uri(
                "api/history/camera_status/online?endpoint=mogli-01-cam1&window=01:00:00&aggregate=last&range=01:00:00", UriKind.Relative)));
            return document.RootElement.EnumerateArray().SelectMany(s => s.GetProperty("points").EnumerateArray())
                .Select(p => (double?)p.GetProperty("value").GetDouble()).LastOrDefault();
        }

        await Eventually.TrueAsync(async () => await LastSaidAsync() == 1, TimeSpan.FromSeconds(30), "mogli-01-cam1 reported online");

        await _host.PostAsync("api/simulator/endpoints/mogli-01-cam1/unplug");
        await Eventually.TrueAsync(async () => await LastSaidAsync() == 0, TimeSpan.FromSeconds(5), "mogli-01-cam1 reported offline");
        await Eventually.TrueAsync(async () => await _host.StateOfAsync("endpoint:mogli-01-cam1") == "down", TimeSpan.FromSeconds(30), "mogli-01-cam1 down");

        await _host.PostAsync("api/simulator/endpoints/mogli-01-cam1/restore");
        await Eventually.TrueAsync(async () => await LastSaidAsync() == 1, TimeSpan.FromSeconds(5), "mogli-01-cam1 reported online again");
        await Eventually.TrueAsync(async () => await _host.StateOfAsync("endpoint:mogli-01-cam1") == "up", TimeSpan.FromSeconds(30), "mogli-01-cam1 up");
    }

    [Fact]
    public async Task StateAndInventoryApi_NeverShowSecrets()
    {
        var secrets = File.ReadAllLines(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"))
            .Where(l => !l.TrimStart().StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
        Assert.NotEmpty(secrets);
        await Eventually.TrueAsync(async () => await _host.StateOfAsync("device:core-rathaus") == "up", TimeSpan.FromSeconds(20), "core polled");

        var bodies = new[]
        {
            await _host.Http.GetStringAsync(new Uri("api/state", UriKind.Relative)),
            await _host.Http.GetStringAsync(new Uri("api/inventory", UriKind.Relative)),
            await _host.Http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            await _host.Http.GetStringAsync(new Uri("/", UriKind.Relative)),
            _host.Output,
        };
        foreach (var secret in secrets)
        {
            Assert.All(bodies, body => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
        }
    }
}
