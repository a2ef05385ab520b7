using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Engine.Tests;

/// <summary>
/// The README's failover try-out, as a user types it: <c>scripts/cluster.sh up 2</c>, <c>status</c>,
/// <c>kill collector-1</c>, <c>down</c>, against Debian's PostgreSQL and mosquitto, with the build the tests run.
/// </summary>
[Collection("cluster")]
public sealed class ClusterScriptTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netops-cluster-sh-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Stopped even when the test failed half-way.
        await RunAsync("down");
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task UpStatusKillDown_RunTheClusterAndStopEverything()
    {
        var up = await RunAsync("up", "2");
        Assert.True(up.Code == 0, up.Output);
        var last = up.Stdout.TrimEnd().Split('\n')[^1].Split(' ');
        Assert.Matches("^http://127.0.0.1:[0-9]+/$", last[0]);
        Assert.StartsWith("netops_", last[1], StringComparison.Ordinal);

        // The token works on the dashboard's API, which lists both collectors with every device between them.
        using var http = new HttpClient { BaseAddress = new Uri(last[0]), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", last[1]);
        await Eventually.TrueAsync(async () => Names(await http.GetStringAsync(new Uri("api/collectors", UriKind.Relative))) == "collector-1,collector-2",
            TimeSpan.FromSeconds(30), "both collectors listed");
        var status = await RunAsync("status");
        Assert.Contains("2 live collector(s)", status.Output, StringComparison.Ordinal);
        Assert.Contains("collector-1", status.Output, StringComparison.Ordinal);

        var kill = await RunAsync("kill", "collector-1");
        Assert.True(kill.Code == 0, kill.Output);
        // Its lease (10 s by default) runs out: collector-2 alone, with every device.
        await Eventually.TrueAsync(async () => Names(await http.GetStringAsync(new Uri("api/collectors", UriKind.Relative))) == "collector-2",
            TimeSpan.FromSeconds(40), "collector-1 gone from the members");
        status = await RunAsync("status");
        Assert.Contains("collector-1: stopped", status.Output, StringComparison.Ordinal);
        Assert.Contains("1 live collector(s)", status.Output, StringComparison.Ordinal);

        var pids = Directory.GetFiles(Path.Combine(_directory, "pids")).Select(f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var down = await RunAsync("down");
        Assert.True(down.Code == 0, down.Output);
        Assert.All(pids, pid => Assert.False(Running(pid), $"process {pid} still runs after down"));
        Assert.False(File.Exists(Path.Combine(_directory, "postgres", "data", "postmaster.pid")), "PostgreSQL still runs after down");
    }

    private static string Names(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join(',', document.RootElement.GetProperty("collectors").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<(int Code, string Output, string Stdout)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "scripts", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["NETOPS_CLUSTER_DIR"] = _directory,
                ["NETOPS_NO_BUILD"] = "1",
                ["NETOPS_CONFIGURATION"] = RepoPaths.Configuration,
            },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error, await output);
    }
}
