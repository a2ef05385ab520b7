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
}

/// <summary>Debian's mosquitto on a free port with a password file; killed on dispose, also when the test failed.</summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly string _config;
    private ExternalProcess _process;
    private string _previousOutput = string.Empty;

    private Mosquitto(ExternalProcess process, DirectoryInfo directory, string config, int port)
    {
        _process = process;
        _directory = directory;
        _config = config;
        Port = port;
    }

    public const string Username = "netops";
    public const string Password = "mosquitto-test-secret";

    public int Port { get; }

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

        await File.WriteAllLinesAsync(config, lines);
        var process = ExternalProcess.Start("mosquitto", ["-c", config]);
        var broker = new Mosquitto(process, directory, config, port);
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
