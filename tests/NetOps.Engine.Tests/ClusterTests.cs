using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Cluster;
using NetOps.Core.Observations;
using NetOps.Core.Security;
using NetOps.Database;
using NetOps.Mqtt;
using NetOps.Security;
using NetOps.Testing;
using Xunit.Abstractions;

namespace NetOps.Engine.Tests;

/// <summary>Up to nine processes on two cores: nothing else of this assembly runs beside them.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;

/// <summary>
/// NetOps as separate processes over Debian's mosquitto and PostgreSQL: the simulated fleet with a dashboard, three
/// collectors sharing the devices by membership (a fourth joins later), two engines (one active, one standby) and a
/// dashboard started late. Every poll the collectors publish is recorded from the broker, so the test sees exactly which
/// collector polled which device when.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);
    private const double FreshnessFactor = 5;

    // A device taken over is polled within the lease, a heartbeat and half an interval; the engine waits that long (and a
    // second more) before it turns the gone collector's states unknown.
    private static readonly TimeSpan GoneGrace = Lease + Heartbeat + PollInterval / 2 + TimeSpan.FromSeconds(1);

    // What a loaded two-core CI machine adds to a deadline: the poll itself, Quartz's and the heartbeat's timers waking late.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    private readonly string _inventory = Directory.CreateTempSubdirectory("netops-cluster-").FullName;
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Poll> _polls = new();
    private readonly ConcurrentQueue<Poll> _telemetry = new();
    private readonly ConcurrentDictionary<string, int> _trapPorts = new(StringComparer.Ordinal);
    private Mosquitto _broker = null!;
    private Postgres _postgres = null!;
    private MqttLink _recorder = null!;
    private string _secrets = null!;
    private DateTimeOffset _latest;

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

        // Every observation a collector publishes, as the engine's intake gets it (the topic names the collector).
        _recorder = new MqttLink(new MqttOptions
        {
            Port = _broker.Port,
            Username = Mosquitto.Username,
            Password = Mosquitto.Password,
            ClientId = "cluster-test-recorder",
        }, new MqttLinkOptions { Subscriptions = [StateWire.ObservationsFilter], ManualAcknowledge = false }, Record);
        _recorder.Start();
    }

    public async Task DisposeAsync()
    {
        await _recorder.DisposeAsync();
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
    public async Task Collectors_FailOverJoinAndRideOutRestarts_PollingEachDeviceOncePerInterval()
    {
        try
        {
            await StoryAsync();
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            // Each process's last lines say why: which one never connected, took the lease, or polled.
            throw new InvalidOperationException(e.Message + "\n" + await DiagnoseAsync() + "\n--- mosquitto ---\n" + string.Join('\n', _broker.Output.Split('\n').TakeLast(40)) + "\n" + string.Join("\n", _nodes.Select(n =>
                $"--- {n.Key} ---\n{string.Join('\n', n.Value.Process.Output.Split('\n').TakeLast(25))}")), e);
        }
    }

    private async Task StoryAsync()
    {
        await _recorder.WaitConnectedAsync(CancellationToken.None);
        // The first two migrate the database and make the first admin; the collectors then start side by side.
        await Task.WhenAll(StartAsync("sim", "simulator,web"), StartAsync("engine-1", "engine", ("State:Name", "engine-1")));
        await Task.WhenAll(StartCollectorAsync("c1"), StartCollectorAsync("c2"), StartCollectorAsync("c3"));
        // The API token, made once now that the database is migrated (not inside a request's five seconds).
        await AdminToken.TokenAsync(_postgres.ConnectionString, CancellationToken.None);
        await StartAsync("engine-2", "engine", ("State:Name", "engine-2"));
        var devices = await DevicesAsync();

        // Three collectors: each device polled by its owner among them, once per interval, the whole core up.
        string[] members = ["c1", "c2", "c3"];
        await WaitPolledByOwnersAsync(devices, members);
        await Eventually.TrueAsync(async () => (await StatesAsync("sim")).Count(s => s.Key.StartsWith("device:", StringComparison.Ordinal) && s.Value == "up") >= 20,
            Startup, "devices of every collector up on the dashboard");
        await AssertSteadyAsync(devices, members, "three collectors");
        await AssertMembersListedAsync(members, devices.Count);
        AssertTelemetryIngestedOnce(atLeastCollectors: 2);

        // kill -9 the collector of the core: its devices polled by the others within an interval plus the lease, and not
        // one of them flips to unknown on the way.
        var victim = Rendezvous.OwnerOf("core-rathaus", members);
        var moved = devices.Where(d => Rendezvous.OwnerOf(d, members) == victim).ToList();
        var killedAt = DateTimeOffset.UtcNow;
        await _nodes[victim].Process.KillAsync();
        string[] survivors = [.. members.Where(m => m != victim)];
        var bound = PollInterval + Lease;
        var retaken = await WaitPolledAfterAsync(moved, killedAt, survivors, bound + Slack + TimeSpan.FromSeconds(5));
        var worst = retaken.MaxBy(kv => kv.Value);
        output.WriteLine($"kill -9 of {victim}: its {moved.Count} devices polled again after {retaken.Values.Min().TotalSeconds:0.00}–{worst.Value.TotalSeconds:0.00} s " +
                         $"(interval {PollInterval.TotalSeconds} s, lease {Lease.TotalSeconds} s, heartbeat {Heartbeat.TotalSeconds} s)");
        Assert.True(worst.Value <= bound + Slack,
            $"{worst.Key} polled again {worst.Value.TotalSeconds:0.0} s after the kill; bound {bound.TotalSeconds} s (interval + lease) + {Slack.TotalSeconds} s slack");
        await AssertSteadyAsync(devices, survivors, "two collectors after the kill");
        await AssertNeverUnknownAsync(moved, killedAt, "re-homed after the kill");
        await AssertMembersListedAsync(survivors, devices.Count);

        // Kill the active engine: the standby takes the lease and carries on; the dashboard follows without a reload. A
        // supervisor would start the killed one again: it comes back as a standby.
        var active = await ActiveEngineAsync() ?? throw new InvalidOperationException("no active engine");
        var versionBefore = await VersionAsync("sim");
        await _nodes[active].Process.KillAsync();
        var standby = active == "engine-1" ? "engine-2" : "engine-1";
        await Eventually.TrueAsync(async () => await ActiveEngineAsync() == standby, Startup, $"{standby} took over");
        var link = await SomeRainbowLinkAsync();
        Assert.Equal("up", await StateAsync("sim", "link:" + link));
        await PostAsync("sim", $"api/simulator/links/{link}/cut");
        await Eventually.TrueAsync(async () => await StateAsync("sim", "link:" + link) == "down", Startup, "a link cut after the failover shows down");
        Assert.True(await VersionAsync("sim") > versionBefore);
        await PostAsync("sim", $"api/simulator/links/{link}/restore");
        await Eventually.TrueAsync(async () => await StateAsync("sim", "link:" + link) == "up", Startup, "the link back up");
        await StartAsync("engine-3", "engine", ("State:Name", "engine-3"));

        // A fourth collector joins: it takes its share from the others, and the split settles to once per interval again.
        await StartCollectorAsync("c4");
        string[] four = [.. survivors, "c4"];
        await WaitPolledByOwnersAsync(devices, four);
        Assert.Contains(devices, d => Rendezvous.OwnerOf(d, four) == "c4");
        await AssertSteadyAsync(devices, four, "after the fourth joined");

        // PostgreSQL restarts (down for two leases): the collectors keep their split meanwhile, so polling never stops and
        // never doubles; an engine holds the lease again afterwards.
        var restartAt = DateTimeOffset.UtcNow;
        await _postgres.RestartAsync(down: Lease * 2);
        await AssertSteadyAsync(devices, four, "across the PostgreSQL restart", from: restartAt);
        await Eventually.TrueAsync(async () => await ActiveEngineAsync() is not null, Startup, "an engine active after PostgreSQL is back");
        await Eventually.TrueAsync(async () => await StateAsync("sim", "device:core-rathaus") == "up", Startup, "core up after PostgreSQL is back");
        await AssertNeverUnknownAsync(devices, restartAt, "across the PostgreSQL restart");

        // The broker restarts: collectors, engine and dashboards reconnect; every device is polled again by its owner.
        var brokerAt = DateTimeOffset.UtcNow;
        await _broker.RestartAsync(graceful: true);
        await _recorder.WaitConnectedAsync(CancellationToken.None);
        await WaitPolledAfterAsync(devices, brokerAt, four, Startup);
        await AssertSteadyAsync(devices, four, "after the broker restart");
        await Eventually.TrueAsync(async () => await StateAsync("sim", "device:core-rathaus") == "up", Startup, "core up after the broker restart");

        // Traps may go to any collector: a coldStart of the core sent to one that does not poll it is stored and shown,
        // and that collector polls the core at once.
        var receiver = four.First(c => c != Rendezvous.OwnerOf("core-rathaus", four));
        var community = File.ReadAllLines(_secrets).First(l => l.StartsWith("rainbow-ro:", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        var trapAt = DateTimeOffset.UtcNow;
        await using (var snmptrap = ExternalProcess.Start("snmptrap", ["-v2c", "-c", community, "-m", "", "-M", "", "--clientaddr=127.77.0.1",
            $"127.0.0.1:{_trapPorts[receiver].ToString(CultureInfo.InvariantCulture)}", "", ".1.3.6.1.6.3.1.1.5.1", ".1.3.6.1.2.1.1.5.0", "s", "cluster-test"]))
        {
            Assert.Equal(0, await snmptrap.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await Eventually.TrueAsync(async () =>
        {
            using var traps = JsonDocument.Parse(await _nodes["sim"].Http.GetStringAsync(new Uri("api/traps", UriKind.Relative)));
            return traps.RootElement.GetProperty("recent").EnumerateArray()
                .Any(n => n.GetProperty("deviceId").GetString() == "core-rathaus" && n.GetProperty("kind").GetString() == "cold-start");
        }, Startup, $"the coldStart received by {receiver} stored and listed on the dashboard");
        await WaitPolledAfterAsync(["core-rathaus"], trapAt, [receiver], PollInterval + Slack);

        // A dashboard started last shows what the first one shows.
        await StartAsync("web-2", "web");
        await Eventually.TrueAsync(async () => SameHealth(await StatesAsync("sim"), await StatesAsync("web-2")), Startup,
            "web-2 (started late) shows what the first dashboard shows");
    }

    private ValueTask Record(MqttLinkMessage message, CancellationToken cancellationToken)
    {
        var collector = message.Topic[StateWire.ObservationsPrefix.Length..];
        switch (StateWire.Deserialize<Observation>(message.Payload))
        {
            case DevicePollObservation poll:
                _polls.Enqueue(new Poll(poll.DeviceId, collector, poll.ObservedAt));
                Latest(poll.ObservedAt);
                break;
            case NodeTelemetryObservation telemetry:
                _telemetry.Enqueue(new Poll(telemetry.NodeId, collector, telemetry.ObservedAt));
                break;
        }

        return ValueTask.CompletedTask;
    }

    private void Latest(DateTimeOffset at)
    {
        lock (_polls)
        {
            if (at > _latest)
            {
                _latest = at;
            }
        }
    }

    /// <summary>The devices the collectors poll: every device of the inventory (each answers the simulator's agent).</summary>
    private async Task<List<string>> DevicesAsync()
    {
        using var inventory = JsonDocument.Parse(await _nodes["sim"].Http.GetStringAsync(new Uri("api/inventory", UriKind.Relative)));
        return [.. inventory.RootElement.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>Waits until every device's latest polls came from its owner among <paramref name="members"/> (the split has settled).</summary>
    private async Task WaitPolledByOwnersAsync(IReadOnlyList<string> devices, string[] members)
    {
        var wrong = new List<string>();
        await Eventually.TrueAsync(() =>
        {
            var since = DateTimeOffset.UtcNow - PollInterval * 2;
            var recent = _polls.Where(p => p.At >= since).GroupBy(p => p.Device).ToDictionary(g => g.Key, g => g.Select(p => p.Collector).ToHashSet());
            wrong = [.. devices.Where(d => !recent.TryGetValue(d, out var by) || !by.SetEquals([Rendezvous.OwnerOf(d, members)]))];
            return wrong.Count == 0;
        }, Startup, $"every device polled by its owner among {string.Join(", ", members)} (not yet: {string.Join(", ", wrong.Take(10))})",
            TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Waits until each device was polled after <paramref name="after"/> by one of <paramref name="by"/>; returns how long each took.</summary>
    private async Task<Dictionary<string, TimeSpan>> WaitPolledAfterAsync(IReadOnlyList<string> devices, DateTimeOffset after, string[] by, TimeSpan timeout)
    {
        var first = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        await Eventually.TrueAsync(() =>
        {
            foreach (var device in devices.Where(d => !first.ContainsKey(d)))
            {
                if (_polls.Where(p => p.Device == device && p.At > after && by.Contains(p.Collector)).Select(p => (DateTimeOffset?)p.At).Min() is { } at)
                {
                    first[device] = at - after;
                }
            }

            return first.Count == devices.Count;
        }, timeout, $"devices polled again by {string.Join(", ", by)} (still waiting: {string.Join(", ", devices.Where(d => !first.ContainsKey(d)).Take(10))})",
            TimeSpan.FromMilliseconds(100));
        return first;
    }

    /// <summary>
    /// Over four intervals from now (or from <paramref name="from"/> to four intervals from now): each device polled only by
    /// its owner, never twice within half an interval, never left for more than 1.8 intervals.
    /// </summary>
    private async Task AssertSteadyAsync(IReadOnlyList<string> devices, string[] members, string when, DateTimeOffset? from = null)
    {
        var start = from ?? DateTimeOffset.UtcNow;
        var end = DateTimeOffset.UtcNow + PollInterval * 4;
        await Eventually.TrueAsync(() =>
        {
            lock (_polls)
            {
                return _latest > end + PollInterval;
            }
        }, Startup, $"polls recorded past the window ({when})", TimeSpan.FromMilliseconds(100));

        var problems = new List<string>();
        var polls = _polls.Where(p => p.At >= start && p.At <= end).ToList();
        foreach (var device in devices)
        {
            var owner = Rendezvous.OwnerOf(device, members);
            var times = polls.Where(p => p.Device == device).OrderBy(p => p.At).ToList();
            problems.AddRange(times.Where(p => p.Collector != owner).Take(1).Select(p => $"{device} polled by {p.Collector} at {p.At:HH:mm:ss.fff} (owner {owner})"));
            var marks = times.Select(p => p.At).Prepend(start).Append(end).ToList();
            for (var i = 1; i < marks.Count; i++)
            {
                var gap = marks[i] - marks[i - 1];
                var inner = i > 1 && i < marks.Count - 1;
                if (inner && gap < PollInterval / 2)
                {
                    problems.Add($"{device} polled twice {gap.TotalMilliseconds:0} ms apart at {marks[i]:HH:mm:ss.fff}");
                }

                if (gap > PollInterval * 1.8)
                {
                    problems.Add($"{device} not polled for {gap.TotalSeconds:0.0} s until {marks[i]:HH:mm:ss.fff}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{when}, {start:HH:mm:ss.fff}–{end:HH:mm:ss.fff}, {polls.Count} polls:\n{string.Join('\n', problems.Take(20))}");
    }

    /// <summary>No state change of these devices to unknown since <paramref name="since"/>, as the recorded history holds it.</summary>
    private async Task AssertNeverUnknownAsync(IReadOnlyList<string> devices, DateTimeOffset since, string when)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT entity_id, at, reason_code FROM state_changes WHERE entity_kind = 'Device' AND to_value = 'Unknown' AND at > @since AND entity_id = ANY(@ids)",
            connection);
        command.Parameters.AddWithValue("since", since.UtcDateTime);
        command.Parameters.AddWithValue("ids", devices.ToArray());
        var flips = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                flips.Add($"{reader.GetString(0)} unknown at {reader.GetDateTime(1):HH:mm:ss.fff} ({reader.GetString(2)})");
            }
        }

        Assert.True(flips.Count == 0, $"{when}: {string.Join(", ", flips)}");
    }

    /// <summary>The dashboard's API lists exactly these collectors, the devices split over them as the rendezvous says.</summary>
    private async Task AssertMembersListedAsync(string[] members, int deviceCount)
    {
        string listed = "";
        await Eventually.TrueAsync(async () =>
        {
            using var document = JsonDocument.Parse(listed = await _nodes["sim"].Http.GetStringAsync(new Uri("api/collectors", UriKind.Relative)));
            var collectors = document.RootElement.GetProperty("collectors").EnumerateArray().ToList();
            return collectors.Select(c => c.GetProperty("name").GetString()).SequenceEqual(members) &&
                   collectors.Sum(c => c.GetProperty("devices").GetArrayLength()) == deviceCount &&
                   collectors.All(c => c.GetProperty("polling").GetInt32() == c.GetProperty("devices").GetArrayLength());
        }, Startup, $"members {string.Join(", ", members)} listed with their devices (last: {listed})");

        var ready = await _nodes[members[0]].Http.GetStringAsync(new Uri("readyz", UriKind.Relative));
        Assert.Contains("\"membership\"", ready, StringComparison.Ordinal);
        Assert.All(members, m => Assert.Contains($"\"name\":\"{m}\"", ready, StringComparison.Ordinal));
    }

    /// <summary>Node telemetry goes to the collectors' shared subscription: each report ingested by one collector only.</summary>
    private void AssertTelemetryIngestedOnce(int atLeastCollectors)
    {
        var reports = _telemetry.ToList();
        Assert.NotEmpty(reports);
        var twice = reports.GroupBy(r => (r.Device, r.At)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Device}@{g.Key.At:HH:mm:ss.fff} by {string.Join("+", g.Select(r => r.Collector))}").ToList();
        Assert.True(twice.Count == 0, "node reports ingested more than once: " + string.Join(", ", twice.Take(10)));
        Assert.True(reports.Select(r => r.Collector).Distinct().Count() >= atLeastCollectors, "the shared subscription spreads reports over the collectors");
    }

    private Task StartCollectorAsync(string name)
    {
        // Each collector receives traps on a port of its own.
        _trapPorts[name] = FreePort.Udp();
        return StartAsync(name, "collector", ("Collector:Name", name), ("Mqtt:ClientId", "ingest-" + name), ("Traps:Enabled", "true"),
            ("Traps:Endpoint", $"127.0.0.1:{_trapPorts[name].ToString(CultureInfo.InvariantCulture)}"), ("Traps:Credentials:0", "rainbow-ro"));
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
            // One data directory for the cluster's history (the engines write it, dashboards read it); the operational
            // database (accounts, state history, membership) on PostgreSQL.
            "--Storage:DataDirectory", DataDirectory,
            "--Database:Provider", "PostgreSQL",
            "--Database:ConnectionString", _postgres.ConnectionString,
            "--Mqtt:Embedded", "false",
            "--Mqtt:Host", "127.0.0.1",
            "--Mqtt:Port", _broker.Port.ToString(CultureInfo.InvariantCulture),
            "--Mqtt:Username", Mosquitto.Username,
            "--Mqtt:Credential", "mqtt-test",
            "--Mqtt:SharedGroup", "collectors",
            "--Collector:PollInterval", PollInterval.ToString(),
            "--Collector:Lease", Lease.ToString(),
            "--Collector:Heartbeat", Heartbeat.ToString(),
            "--Collector:Timeout", "00:00:00.300",
            "--Collector:Retries", "0",
            "--Collector:FreshnessFactor", FreshnessFactor.ToString(CultureInfo.InvariantCulture),
            "--Simulator:NodeReportInterval", "00:00:01",
            "--State:LeaseConnectionString", _postgres.ConnectionString,
            "--State:SnapshotInterval", "00:00:05",
            "--State:CollectorGoneGrace", GoneGrace.ToString(),
            "--Serilog:WriteTo:1:Args:path", Path.Combine(_inventory + "-logs", name, "netops-.log"),
        };
        foreach (var (key, value) in settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }

        var process = ExternalProcess.Start("dotnet", arguments, workingDirectory: output);
        var node = new Node(process, new HttpClient(new AdminToken(_postgres.ConnectionString)) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) });
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
        foreach (var (name, node) in _nodes.Where(n => n.Key.StartsWith("engine-", StringComparison.Ordinal) && !n.Value.Process.HasExited))
        {
            try
            {
                var ready = await node.Http.GetStringAsync(new Uri("readyz", UriKind.Relative));
                if (ready.Contains("state engine active", StringComparison.Ordinal))
                {
                    return name;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or Npgsql.NpgsqlException)
            {
                // A process too busy to answer (or the token's account not made in time) must not hide the failure being diagnosed.
                lines.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        return string.Join('\n', lines);
    }

    private async Task<string> SomeRainbowLinkAsync()
    {
        using var inventory = JsonDocument.Parse(await _nodes["sim"].Http.GetStringAsync(new Uri("api/inventory", UriKind.Relative)));
        return inventory.RootElement.GetProperty("links").EnumerateArray()
            .Select(l => l.GetProperty("id").GetString()!)
            .First(id => !id.StartsWith("mogli", StringComparison.Ordinal));
    }

    private async Task PostAsync(string node, string path)
    {
        using var response = await _nodes[node].Http.PostAsync(new Uri(path, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    private static bool SameHealth(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count > 0 && a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private sealed record Node(ExternalProcess Process, HttpClient Http);

    private sealed record Poll(string Device, string Collector, DateTimeOffset At);
}

/// <summary>
/// Adds an admin's access token to every request but the probes. The account and the token are created on first use in the
/// operational database the processes share (PostgreSQL), once a process has migrated it.
/// </summary>
internal sealed class AdminToken(string connectionString) : DelegatingHandler(new HttpClientHandler())
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Tokens = new(StringComparer.Ordinal);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath is not ("/healthz" or "/readyz"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(connectionString, cancellationToken));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>The admin's token for the cluster on this database, made on first use.</summary>
    public static async Task<string> TokenAsync(string connectionString, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Tokens.TryGetValue(connectionString, out var token))
            {
                return token;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSQL",
                ["Database:ConnectionString"] = connectionString,
            }).Build();
            await using var provider = new ServiceCollection().AddNetOpsAccountStore(configuration).BuildServiceProvider();
            await using var scope = provider.CreateAsyncScope();
            var name = "cluster-test-" + Guid.NewGuid().ToString("N")[..8];
            await scope.ServiceProvider.GetRequiredService<Accounts>()
                .CreateAsync(name, NetOpsRoles.Admin, Accounts.NewPassword(), mustChangePassword: false, null, cancellationToken);
            token = await scope.ServiceProvider.GetRequiredService<AccessTokens>()
                .CreateAsync(name, "cluster-test", DateTimeOffset.UtcNow.AddHours(1), cancellationToken);
            Tokens[connectionString] = token;
            return token;
        }
        finally
        {
            Gate.Release();
        }
    }
}
