using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;
using NetOps.Database;
using NetOps.Security;
using NetOps.Core.Inventory;
using NetOps.Testing;

namespace NetOps.Engine.Tests;

/// <summary>Seven processes on two cores: nothing else of this assembly runs beside them.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;

/// <summary>
/// NetOps as separate processes over Debian's mosquitto, the engine lease on a real PostgreSQL: a simulator, two
/// collectors splitting the devices, two engines (one active, one standby) and two web hosts.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const double FreshnessFactor = 3;

    private readonly string _inventory = Directory.CreateTempSubdirectory("netops-cluster-").FullName;
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private Mosquitto _broker = null!;
    private Postgres _postgres = null!;
    private string _secrets = null!;

    private string DataDirectory => _inventory + "-data";

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync();
        _postgres = await Postgres.StartAsync();
        var snmpPort = FreePort.Udp();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "config", "inventory")))
        {
            var text = Regex.Replace(File.ReadAllText(file), @"(?m)^(\s*port:\s*)16161\b", "${1}" + snmpPort.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(_inventory, Path.GetFileName(file)), text);
        }

        DemoPlans.CopyTo(_inventory);

        _secrets = Path.Combine(_inventory, "..", Path.GetFileName(_inventory) + "-secrets.yaml");
        File.WriteAllText(_secrets, File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml")) +
                                    $"\nmqtt-test: {Mosquitto.Password}\n");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await node.Process.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_inventory, recursive: true);
        File.Delete(_secrets);
        foreach (var sibling in new[] { _inventory + "-logs", DataDirectory })
        {
            if (Directory.Exists(sibling))
            {
                Directory.Delete(sibling, recursive: true);
            }
        }
    }

    [Fact]
    public async Task SeparateProcesses_FailoverOfCollectorAndEngine_NeverLeaveStaleGreen()
    {
        try
        {
            await FailoverStoryAsync();
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            // Each process's last lines say why: which one never connected, took the lease, or polled.
            throw new InvalidOperationException(e.Message + "\n" + await DiagnoseAsync() + "\n--- mosquitto ---\n" + string.Join('\n', _broker.Output.Split('\n').TakeLast(40)) + "\n" + string.Join("\n", _nodes.Select(n =>
                $"--- {n.Key} ---\n{string.Join('\n', n.Value.Process.Output.Split('\n').TakeLast(25))}")), e);
        }
    }

    private async Task FailoverStoryAsync()
    {
        await Task.WhenAll(
            StartAsync("sim", "simulator,web"),
            StartAsync("engine-1", "engine", ("State:Name", "engine-1")),
            StartAsync("worker-1", "collector", ("Collector:Name", "worker-1"), ("Collector:ShardIndex", "0"), ("Mqtt:ClientId", "ingest-worker-1")),
            StartAsync("worker-2", "collector", ("Collector:Name", "worker-2"), ("Collector:ShardIndex", "1"), ("Mqtt:ClientId", "ingest-worker-2")),
            StartAsync("web-1", "web"));
        await StartAsync("engine-2", "engine", ("State:Name", "engine-2"));

        // Every device polled by one collector or the other: the whole Rainbow core is up on the dashboard.
        await Eventually.TrueAsync(async () => await StateAsync("web-1", "device:core-rathaus") == "up", Startup, "core up on web-1");
        await Eventually.TrueAsync(async () => (await StatesAsync("web-1")).Count(s => s.Key.StartsWith("device:", StringComparison.Ordinal) && s.Value == "up") >= 20,
            Startup, "devices of both shards up on web-1");

        // A dashboard started late shows the same state.
        await StartAsync("web-2", "web");
        await Eventually.TrueAsync(async () => SameHealth(await StatesAsync("web-1"), await StatesAsync("web-2")), Startup,
            "web-2 (started late) shows what web-1 shows");

        // Kill the collector that polls the core: its devices turn unknown (never stay green) within their limit.
        var victim = Sharding.ShardOf("core-rathaus", 2) == 0 ? "worker-1" : "worker-2";
        var devicesOfVictim = (await StatesAsync("web-1")).Keys
            .Where(k => k.StartsWith("device:", StringComparison.Ordinal) && Sharding.ShardOf(k["device:".Length..], 2) == (victim == "worker-1" ? 0 : 1))
            .ToList();
        await _nodes[victim].Process.KillAsync();
        // The freshness limit, plus the path from broker to engine to dashboard on a loaded 2-core CI machine.
        var limit = PollInterval * FreshnessFactor + TimeSpan.FromSeconds(12);
        var left = new List<string>();
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var states = await StatesAsync("web-1");
                left = devicesOfVictim.Where(d => states[d] is not ("unknown" or "inactive")).Select(d => $"{d}={states[d]}").ToList();
                return left.Count == 0;
            }, limit, $"devices of killed {victim} unknown within {limit.TotalSeconds} s");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; still: {string.Join(", ", left)}\n{await DiagnoseAsync()}", e);
        }
        var survivor = victim == "worker-1" ? "worker-2" : "worker-1";
        var otherDevice = (await StatesAsync("web-1")).Keys.First(k => k.StartsWith("device:acc-", StringComparison.Ordinal) &&
            Sharding.ShardOf(k["device:".Length..], 2) == (survivor == "worker-1" ? 0 : 1));
        Assert.Equal("up", await StateAsync("web-1", otherDevice));

        // Kill the active engine: the standby takes the lease and carries on; dashboards follow without a reload.
        var active = await ActiveEngineAsync() ?? throw new InvalidOperationException("no active engine");
        var versionBefore = await VersionAsync("web-1");
        await _nodes[active].Process.KillAsync();
        var standby = active == "engine-1" ? "engine-2" : "engine-1";
        await Eventually.TrueAsync(async () => await ActiveEngineAsync() == standby, Startup, $"{standby} took over");

        // A link both of whose ends the surviving collector polls (the killed one's ends stay unknown, rightly).
        var link = await LinkPolledByAsync(survivor == "worker-1" ? 0 : 1);
        Assert.Equal("up", await StateAsync("web-1", "link:" + link));
        await PostAsync("sim", $"api/simulator/links/{link}/cut");
        await Eventually.TrueAsync(async () => await StateAsync("web-1", "link:" + link) == "down" && await StateAsync("web-2", "link:" + link) == "down",
            Startup, "a link cut after the failover shows down on both dashboards");
        Assert.True(await VersionAsync("web-1") > versionBefore);
        await PostAsync("sim", $"api/simulator/links/{link}/restore");
        await Eventually.TrueAsync(async () => await StateAsync("web-2", "link:" + link) == "up", Startup, "the link back up");
    }

    private async Task StartAsync(string name, string roles, params (string Key, string Value)[] settings)
    {
        var port = FreePort.Tcp();
        var output = RepoPaths.Output("NetOps.Host");
        var arguments = new List<string>
        {
            Path.Combine(output, "NetOps.Host.dll"),
            "--urls", $"http://127.0.0.1:{port}",
            "--NetOps:Roles", roles,
            "--Inventory:Directory", _inventory,
            "--Inventory:SecretsFile", _secrets,
            // One data directory for the cluster's processes (history, operational database with the accounts), fresh per run.
            "--Storage:DataDirectory", DataDirectory,
            "--Mqtt:Embedded", "false",
            "--Mqtt:Host", "127.0.0.1",
            "--Mqtt:Port", _broker.Port.ToString(CultureInfo.InvariantCulture),
            "--Mqtt:Username", Mosquitto.Username,
            "--Mqtt:Credential", "mqtt-test",
            "--Mqtt:SharedGroup", "collectors",
            "--Collector:ShardCount", "2",
            "--Collector:PollInterval", PollInterval.ToString(),
            "--Collector:Timeout", "00:00:00.300",
            "--Collector:Retries", "0",
            "--Collector:FreshnessFactor", FreshnessFactor.ToString(CultureInfo.InvariantCulture),
            "--Simulator:NodeReportInterval", "00:00:01",
            "--State:LeaseConnectionString", _postgres.ConnectionString,
            "--State:SnapshotInterval", "00:00:05",
            "--Serilog:WriteTo:1:Args:path", Path.Combine(_inventory + "-logs", name, "netops-.log"),
        };
        foreach (var (key, value) in settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }

        var process = ExternalProcess.Start("dotnet", arguments, workingDirectory: output);
        var node = new Node(process, new HttpClient(new AdminToken(DataDirectory)) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) });
        _nodes[name] = node;
        await Eventually.TrueAsync(async () =>
        {
            process.ThrowIfExited();
            try
            {
                using var response = await node.Http.GetAsync(new Uri("healthz", UriKind.Relative));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, Startup, $"{name} up\n{process.Output}");
    }

    private async Task<Dictionary<string, string>> StatesAsync(string node)
    {
        using var document = JsonDocument.Parse(await _nodes[node].Http.GetStringAsync(new Uri("api/state", UriKind.Relative)));
        return document.RootElement.GetProperty("states").EnumerateArray()
            .ToDictionary(s => s.GetProperty("entity").GetString()!, s => s.GetProperty("value").GetString()!, StringComparer.Ordinal);
    }

    private async Task<string?> StateAsync(string node, string entity) => (await StatesAsync(node)).GetValueOrDefault(entity);

    private async Task<long> VersionAsync(string node)
    {
        using var document = JsonDocument.Parse(await _nodes[node].Http.GetStringAsync(new Uri("api/state", UriKind.Relative)));
        return document.RootElement.GetProperty("version").GetInt64();
    }

    private async Task<string?> ActiveEngineAsync()
    {
        foreach (var name in new[] { "engine-1", "engine-2" })
        {
            if (!_nodes.TryGetValue(name, out var node) || node.Process.HasExited)
            {
                continue;
            }

            try
            {
                var ready = await node.Http.GetStringAsync(new Uri("readyz", UriKind.Relative));
                if (ready.Contains("state engine active", StringComparison.Ordinal))
                {
                    return name;
                }
            }
            catch (HttpRequestException)
            {
            }
        }

        return null;
    }

    /// <summary>What each live process says of itself: readiness, state version, the engine's counters.</summary>
    private async Task<string> DiagnoseAsync()
    {
        var lines = new List<string>();
        foreach (var (name, node) in _nodes.Where(n => !n.Value.Process.HasExited))
        {
            try
            {
                var ready = await node.Http.GetStringAsync(new Uri("readyz", UriKind.Relative));
                var metrics = (await node.Http.GetStringAsync(new Uri("metrics", UriKind.Relative))).Split('\n')
                    .Where(l => l.StartsWith("netops_state_deltas", StringComparison.Ordinal) || l.StartsWith("netops_state_observations", StringComparison.Ordinal) ||
                                l.StartsWith("netops_observations_queued", StringComparison.Ordinal) || l.StartsWith("netops_state_feed", StringComparison.Ordinal));
                lines.Add($"{name}: {ready} {string.Join("; ", metrics)}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                // A process too busy to answer (or the token's account not made in time) must not hide the failure being diagnosed.
                lines.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        return string.Join('\n', lines);
    }

    private async Task<string> LinkPolledByAsync(int shard)
    {
        using var inventory = JsonDocument.Parse(await _nodes["web-1"].Http.GetStringAsync(new Uri("api/inventory", UriKind.Relative)));
        return inventory.RootElement.GetProperty("links").EnumerateArray()
            .Where(l => new[] { "a", "b" }.All(end => Sharding.ShardOf(l.GetProperty(end).GetProperty("deviceId").GetString()!, 2) == shard))
            .Select(l => l.GetProperty("id").GetString()!)
            .First(id => !id.StartsWith("mogli-06", StringComparison.Ordinal));
    }

    private async Task PostAsync(string node, string path)
    {
        using var response = await _nodes[node].Http.PostAsync(new Uri(path, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    private static bool SameHealth(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count > 0 && a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private sealed record Node(ExternalProcess Process, HttpClient Http);
}

/// <summary>
/// Adds an admin's access token to every request but the probes. The account and the token are created on first use in the
/// operational database the processes share (SQLite in the cluster's data directory), once a process has migrated it.
/// </summary>
internal sealed class AdminToken(string dataDirectory) : DelegatingHandler(new HttpClientHandler())
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Tokens = new(StringComparer.Ordinal);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath is not ("/healthz" or "/readyz"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(cancellationToken));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Tokens.TryGetValue(dataDirectory, out var token))
            {
                return token;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = dataDirectory,
            }).Build();
            await using var provider = new ServiceCollection().AddNetOpsAccountStore(configuration).BuildServiceProvider();
            await using var scope = provider.CreateAsyncScope();
            var name = "cluster-test-" + Guid.NewGuid().ToString("N")[..8];
            await scope.ServiceProvider.GetRequiredService<Accounts>()
                .CreateAsync(name, NetOpsRoles.Admin, Accounts.NewPassword(), mustChangePassword: false, null, cancellationToken);
            token = await scope.ServiceProvider.GetRequiredService<AccessTokens>()
                .CreateAsync(name, "cluster-test", DateTimeOffset.UtcNow.AddHours(1), cancellationToken);
            Tokens[dataDirectory] = token;
            return token;
        }
        finally
        {
            Gate.Release();
        }
    }
}
