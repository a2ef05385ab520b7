using System.IO.Compression;
using System.Net;
using NetOps.Snmp;
using Xunit;

namespace NetOps.Testing;

/// <summary>
/// Debian's snmpsimd (Python, slow to start) on a free loopback port, serving snmpsim's example recordings, one
/// community per recording (the file name without .snmprec). Shared by the tests of a class (IClassFixture);
/// killed on dispose, also when tests failed. A fixture that needs fewer recordings derives and names them.
/// </summary>
public class Snmpsimd : IAsyncLifetime
{
    private const string Examples = "/usr/share/doc/snmpsim/examples/data";

    /// <summary>
    /// Recordings with static values only (public.snmprec uses variation modules whose values move). hp_perf and
    /// hp_perf2 are unsorted: snmpsim serves them in its own order, which both walkers must follow alike.
    /// </summary>
    public static readonly IReadOnlyList<string> Served =
    [
        "cisco_16_switch.snmprec.gz", "hp_perf.snmprec.gz", "hp_perf2.snmprec.gz", "bgp.snmprec",
        "recorded/linux-full-walk.snmprec.gz", "recorded/winxp-full-walk.snmprec.gz", "recorded/linksys-system.snmprec",
        "recorded/solaris-system.snmprec", "recorded/udp-endpoint-table-walk.snmprec",
    ];

    private readonly IReadOnlyList<string> _recordings;
    private ExternalProcess? _process;
    private string? _directory;

    /// <summary>Every recording in <see cref="Served"/>.</summary>
    public Snmpsimd()
        : this(Served)
    {
    }

    /// <param name="recordings">Paths below snmpsim's example data, gzipped or not; the first one answers the start probe.</param>
    protected Snmpsimd(IReadOnlyList<string> recordings)
    {
        _recordings = recordings;
    }

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:PORT", as the net-snmp tools take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The recording named <paramref name="community"/>; snmpsim answers slowly, so the timeout is generous.</summary>
    public SnmpTarget Target(string community) =>
        new(new IPEndPoint(IPAddress.Loopback, Port)) { Community = community, Timeout = TimeSpan.FromSeconds(5), Retries = 1 };

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("netops-snmpsim-").FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(_directory, "cache")).FullName;
        foreach (var recording in _recordings)
        {
            var source = Path.Combine(Examples, recording);
            var target = Path.Combine(data, Path.GetFileName(recording.EndsWith(".gz", StringComparison.Ordinal) ? recording[..^3] : recording));
            await using var input = recording.EndsWith(".gz", StringComparison.Ordinal)
                ? new GZipStream(File.OpenRead(source), CompressionMode.Decompress)
                : (Stream)File.OpenRead(source);
            await using var output = File.Create(target);
            await input.CopyToAsync(output);
        }

        // As root snmpsimd drops to nobody, which must read the data and write its index cache; the temporary
        // directory is created private to us.
        if (!OperatingSystem.IsWindows())
        {
            var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                           UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(_directory, readable);
            File.SetUnixFileMode(data, readable);
            File.SetUnixFileMode(cache, readable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        }

        Port = FreePort.Udp();
        string[] asRoot = Environment.UserName == "root" ? ["--process-user=nobody", "--process-group=nogroup"] : [];
        _process = ExternalProcess.Start("snmpsimd",
            [.. asRoot, $"--data-dir={data}", $"--cache-dir={cache}", $"--agent-udpv4-endpoint={Address}", "--logging-method=stderr"]);

        // snmpsimd indexes every recording before it listens: the first answer means all of them are served.
        try
        {
            await using var client = new SnmpClient();
            await Eventually.TrueAsync(async () =>
            {
                _process.ThrowIfExited();
                try
                {
                    await client.GetAsync(Target(CommunityOf(_recordings[0])) with { Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 },
                        Oid.Parse("1.3.6.1.2.1.1.3.0"), CancellationToken.None);
                    return true;
                }
                catch (SnmpException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "snmpsimd answers", TimeSpan.FromMilliseconds(100));
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop snmpsimd here.
            await _process.DisposeAsync();
            _process = null;
            throw;
        }
    }

    /// <summary>The community that selects a recording: its file name without .snmprec(.gz).</summary>
    public static string CommunityOf(string recording)
    {
        var name = Path.GetFileName(recording);
        name = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
        return name.EndsWith(".snmprec", StringComparison.Ordinal) ? name[..^".snmprec".Length] : name;
    }

    public async Task DisposeAsync()
    {
        var output = _process?.Output ?? string.Empty;
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        // Variation modules that need a database report "load FAILED" at start; that is not an error of ours.
        Assert.False(output.Contains("Traceback", StringComparison.Ordinal), "snmpsimd failed:\n" + output);
    }
}
