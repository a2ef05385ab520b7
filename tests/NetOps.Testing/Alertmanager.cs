using System.Globalization;

namespace NetOps.Testing;

/// <summary>
/// Debian's Prometheus Alertmanager on a free loopback port, clustering off, its data in a temporary directory; one
/// route to one receiver ("netops-test") that, given a URL, forwards every group there as a webhook (group_wait 0s).
/// Killed on dispose, also when the test failed.
/// </summary>
public sealed class Alertmanager : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private readonly ExternalProcess _process;
    private readonly DirectoryInfo _directory;

    private Alertmanager(ExternalProcess process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    /// <summary>What Alertmanager logged so far.</summary>
    public string Output => _process.Output;

    /// <summary>Lines Alertmanager logged at level error: a test fails on them, as MQTTnet's own tests do with their servers.</summary>
    public IReadOnlyList<string> Errors =>
        [.. Output.Split('\n').Where(l => l.Contains("level=error", StringComparison.Ordinal))];

    /// <param name="webhook">Where the receiver forwards groups (Alertmanager's webhook, version 4); none when null.</param>
    public static async Task<Alertmanager> StartAsync(Uri? webhook = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is not installed (Debian package prometheus-alertmanager); the README's test command installs it");
        }

        var directory = Directory.CreateTempSubdirectory("netops-alertmanager-");
        var config = Path.Combine(directory.FullName, "alertmanager.yml");
        var receiver = webhook is null
            ? "  - name: netops-test\n"
            : $"  - name: netops-test\n    webhook_configs:\n      - url: '{webhook.AbsoluteUri}'\n        send_resolved: true\n";
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: netops-test
              group_by: ['alertname', 'subject']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
            {receiver}
            """).ConfigureAwait(false);
        var port = FreePort.Tcp();
        var process = ExternalProcess.Start(Binary,
        [
            $"--config.file={config}",
            $"--storage.path={Path.Combine(directory.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--cluster.listen-address=",
        ]);
        var alertmanager = new Alertmanager(process, directory, port);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.TrueAsync(async () =>
            {
                process.ThrowIfExited();
                using var response = await http.GetAsync(new Uri(alertmanager.Url, "-/ready")).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), $"Alertmanager ready on {port}").ConfigureAwait(false);
        }
        catch
        {
            await alertmanager.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return alertmanager;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
