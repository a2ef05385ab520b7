using System.Globalization;

namespace NetOps.Testing;

/// <summary>
/// A throwaway PostgreSQL server from Debian's packages on a free loopback port, trust authentication, data in a temp
/// directory; stopped and deleted on dispose. PostgreSQL refuses to run as root, so as root it runs as user postgres.
/// </summary>
public sealed class Postgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;
    private readonly bool _asRoot;
    private ExternalProcess _process;

    private Postgres(ExternalProcess process, string directory, string bin, bool asRoot, int port)
    {
        _process = process;
        _directory = directory;
        _bin = bin;
        _asRoot = asRoot;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    public static async Task<Postgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (Debian package postgresql); the README's test command installs it");
        var directory = Directory.CreateTempSubdirectory("netops-pg-").FullName;
        var data = Path.Combine(directory, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory]).ConfigureAwait(false);
        }

        await RunAsync(asRoot ? "runuser" : Path.Combine(bin, "initdb"),
            [.. asRoot ? new[] { "-u", "postgres", "--", Path.Combine(bin, "initdb") } : [], "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"])
            .ConfigureAwait(false);
        var port = FreePort.Tcp();
        var postgres = new Postgres(Launch(bin, directory, asRoot, port), directory, bin, asRoot, port);
        try
        {
            await postgres.WaitReadyAsync().ConfigureAwait(false);
        }
        catch
        {
            await postgres.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return postgres;
    }

    /// <summary>
    /// Stops the server as an operator's restart does (fast shutdown: sessions are cut, their clients see the connection
    /// drop), waits <paramref name="down"/> with it stopped, and starts it again on the same port with the same data.
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        string[] stop = [Path.Combine(_bin, "pg_ctl"), "stop", "-D", Path.Combine(_directory, "data"), "-m", "fast", "-w"];
        await RunAsync(_asRoot ? "runuser" : stop[0], _asRoot ? ["-u", "postgres", "--", .. stop] : stop[1..]).ConfigureAwait(false);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _process.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(down).ConfigureAwait(false);
        _process = Launch(_bin, _directory, _asRoot, Port);
        await WaitReadyAsync().ConfigureAwait(false);
    }

    private static ExternalProcess Launch(string bin, string directory, bool asRoot, int port)
    {
        string[] server = [Path.Combine(bin, "postgres"), "-D", Path.Combine(directory, "data"), "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=100"];
        return asRoot ? ExternalProcess.Start("runuser", ["-u", "postgres", "--", .. server]) : ExternalProcess.Start(server[0], server[1..]);
    }

    private Task WaitReadyAsync() =>
        _process.WaitForOutputAsync("database system is ready to accept connections", TimeSpan.FromSeconds(30));

    private static async Task RunAsync(string file, string[] arguments)
    {
        await using var process = ExternalProcess.Start(file, arguments);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {code}:\n{process.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
