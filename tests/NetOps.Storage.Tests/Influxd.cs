using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>
/// A real Debian influxd 1.6.7 on a free loopback port with its data in a temp directory. It can be stopped and
/// started again on the same port and data (outage tests); disposing kills it and deletes the data, also when a test failed.
/// </summary>
public sealed class Influxd : IAsyncDisposable
{
    private readonly string _config;
    private ExternalProcess? _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private Influxd(string directory, int port)
    {
        Directory = directory;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}/");
        _config = Path.Combine(directory, "influxd.conf");
        var bind = FreePort.Tcp();
        File.WriteAllText(_config, string.Create(CultureInfo.InvariantCulture, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{bind}"
            [meta]
              dir = "{directory}/meta"
            [data]
              dir = "{directory}/data"
              wal-dir = "{directory}/wal"
              query-log-enabled = false
            [coordinator]
              write-timeout = "10s"
            [retention]
              enabled = true
            [monitor]
              store-enabled = false
            [subscriber]
              enabled = false
            [http]
              bind-address = "127.0.0.1:{port}"
              log-enabled = false
            [continuous_queries]
              enabled = true
            """));
    }

    public string Directory { get; }
    public int Port { get; }
    public Uri Url { get; }
    public string Output => _process?.Output ?? "";

    public static async Task<Influxd> StartAsync(string? database = "netops")
    {
        var directory = Path.Combine(Path.GetTempPath(), "netops-influxd-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var influxd = new Influxd(directory, FreePort.Tcp());
        try
        {
            await influxd.StartAgainAsync();
            if (database is not null)
            {
                await influxd.QueryAsync($"CREATE DATABASE \"{database}\"", post: true);
            }
        }
        catch
        {
            await influxd.DisposeAsync();
            throw;
        }

        return influxd;
    }

    /// <summary>Starts influxd (again) on the same port and data and waits until it answers /ping.</summary>
    public async Task StartAgainAsync()
    {
        _process = ExternalProcess.Start("/usr/bin/influxd", ["-config", _config]);
        await Eventually.TrueAsync(async () =>
        {
            _process.ThrowIfExited();
            using var response = await _http.GetAsync(new Uri(Url, "ping"));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), $"influxd answers /ping on {Port}");
    }

    /// <summary>Stops influxd as an outage would (SIGKILL: no goodbye to clients).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.KillAsync();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async Task<JsonElement> QueryAsync(string q, string db = "netops", bool post = false)
    {
        var uri = new Uri(Url, $"query?db={Uri.EscapeDataString(db)}&epoch=ms&q={Uri.EscapeDataString(q)}");
        using var response = post ? await _http.PostAsync(uri, null) : await _http.GetAsync(uri);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (json.TryGetProperty("error", out var error) || json.GetProperty("results")[0].TryGetProperty("error", out error))
        {
            throw new InvalidOperationException($"{q}: {error}");
        }

        return json.GetProperty("results")[0];
    }

    /// <summary>The first value of the first row of a query, or null when it returned no series.</summary>
    public async Task<double?> ScalarAsync(string q, string db = "netops")
    {
        var result = await QueryAsync(q, db);
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetDouble() : null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
