using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NetOps.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace NetOps.Web.Tests;

public sealed class DeploymentFilesTests
{
    private const string NetOpsImage = "netops:latest";

    /// <summary>The one port published beyond loopback (docs/deployment.md): mosquitto's TLS listener for field nodes.</summary>
    private static readonly (string Service, int Port)[] PublishedOnEveryInterface = [("mosquitto", 8883)];

    private static readonly string MosquittoConfig = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "mosquitto.conf");
    private static readonly string MosquittoAcl = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "acl");

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

    [Fact]
    public void DockerCompose_PublishesOnLoopbackOnly_ExceptMosquittosDocumentedTlsPort()
    {
        var deployment = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "deployment.md"));
        foreach (var (name, service) in Services())
        {
            foreach (var (hostIp, published) in Ports(service))
            {
                if (hostIp == "127.0.0.1")
                {
                    continue;
                }

                // No address, 0.0.0.0 or ::: every interface. Allowed only where documented, and only for a TLS listener.
                Assert.True(PublishedOnEveryInterface.Contains((name, published)),
                    $"{name} publishes {published} on {(hostIp.Length == 0 ? "every interface" : hostIp)}; bind it to 127.0.0.1");
                Assert.Contains(published.ToString(System.Globalization.CultureInfo.InvariantCulture), deployment, StringComparison.Ordinal);
                var listener = MosquittoListeners().GetValueOrDefault(published)
                    ?? throw new Xunit.Sdk.XunitException($"{name} publishes {published}, but mosquitto.conf has no listener on it");
                Assert.True(listener.ContainsKey("certfile") && listener.ContainsKey("keyfile"),
                    $"mosquitto's listener {published} is published on every interface without TLS (certfile, keyfile)");
            }
        }
    }

    [Fact]
    public void DockerCompose_EveryPasswordTokenAndSecretComesFromASecretFileOrVariable()
    {
        var secretKey = new Regex("password|passwd|token|secret|apikey|api_key", RegexOptions.IgnoreCase);
        var checkedAny = false;
        foreach (var (name, service) in Services())
        {
            var declared = SecretsOf(service);
            foreach (var (key, value) in Environment(service))
            {
                // A path or reference under /run/secrets must be a secret this service mounts.
                var mounted = Regex.Match(value, "^(?:file:)?/run/secrets/(?<secret>[^/]+)$");
                if (mounted.Success)
                {
                    Assert.True(declared.Contains(mounted.Groups["secret"].Value), $"{name}: {key} reads /run/secrets/{mounted.Groups["secret"].Value}, which it does not mount");
                }

                if (!secretKey.IsMatch(key) || value.Length == 0)
                {
                    continue;
                }

                checkedAny = true;
                var fromVariable = Regex.IsMatch(value, @"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}$");
                var credentialName = key.EndsWith("Credential", StringComparison.Ordinal) || key.EndsWith("SecretsFile", StringComparison.Ordinal);
                Assert.True(mounted.Success || fromVariable || credentialName,
                    $"{name}: {key} is a literal (or a variable with a default); give it as a compose secret file or a variable without a default");
            }

            // A connection string on the command line names a password credential, never a password.
            foreach (var argument in Command(service))
            {
                Assert.DoesNotMatch(new Regex(@"(^|;)\s*(password|pwd)\s*=", RegexOptions.IgnoreCase), argument);
            }
        }

        Assert.True(checkedAny, "no password or token found in docker-compose.yml: the check looks at nothing");

        // Every secret comes from a file under ./secrets (scripts/make-secrets.sh), never inline or from the repository.
        var compose = Load(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
        foreach (var (secret, definition) in Map(compose["secrets"]))
        {
            var file = Map(definition).GetValueOrDefault("file") as string;
            Assert.True(file is not null && file.StartsWith("./secrets/", StringComparison.Ordinal), $"secret {secret}: {file ?? "no file"}; it belongs in ./secrets/");
        }

        Assert.Contains("secrets/", File.ReadAllLines(Path.Combine(RepoPaths.Root, ".gitignore")));
        Assert.Contains("secrets", File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore")));
    }

    [Fact]
    public void DockerCompose_MqttNeedsAPasswordForEveryNetOpsClientAndTheBroker()
    {
        var services = Services().ToDictionary(s => s.Name, s => s.Service);
        var mosquitto = services["mosquitto"];
        Assert.Equal(["mosquitto", "-c", "/mosquitto/config/mosquitto.conf"], Command(mosquitto));
        var volumes = List(mosquitto["volumes"]).Cast<string>().ToList();
        Assert.Contains("./deploy/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro", volumes);
        Assert.Contains("./deploy/mosquitto/acl:/mosquitto/config/acl:ro", volumes);
        var settings = MosquittoSettings();
        Assert.Equal("/run/secrets/mosquitto-passwd", settings["password_file"]);
        Assert.Contains("mosquitto-passwd", SecretsOf(mosquitto));

        // Every NetOps process that talks to mosquitto logs in as its own user, with a password from its own secret.
        var clients = services.Where(s => Environment(s.Value).GetValueOrDefault("Mqtt__Host") == "mosquitto").ToList();
        Assert.NotEmpty(clients);
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, service) in clients)
        {
            var environment = Environment(service);
            var user = environment.GetValueOrDefault("Mqtt__Username") ?? throw new Xunit.Sdk.XunitException($"{name}: no Mqtt__Username");
            Assert.True(users.Add(user), $"{name} shares the MQTT user {user}");
            Assert.Matches("^file:/run/secrets/", environment.GetValueOrDefault("Mqtt__PasswordRef") ?? "");
            Assert.Matches(new Regex($"^user {Regex.Escape(user)}$", RegexOptions.Multiline), File.ReadAllText(MosquittoAcl));
        }
    }

    [Fact]
    public void MosquittoConfig_RefusesAnonymousClients_AndNamesAPasswordFileAndAnAcl()
    {
        var settings = MosquittoSettings();
        Assert.Equal("false", settings.GetValueOrDefault("allow_anonymous"));
        Assert.True(settings.ContainsKey("password_file"), "mosquitto.conf: no password_file");
        Assert.Equal("/mosquitto/config/acl", settings.GetValueOrDefault("acl_file"));
        Assert.NotEqual("true", settings.GetValueOrDefault("per_listener_settings"));
        Assert.True(File.Exists(MosquittoAcl));
    }

    [Fact]
    public void Dockerfile_CopiesNoSecretsFile()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepoPaths.Root, "Dockerfile"));
        var runtimeStage = dockerfile.SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1)
            .SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(runtimeStage);
        foreach (var line in dockerfile.Where(l => Regex.IsMatch(l, @"^\s*(COPY|ADD)\s", RegexOptions.IgnoreCase)))
        {
            Assert.DoesNotMatch(new Regex("secret", RegexOptions.IgnoreCase), line);
            var source = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2];
            if (line.Contains("--from=", StringComparison.Ordinal) || source == ".")
            {
                continue; // the build stage's tree: .dockerignore keeps secrets/ out, the test above checks
            }

            // A directory copied from the repository must not hold a secrets file.
            var path = Path.Combine(RepoPaths.Root, source);
            if (Directory.Exists(path))
            {
                Assert.Empty(Directory.EnumerateFiles(path, "*secret*", SearchOption.AllDirectories));
            }
        }

        // Nothing secret in the image's environment either.
        Assert.DoesNotContain(runtimeStage, l => !l.TrimStart().StartsWith('#') && Regex.IsMatch(l, "NETOPS_SECRET_|SecretsFile|PASSWORD", RegexOptions.IgnoreCase));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes, bash, Debian's mosquitto
    public async Task MakeSecrets_WritesPrivateFiles_ThatTheStacksMosquittoAcceptsPerUserAndTopic()
    {
        var work = Directory.CreateTempSubdirectory("netops-make-secrets-");
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, "scripts"));
            File.Copy(Path.Combine(RepoPaths.Root, "scripts", "make-secrets.sh"), Path.Combine(work.FullName, "scripts", "make-secrets.sh"));
            CopyDirectory(Path.Combine(RepoPaths.Root, "config", "inventory"), Path.Combine(work.FullName, "config", "inventory"));
            await using (var script = ExternalProcess.Start("bash", [Path.Combine(work.FullName, "scripts", "make-secrets.sh"), "mogli-01", "mogli-02"]))
            {
                var code = await script.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(code == 0, $"make-secrets.sh failed with {code}:\n{script.Output}");
            }

            var secrets = Path.Combine(work.FullName, "secrets");
            var compose = Load(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
            foreach (var (secret, definition) in Map(compose["secrets"]))
            {
                var file = Path.Combine(work.FullName, ((string)Map(definition)["file"]).TrimStart('.', '/'));
                Assert.True(File.Exists(file), $"make-secrets.sh did not make {file} (secret {secret})");
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.NotEqual(0, new FileInfo(file).Length);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(secrets));
            string Read(string name) => File.ReadAllText(Path.Combine(secrets, name)).Trim();

            await using var broker = await StackMosquitto.StartAsync(work, Path.Combine(secrets, "mosquitto-passwd"));

            // Nobody gets in without a user, nor with a wrong password.
            await AssertRefusedAsync(broker.Port, null, null);
            await AssertRefusedAsync(broker.Port, "mogli-01", Read("nodes/mogli-02"));

            using var collector = await ConnectAsync(broker.Port, "netops-collector", Read("mqtt-collector"));
            var received = new ConcurrentQueue<string>();
            collector.ApplicationMessageReceivedAsync += e =>
            {
                received.Enqueue($"{e.ApplicationMessage.Topic} {e.ApplicationMessage.ConvertPayloadToString()}");
                return Task.CompletedTask;
            };
            var subscribed = await collector.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("netops/v1/nodes/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(subscribed.Items).ResultCode);

            // A node publishes under its own id only: another node's topic is refused and never delivered.
            using var node = await ConnectAsync(broker.Port, "mogli-01", Read("nodes/mogli-01"));
            var spoofed = await node.PublishAsync(Message("netops/v1/nodes/mogli-02/telemetry", "spoofed"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofed.ReasonCode);
            var own = await node.PublishAsync(Message("netops/v1/nodes/mogli-01/telemetry", "own"));
            Assert.True(own.IsSuccess, $"mogli-01 on its own topic: {own.ReasonCode}");
            await Eventually.TrueAsync(() => received.Contains("netops/v1/nodes/mogli-01/telemetry own"), TimeSpan.FromSeconds(10),
                "the collector to receive mogli-01's own telemetry");
            Assert.Equal(["netops/v1/nodes/mogli-01/telemetry own"], received.ToArray());

            // The web role reads the state feed; it cannot forge it.
            using var web = await ConnectAsync(broker.Port, "netops-web", Read("mqtt-web"));
            var forged = await web.PublishAsync(Message("netops/v1/state/delta", "{}"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);

            // The healthcheck's options file logs mosquitto_sub in as netops-health, as the compose healthcheck runs it.
            var options = Directory.CreateDirectory(Path.Combine(work.FullName, "health"));
            File.Copy(Path.Combine(secrets, "mosquitto_sub"), Path.Combine(options.FullName, "mosquitto_sub"));
            await using var health = ExternalProcess.Start("mosquitto_sub",
                ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "$SYS/broker/uptime", "-C", "1", "-W", "5"],
                environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = options.FullName });
            var healthCode = await health.WaitForExitAsync(TimeSpan.FromSeconds(15));
            Assert.True(healthCode == 0, $"the healthcheck failed with {healthCode}:\n{health.Output}");

            Assert.DoesNotContain("Error", broker.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(ClientOptions(port, user, password));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task AssertRefusedAsync(int port, string? user, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        MqttClientConnectResultCode code;
        try
        {
            // MQTT 5: MQTTnet returns the refusing CONNACK; older paths throw with its reason code in the message.
            code = (await client.ConnectAsync(ClientOptions(port, user, password))).ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            Assert.Matches("NotAuthorized|BadUserNameOrPassword", e.Message);
            return;
        }

        Assert.True(code is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword,
            $"{user ?? "an anonymous client"}: {code}");
        Assert.False(client.IsConnected, $"{user ?? "an anonymous client"} is connected");
    }

    private static MqttClientOptions ClientOptions(int port, string? user, string? password)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"deployment-test-{Guid.NewGuid():N}").WithTimeout(TimeSpan.FromSeconds(10));
        return (user is null ? builder : builder.WithCredentials(user, password)).Build();
    }

    private static MqttApplicationMessage Message(string topic, string payload) => new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    /// <summary>
    /// Debian's mosquitto with the stack's mosquitto.conf (its global settings, the ACL from the repository) on a free
    /// loopback port instead of the container's listeners; killed on dispose.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private sealed class StackMosquitto(ExternalProcess process, int port) : IAsyncDisposable
    {
        public int Port { get; } = port;

        public string Output => process.Output;

        public static async Task<StackMosquitto> StartAsync(DirectoryInfo work, string passwordFile)
        {
            // mosquitto started as root reads these as its own user.
            var broker = Directory.CreateDirectory(Path.Combine(work.FullName, "broker"));
            File.SetUnixFileMode(broker.FullName, (UnixFileMode)0x1ED); // 755
            var passwd = Path.Combine(broker.FullName, "passwd");
            File.Copy(passwordFile, passwd);
            File.SetUnixFileMode(passwd, (UnixFileMode)0x1A4); // 644
            var acl = Path.Combine(broker.FullName, "acl");
            File.Copy(MosquittoAcl, acl);
            File.SetUnixFileMode(acl, (UnixFileMode)0x1A4);
            File.SetUnixFileMode(work.FullName, (UnixFileMode)0x1ED);

            // The global settings as the stack has them; the listeners (container ports, TLS files), persistence and
            // logging are the container's and replaced here.
            var globals = new List<string>();
            foreach (var line in File.ReadAllLines(MosquittoConfig).Select(l => l.Trim()).TakeWhile(l => !l.StartsWith("listener ", StringComparison.Ordinal)))
            {
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                globals.Add(line.Split(' ', 2)[0] switch
                {
                    "password_file" => $"password_file {passwd}",
                    "acl_file" => $"acl_file {acl}",
                    _ => line,
                });
            }

            var port = FreePort.Tcp();
            var config = Path.Combine(broker.FullName, "mosquitto.conf");
            await File.WriteAllLinesAsync(config, [.. globals, $"listener {port} 127.0.0.1", "persistence false", "log_dest stderr", "log_type all"]);
            var process = ExternalProcess.Start("mosquitto", ["-c", config]);
            var mosquitto = new StackMosquitto(process, port);
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    process.ThrowIfExited();
                    using var client = new TcpClient();
                    try
                    {
                        await client.ConnectAsync("127.0.0.1", port);
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(10), "mosquitto to listen");
            }
            catch
            {
                await mosquitto.DisposeAsync();
                throw;
            }

            return mosquitto;
        }

        public ValueTask DisposeAsync() => process.DisposeAsync();
    }

    private static Dictionary<string, string> MosquittoSettings() =>
        File.ReadAllLines(MosquittoConfig).Select(l => l.Trim()).TakeWhile(l => !l.StartsWith("listener ", StringComparison.Ordinal))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.ElementAtOrDefault(1)?.Trim() ?? "");

    /// <summary>Each listener's port and its settings, up to the next listener.</summary>
    private static Dictionary<int, Dictionary<string, string>> MosquittoListeners()
    {
        var listeners = new Dictionary<int, Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadAllLines(MosquittoConfig).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "listener")
            {
                current = [];
                listeners[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] = current;
            }
            else if (current is not null)
            {
                current[parts[0]] = parts.ElementAtOrDefault(1) ?? "";
            }
        }

        return listeners;
    }

    /// <summary>Published ports as (host address, or "" for every interface; host port).</summary>
    private static IEnumerable<(string HostIp, int Port)> Ports(Dictionary<object, object> service)
    {
        if (service.GetValueOrDefault("ports") is not List<object> ports)
        {
            yield break;
        }

        foreach (var port in ports)
        {
            if (port is Dictionary<object, object> longSyntax)
            {
                var ip = longSyntax.GetValueOrDefault("host_ip") as string ?? "";
                yield return (ip is "0.0.0.0" or "::" ? "" : ip, Convert.ToInt32(longSyntax["published"], System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            var parts = ((string)port).Split('/')[0].Split(':');
            // "container", "host:container" or "ip:host:container"
            var (hostIp, hostPort) = parts.Length switch
            {
                1 => ("", parts[0]),
                2 => ("", parts[0]),
                _ => (string.Join(':', parts[..^2]), parts[^2]),
            };
            yield return (hostIp is "0.0.0.0" or "::" or "[::]" ? "" : hostIp, int.Parse(hostPort.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The names a service sees under /run/secrets: a secret's target when one is given, else its name.</summary>
    private static HashSet<string> SecretsOf(Dictionary<object, object> service) => service.GetValueOrDefault("secrets") is List<object> secrets
        ? secrets.Select(s => s as string ?? Map(s).GetValueOrDefault("target") as string ?? (string)Map(s)["source"]).ToHashSet(StringComparer.Ordinal)
        : [];

    private static string[] Command(Dictionary<object, object> service) => service.GetValueOrDefault("command") switch
    {
        List<object> list => list.Cast<string>().ToArray(),
        string text => [text],
        _ => [],
    };

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
