using System.Globalization;

namespace NetOps.Testing;

/// <summary>
/// A throwaway PostgreSQL server from Debian's packages on a free loopback port, trust authentication, data in a temp
/// directory; stopped and deleted on dispose. PostgreSQL refuses to run as root, so as root it runs as user postgres.
/// </summary>
public sealed class Postgres : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private Postgres(ExternalProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
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
        string[] server = [Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=50"];
        var process = asRoot ? ExternalProcess.Start("runuser", ["-u", "postgres", "--", .. server]) : ExternalProcess.Start(server[0], server[1..]);
        var postgres = new Postgres(process, directory, port);
        try
        {
            await process.WaitForOutputAsync("database system is ready to accept connections", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch
        {
            await postgres.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return postgres;
    }

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
