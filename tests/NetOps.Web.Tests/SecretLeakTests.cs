using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// Secrets never leak: the all-in-one host runs with distinctive secret values (SNMP communities and an SNMPv3 user from
/// the secrets file, the MQTT password, an SMTP password, a webhook token from the environment), traffic uses them
/// (polls, traps, MQTT, failing alert deliveries) and offers wrong ones (a trap's community, an MQTT password); then every
/// GET route of the API, every page, every log file, the process's output and the data directory are searched for them.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private static readonly string Run = Guid.NewGuid().ToString("N")[..10];
    private static readonly string RainbowCommunity = $"leak-probe-rainbow-{Run}";
    private static readonly string MogliCommunity = $"leak-probe-mogli-{Run}";
    private static readonly string MqttPassword = $"leak-probe-mqtt-{Run}";
    private static readonly string SmtpPassword = $"leak-probe-smtp-{Run}";
    private static readonly string WebhookToken = $"leak-probe-webhook-{Run}";
    private static readonly string V3AuthPass = $"leak-probe-v3auth-{Run}";
    private static readonly string V3PrivPass = $"leak-probe-v3priv-{Run}";
    private static readonly string WrongCommunity = $"leak-probe-wrong-community-{Run}";
    private static readonly string WrongMqttPassword = $"leak-probe-wrong-mqtt-{Run}";

    /// <summary>Everything that must appear nowhere: the secrets in force and the wrong ones offered.</summary>
    private static readonly string[] Secrets =
        [RainbowCommunity, MogliCommunity, MqttPassword, SmtpPassword, WebhookToken, V3AuthPass, V3PrivPass, WrongCommunity, WrongMqttPassword];

    private readonly int _trapPort = FreePort.Udp();
    private readonly string _secretsFile = Path.Combine(Path.GetTempPath(), $"netops-leak-secrets-{Guid.NewGuid():N}.yaml");
    private readonly AllInOneHost _host;
    private HttpClient _http = null!;

    public SecretLeakTests()
    {
        File.WriteAllText(_secretsFile, $"""
            rainbow-ro: {RainbowCommunity}
            mogli-ro: {MogliCommunity}
            mqtt-demo: {MqttPassword}
            smtp-password: {SmtpPassword}
            trap-v3: 'user=trapper;level=authPriv;auth=SHA-256;authPass={V3AuthPass};priv=AES;privPass={V3PrivPass}'
            """);
        // Nobody listens on these ports: every delivery fails and logs its error.
        var closed = FreePort.Tcp().ToString(CultureInfo.InvariantCulture);
        _host = new AllInOneHost(
            "--Inventory:SecretsFile", _secretsFile,
            "--Traps:Enabled", "true",
            "--Traps:Endpoint", $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}",
            "--Traps:Credentials:0", "rainbow-ro",
            "--Traps:Users:0", "trap-v3",
            "--Alerting:Email:Host", "127.0.0.1",
            "--Alerting:Email:Port", closed,
            "--Alerting:Email:Security", "None",
            "--Alerting:Email:To:0", "oncall@netops.example",
            "--Alerting:Email:Username", "netops",
            "--Alerting:Email:PasswordCredential", "smtp-password",
            "--Alerting:Webhooks:0:Url", $"http://127.0.0.1:{closed}/hook",
            "--Alerting:Webhooks:0:BearerCredential", "webhook-token",
            "--Alerting:RetryDelay", "00:00:00.200")
        {
            Environment = new Dictionary<string, string> { ["NETOPS_SECRET_WEBHOOK_TOKEN"] = WebhookToken },
        };
    }

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        _http = CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _host.DisposeAsync();
        File.Delete(_secretsFile);
    }

    /// <summary>A client logged in as the host's admin (its cookie), so every route answers with its content.</summary>
    private HttpClient CreateClient() =>
        new(new HttpClientHandler { CookieContainer = _host.Cookies }) { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task KnownSecrets_AppearInNoResponse_LogFile_Output_OrStoredFile()
    {
        // Polls use the communities, the simulated nodes the MQTT password.
        await Eventually.TrueAsync(async () => await StateOfAsync("device:core-rathaus") == "up" && await StateOfAsync("node:mogli-01") is "up" or "degraded",
            TimeSpan.FromSeconds(30), $"the core polled and mogli-01 reporting\n{_host.Output}");

        // Traps: the right community, a wrong one, an SNMPv3 user with its pass phrases and with a wrong one.
        await SendAsync("snmptrap", "-v2c", "-c", RainbowCommunity, "-m", "", "-M", "", TrapTarget, "", ".1.3.6.1.6.3.1.1.5.3",
            ".1.3.6.1.2.1.2.2.1.1.1", "i", "1");
        await SendAsync("snmptrap", "-v2c", "-c", WrongCommunity, "-m", "", "-M", "", TrapTarget, "", ".1.3.6.1.6.3.1.1.5.3",
            ".1.3.6.1.2.1.2.2.1.1.1", "i", "1");
        await SendV3Async(V3AuthPass);
        await SendV3Async("leak-probe-" + WrongCommunity);
        await Eventually.TrueAsync(async () =>
        {
            using var traps = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/traps", UriKind.Relative)));
            return traps.RootElement.GetProperty("refused").GetInt64() >= 2 && traps.RootElement.GetProperty("received").GetInt64() >= 2;
        }, TimeSpan.FromSeconds(10), $"two traps received, two refused\n{_host.Output}");

        // MQTT: a client offering a wrong password to the embedded broker.
        await using (var publisher = ExternalProcess.Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", _host.MqttPort.ToString(CultureInfo.InvariantCulture),
            "-u", "netops", "-P", WrongMqttPassword, "-t", "netops/probe", "-m", "x", "-i", "leak-probe"]))
        {
            Assert.NotEqual(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        // Alerts: a cut link fires LinkDown; mail (with its password) and webhook (with its token) fail against closed ports.
        await PostAsync("api/simulator/links/core-acc-nord/cut");
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                using var receivers = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/alerts/receivers", UriKind.Relative)));
                return receivers.RootElement.EnumerateArray().Count(r => r.GetProperty("kind").GetString() is "email" or "webhook" &&
                    r.GetProperty("lastError").ValueKind == JsonValueKind.String) == 2;
            }, TimeSpan.FromSeconds(30), $"mail and webhook deliveries failed\n{_host.Output}");

            var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var path in await GetPathsAsync())
            {
                using var response = await _http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative));
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                    $"GET {path} answered {(int)response.StatusCode}");
                bodies["GET " + path] = await response.Content.ReadAsStringAsync();
            }

            Assert.Contains("GET /api/alerts/receivers", bodies.Keys);
            Assert.Contains(bodies, b => b.Key.StartsWith("GET /api/alerts/", StringComparison.Ordinal) && b.Value.Contains("LinkDown", StringComparison.Ordinal));
            AssertNoSecret(bodies);
        }
        finally
        {
            await PostAsync("api/simulator/links/core-acc-nord/restore");
        }

        var logs = Directory.GetFiles(_host.InventoryDirectory + "-logs", "*", SearchOption.AllDirectories);
        Assert.NotEmpty(logs);
        var texts = logs.ToDictionary(f => f, ReadShared, StringComparer.Ordinal);
        // The failing deliveries were logged: the search reads the lines that would carry a credential.
        // (Compact JSON: the template and its values apart.)
        Assert.Contains(texts.Values, t => t.Contains("to {Receiver} failed", StringComparison.Ordinal) && t.Contains("\"Receiver\":\"email\"", StringComparison.Ordinal));
        Assert.Contains(texts.Values, t => t.Contains("to {Receiver} failed", StringComparison.Ordinal) && t.Contains("\"Receiver\":\"webhook", StringComparison.Ordinal));
        texts["stdout and stderr of the host"] = _host.Output;
        foreach (var file in Directory.GetFiles(_host.DataDirectory, "*", SearchOption.AllDirectories))
        {
            // Databases and buffers too, as bytes: a secret has no business on disk outside the secrets file.
            texts[file] = Encoding.UTF8.GetString(ReadSharedBytes(file));
        }

        AssertNoSecret(texts);
    }

    private string TrapTarget => $"127.0.0.1:{_trapPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Every GET route of the OpenAPI document with its path parameters filled with ids the host knows, the pages
    /// (detail pages of a device, link, node and event) and the operational endpoints.
    /// </summary>
    private async Task<List<string>> GetPathsAsync()
    {
        using var inventory = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/inventory", UriKind.Relative)));
        string FirstId(string kind) => inventory.RootElement.GetProperty(kind).EnumerateArray().First().GetProperty("id").GetString()!;
        using var alerts = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/alerts", UriKind.Relative)));
        var alertId = alerts.RootElement.EnumerateArray().First().GetProperty("id").GetString()!;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/api/alerts/{id}"] = "/api/alerts/" + Uri.EscapeDataString(alertId),
            ["/api/history/{measurement}/{field}"] = "/api/history/port/in_octets?group=device,port&range=00:10:00&window=00:00:10",
            ["/api/events/{id}"] = "/api/events/" + FirstId("events"),
            ["/api/events/{id}/report"] = "/api/events/" + FirstId("events") + "/report?format=csv",
            ["/api/events/{id}/yaml"] = "/api/events/" + FirstId("events") + "/yaml",
        };

        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative)));
        var paths = new List<string>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Value.TryGetProperty("get", out _)))
        {
            Assert.True(!path.Name.Contains('{', StringComparison.Ordinal) || ids.ContainsKey(path.Name), $"no id to fill {path.Name} with");
            paths.Add(ids.GetValueOrDefault(path.Name, path.Name));
        }

        Assert.Contains("/api/state", paths);
        Assert.Contains("/api/traps", paths);
        return
        [
            .. paths,
            "/", "/topology", "/events", "/alerts", "/metrics", "/readyz", "/healthz", "/openapi/v1.json", "/scalar",
            "/devices/core-rathaus", "/links/core-acc-nord", "/nodes/" + FirstId("nodes"), "/events/" + FirstId("events"),
            "/api/events/" + FirstId("events") + "/report",
        ];
    }

    private async Task PostAsync(string path)
    {
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    private static void AssertNoSecret(IReadOnlyDictionary<string, string> texts)
    {
        var leaks = (from text in texts from secret in Secrets where text.Value.Contains(secret, StringComparison.Ordinal)
            select $"{text.Key} contains {secret}").ToList();
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    private async Task<string?> StateOfAsync(string entity)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/state", UriKind.Relative)));
        return document.RootElement.GetProperty("states").EnumerateArray()
            .FirstOrDefault(s => s.GetProperty("entity").GetString() == entity) is { ValueKind: JsonValueKind.Object } state
            ? state.GetProperty("value").GetString()
            : null;
    }

    private Task SendV3Async(string authPass) =>
        SendAsync("snmptrap", "-v3", "-e", "0x80001f8880aabbccdd", "-u", "trapper", "-l", "authPriv", "-a", "SHA-256", "-A", authPass,
            "-x", "AES", "-X", V3PrivPass, "-m", "", "-M", "", "--clientaddr=127.77.0.1", TrapTarget, "", ".1.3.6.1.6.3.1.1.5.3",
            ".1.3.6.1.2.1.2.2.1.1.1", "i", "1");

    private static async Task SendAsync(string tool, params string[] arguments)
    {
        await using var process = ExternalProcess.Start(tool, arguments);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    private static string ReadShared(string path) => Encoding.UTF8.GetString(ReadSharedBytes(path));

    /// <summary>A file the host still writes: opened for reading beside its writer.</summary>
    private static byte[] ReadSharedBytes(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
