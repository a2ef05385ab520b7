using System.Text.RegularExpressions;
using NetOps.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace NetOps.Web.Tests;

public sealed class DeploymentFilesTests
{
    private const string NetOpsImage = "netops:latest";

    [Fact]
    public async Task DockerCompose_IsValidForDockerCompose()
    {
        // No Docker engine runs here; `docker-compose config` validates the file without one.
        await using var compose = ExternalProcess.Start("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), "config", "--quiet"],
            workingDirectory: RepoPaths.Root);
        var code = await compose.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"docker-compose config failed with {code}:\n{compose.Output}");
    }

    [Fact]
    public void DockerCompose_HealthchecksNeverAskShForDevTcp()
    {
        // CMD-SHELL (and a plain string) runs /bin/sh: dash in the NetOps (Ubuntu) and InfluxDB images, busybox in the
        // Alpine ones. Neither has bash's /dev/tcp, so such a check can never pass.
        var checkedAny = false;
        foreach (var (name, service) in Services())
        {
            if (Healthcheck(service) is not { } test)
            {
                continue;
            }

            checkedAny = true;
            var (form, command) = test;
            Assert.True(form is "CMD" or "CMD-SHELL" or "NONE", $"{name}: healthcheck form {form}");
            if (form == "CMD-SHELL")
            {
                Assert.False(string.Join(' ', command).Contains("/dev/tcp", StringComparison.Ordinal),
                    $"{name}: /dev/tcp under CMD-SHELL runs in /bin/sh, which has none: {string.Join(' ', command)}");
            }
        }

        Assert.True(checkedAny, "no service in docker-compose.yml has a healthcheck");
    }

    [Fact]
    public void DockerCompose_NetOpsHealthchecksUseBash_TheImageHasNoCurlOrWget()
    {
        var netops = Services().Where(s => Image(s.Service) == NetOpsImage).ToList();
        Assert.NotEmpty(netops);
        foreach (var (name, service) in netops)
        {
            var (form, command) = Healthcheck(service) ?? throw new Xunit.Sdk.XunitException($"{name}: no healthcheck");
            Assert.True(form == "CMD" && command is ["bash", "-c", _], $"{name}: healthcheck {form} {string.Join(' ', command)}");
            Assert.Contains("/readyz", command[2], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DockerCompose_DefaultStackWritesHistoryToItsInfluxDb()
    {
        // `docker-compose up` without a profile: the provisioned Grafana dashboards show data from the first poll.
        var services = Services().ToDictionary(s => s.Name, s => s.Service);
        var defaults = services.Where(s => !s.Value.ContainsKey("profiles")).ToDictionary(s => s.Key, s => s.Value);
        Assert.Contains("influxdb", defaults.Keys);
        Assert.Contains("grafana", defaults.Keys);

        var netops = Assert.Single(defaults, s => Image(s.Value) == NetOpsImage);
        Assert.True(netops.Value.ContainsKey("build"), $"{netops.Key}: the default NetOps service builds the image");
        var environment = Environment(netops.Value);
        Assert.Equal("InfluxV2", environment.GetValueOrDefault("Storage__Kind"));
        Assert.Equal("http://influxdb:8086/", environment.GetValueOrDefault("Storage__Influx__Url"));

        // Grafana reads the same server: its provisioned datasource points at the default influxdb service.
        var datasources = Load(Path.Combine(RepoPaths.Root, "dashboards", "provisioning", "datasources", "influxdb.yaml"));
        var datasource = Assert.Single(List(datasources["datasources"]));
        Assert.Equal("http://influxdb:8086", Map(datasource)["url"]);

        // A default service depending on one behind a profile would stop `docker-compose up` before it starts.
        foreach (var (name, service) in defaults)
        {
            foreach (var dependency in DependsOn(service))
            {
                Assert.True(defaults.ContainsKey(dependency), $"{name} depends on {dependency}, which is not in the default stack");
            }
        }
    }

    [Fact]
    public void DockerCompose_KeepsTheEmbeddedOnlyDemoBehindAProfile()
    {
        var embedded = Services().Where(s => Image(s.Service) == NetOpsImage && Environment(s.Service).GetValueOrDefault("Storage__Kind") == "Embedded").ToList();
        var (name, service) = Assert.Single(embedded);
        Assert.True(service.ContainsKey("profiles"), $"{name}: the embedded demo runs when asked for, not in the default stack");
        Assert.Empty(DependsOn(service));
    }

    [Fact]
    public void Dockerfile_RunsTheHostProjectItPublishes()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        var entrypoint = Regex.Match(dockerfile, @"^ENTRYPOINT\s+\[""dotnet"",\s*""(?<dll>[^""]+)""\]", RegexOptions.Multiline);
        Assert.True(entrypoint.Success, "Dockerfile: no ENTRYPOINT [\"dotnet\", \"<assembly>.dll\"]");
        Assert.Equal("NetOps.Host.dll", entrypoint.Groups["dll"].Value);

        var publish = Regex.Match(dockerfile, @"dotnet publish (?<project>\S+)");
        Assert.True(publish.Success, "Dockerfile: no dotnet publish");
        var project = publish.Groups["project"].Value.TrimEnd('/');
        Assert.Equal("src/NetOps.Host", project);
        var csproj = Path.Combine(RepoPaths.Root, project, Path.GetFileName(project) + ".csproj");
        Assert.True(File.Exists(csproj), $"Dockerfile publishes {project}, but {csproj} does not exist");

        // The NetOps healthchecks run bash: the final image must be a full one (not chiseled, distroless or Alpine).
        var runtime = Regex.Matches(dockerfile, @"^FROM\s+(?<image>\S+)", RegexOptions.Multiline)[^1].Groups["image"].Value;
        Assert.DoesNotMatch("chiseled|distroless|alpine", runtime);
    }

    private static IEnumerable<(string Name, Dictionary<object, object> Service)> Services()
    {
        var compose = Load(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
        return Map(compose["services"]).Select(s => ((string)s.Key, Map(s.Value)));
    }

    private static string? Image(Dictionary<object, object> service) => service.GetValueOrDefault("image") as string;

    private static (string Form, string[] Command)? Healthcheck(Dictionary<object, object> service)
    {
        if (service.GetValueOrDefault("healthcheck") is not Dictionary<object, object> healthcheck || !healthcheck.TryGetValue("test", out var test))
        {
            return null;
        }

        // A plain string is run by /bin/sh, as CMD-SHELL is.
        return test is string text
            ? ("CMD-SHELL", [text])
            : List(test).Cast<string>().ToArray() is [var form, .. var command] ? (form, command) : throw new Xunit.Sdk.XunitException("empty healthcheck test");
    }

    private static Dictionary<string, string> Environment(Dictionary<object, object> service) => service.GetValueOrDefault("environment") switch
    {
        Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => e.Value as string ?? ""),
        List<object> list => list.Cast<string>().Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e.ElementAtOrDefault(1) ?? ""),
        _ => [],
    };

    private static IEnumerable<string> DependsOn(Dictionary<object, object> service) => service.GetValueOrDefault("depends_on") switch
    {
        Dictionary<object, object> map => map.Keys.Cast<string>(),
        List<object> list => list.Cast<string>(),
        _ => [],
    };

    private static Dictionary<object, object> Load(string path)
    {
        // The merging parser resolves `<<: *anchor` as Compose does.
        using var reader = new StreamReader(path);
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }

    private static Dictionary<object, object> Map(object? node) =>
        node as Dictionary<object, object> ?? throw new Xunit.Sdk.XunitException($"expected a mapping, got {node?.GetType().Name ?? "nothing"}");

    private static List<object> List(object? node) =>
        node as List<object> ?? throw new Xunit.Sdk.XunitException($"expected a sequence, got {node?.GetType().Name ?? "nothing"}");
}
