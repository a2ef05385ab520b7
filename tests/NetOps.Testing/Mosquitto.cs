using System.Net.Sockets;

namespace NetOps.Testing;

/// <summary>How a test's mosquitto persists its state.</summary>
public sealed record MosquittoSettings
{
    /// <summary><c>persistence true</c> with <c>persistence_location</c> in the test's temporary directory.</summary>
    public bool Persistence { get; init; }

    /// <summary><c>autosave_interval</c>: seconds, or changes with <see cref="AutosaveOnChanges"/>.</summary>
    public int AutosaveInterval { get; init; } = 1800;

    public bool AutosaveOnChanges { get; init; }

    /// <summary><c>max_inflight_messages</c>: QoS 1 messages sent to one client and not yet acknowledged (mosquitto's default 20).</summary>
    public int MaxInflightMessages { get; init; } = 20;

    /// <summary>
    /// A TLS listener (server certificate for 127.0.0.1 signed by a throwaway CA made with <c>openssl</c> for this broker,
    /// <see cref="Mosquitto.CaFile"/>) instead of plain TCP; no client certificates. <see cref="Mosquitto.RoundTripAsync"/> speaks plain MQTT only.
    /// </summary>
    public bool Tls { get; init; }
}

/// <summary>Debian's mosquitto on a free port with a password file; killed on dispose, also when the test failed.</summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly string _config;
    private ExternalProcess _process;
    private string _previousOutput = string.Empty;

    private Mosquitto(ExternalProcess process, DirectoryInfo directory, string config, int port, string? caFile)
    {
        _process = process;
        _directory = directory;
        _config = config;
        Port = port;
        CaFile = caFile;
    }

    public const string Username = "netops";
    public const string Password = "mosquitto-test-secret";

    public int Port { get; }

    /// <summary>With <see cref="MosquittoSettings.Tls"/>: the PEM certificate of the CA that signed the broker's certificate.</summary>
    public string? CaFile { get; }

    public static async Task<Mosquitto> StartAsync(MosquittoSettings? settings = null)
    {
        settings ??= new MosquittoSettings();
        var directory = Directory.CreateTempSubdirectory("netops-mosquitto-");
        // mosquitto started as root drops to its own user before reading the password file.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var passwordFile = Path.Combine(directory.FullName, "passwd");
        await using (var passwd = ExternalProcess.Start("mosquitto_passwd", ["-b", "-c", passwordFile, Username, Password]))
        {
            await Eventually.TrueAsync(() => passwd.HasExited, TimeSpan.FromSeconds(10), "mosquitto_passwd to finish");
        }

        var port = FreePort.Tcp();
        var config = Path.Combine(directory.FullName, "mosquitto.conf");
        var lines = new List<string>
        {
            $"listener {port} 127.0.0.1",
            "allow_anonymous false",
            $"password_file {passwordFile}",
            "set_tcp_nodelay true",
            "max_queued_messages 10000",
            $"max_inflight_messages {settings.MaxInflightMessages}",
            // stderr is unbuffered: a broker that is killed still leaves its last lines for the failure message.
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        };
        if (settings.Persistence)
        {
            // mosquitto started as root writes its database as its own user.
            var data = Directory.CreateDirectory(Path.Combine(directory.FullName, "data"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(data.FullName, (UnixFileMode)0x1FF);
            }

            lines.Add("persistence true");
            lines.Add($"persistence_location {data.FullName}/");
            lines.Add($"autosave_interval {settings.AutosaveInterval}");
            lines.Add($"autosave_on_changes {(settings.AutosaveOnChanges ? "true" : "false")}");
        }
        else
        {
            lines.Add("persistence false");
        }

        string? caFile = null;
        if (settings.Tls)
        {
            caFile = await CreateCertificatesAsync(directory.FullName);
            // These apply to the listener above.
            lines.Add($"cafile {caFile}");
            lines.Add($"certfile {Path.Combine(directory.FullName, "server.crt")}");
            lines.Add($"keyfile {Path.Combine(directory.FullName, "server.key")}");
            lines.Add("require_certificate false");
        }

        await File.WriteAllLinesAsync(config, lines);
        var process = ExternalProcess.Start("mosquitto", ["-c", config]);
        var broker = new Mosquitto(process, directory, config, port, caFile);
        try
        {
            await broker.WaitListeningAsync();
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    /// <summary>Output of every run of the broker so far.</summary>
    public string Output => _previousOutput + _process.Output;

    /// <summary>
    /// Stops the broker, gracefully (SIGTERM: mosquitto saves its database and exits) or as a crash (SIGKILL),
    /// and starts it again on the same port with the same configuration and database.
    /// </summary>
    public async Task RestartAsync(bool graceful)
    {
        if (graceful)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
        }
        else
        {
            await _process.KillAsync();
        }

        _previousOutput += _process.Output + "\n";
        await _process.DisposeAsync();
        _process = ExternalProcess.Start("mosquitto", ["-c", _config]);
        await WaitListeningAsync();
    }

    /// <summary>
    /// A CONNECT/CONNACK round trip on a new connection. mosquitto runs one loop and autosaves at the top of a pass,
    /// so once this returns, every packet handled before it was sent has passed an autosave check.
    /// </summary>
    public async Task RoundTripAsync()
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithCredentials(Username, Password)
            .WithClientId($"round-trip-{Guid.NewGuid():N}")
            .Build());
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptions());
    }

    /// <summary>A throwaway CA and a server certificate for 127.0.0.1 it signed; returns the CA's certificate file.</summary>
    private static async Task<string> CreateCertificatesAsync(string directory)
    {
        string In(string name) => Path.Combine(directory, name);
        await File.WriteAllTextAsync(In("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        string[][] steps =
        [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=netops-test-ca", "-days", "2",
                "-keyout", In("ca.key"), "-out", In("ca.crt")],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", In("server.key"), "-out", In("server.csr")],
            ["x509", "-req", "-in", In("server.csr"), "-CA", In("ca.crt"), "-CAkey", In("ca.key"), "-CAcreateserial", "-days", "2",
                "-extfile", In("server.ext"), "-out", In("server.crt")],
        ];
        foreach (var arguments in steps)
        {
            await using var openssl = ExternalProcess.Start("openssl", arguments);
            if (await openssl.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0)
            {
                throw new InvalidOperationException($"openssl {arguments[0]} failed:\n{openssl.Output}");
            }
        }

        // mosquitto started as root reads the key as its own user; the key is a throwaway for this broker only.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(In("server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return In("ca.crt");
    }

    private Task WaitListeningAsync() => Eventually.TrueAsync(async () =>
    {
        _process.ThrowIfExited();
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }, TimeSpan.FromSeconds(10), $"mosquitto listening on {Port}");

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
