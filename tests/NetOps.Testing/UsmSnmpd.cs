using System.Net;
using NetOps.Snmp;
using Xunit;

namespace NetOps.Testing;

/// <summary>
/// A real net-snmp snmpd with SNMPv3 users on a free loopback port, with a persistent directory so that its engine
/// id survives a restart and its engine boots count up, as a rebooted device's do. It also answers v2c "public"
/// (used to know it is up). Killed on dispose, also when the test failed; fails the test when snmpd logged an
/// error other than those the test expects.
/// </summary>
public sealed class UsmSnmpd : IAsyncLifetime, IAsyncDisposable
{
    private readonly string[] _config;
    private readonly string[] _expectedErrors;
    private readonly List<string> _output = [];
    private ExternalProcess? _process;
    private string? _directory;

    /// <summary>Every user of <see cref="UsmUsers.All"/>; for xunit as a class fixture.</summary>
    public UsmSnmpd()
        : this(UsmUsers.SnmpdConfig(UsmUsers.All))
    {
    }

    private UsmSnmpd(IEnumerable<string> config, params string[] expectedErrors)
    {
        _config = [.. config];
        _expectedErrors = expectedErrors;
    }

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:PORT", as the net-snmp tools take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>A v3 target for <paramref name="security"/>.</summary>
    public SnmpTarget Target(SnmpV3Security security) =>
        new(EndPoint) { Version = SnmpVersion.V3, V3 = security, Timeout = TimeSpan.FromSeconds(2), Retries = 1 };

    /// <summary>An snmpd with the users of <paramref name="users"/>; <paramref name="expectedErrors"/> are log fragments the test provokes.</summary>
    public static async Task<UsmSnmpd> StartAsync(IEnumerable<UsmUsers.User> users, params string[] expectedErrors)
    {
        var snmpd = new UsmSnmpd(UsmUsers.SnmpdConfig(users), expectedErrors);
        await snmpd.InitializeAsync();
        return snmpd;
    }

    public async Task InitializeAsync()
    {
        Port = FreePort.Udp();
        _directory = Directory.CreateTempSubdirectory("netops-usm-snmpd-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "conf"));
        Directory.CreateDirectory(Path.Combine(_directory, "persist"));
        await File.WriteAllLinesAsync(Path.Combine(_directory, "conf", "snmpd.conf"), ["rocommunity public 127.0.0.1", .. _config]);
        try
        {
            await RunAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops snmpd gracefully (it saves its engine boots) and starts it again on the same port and directory: the
    /// engine id stays, the boots go up by one.
    /// </summary>
    public async Task RestartAsync()
    {
        var process = _process!;
        await process.StopAsync(TimeSpan.FromSeconds(10));
        _output.Add(process.Output);
        await process.DisposeAsync();
        _process = null;
        await RunAsync();
    }

    private async Task RunAsync()
    {
        // Without -C, snmpd reads the persistent snmpd.conf (engine id, boots); SNMPCONFPATH keeps /etc/snmp out.
        var process = ExternalProcess.Start("snmpd",
            ["-f", "-Lo", "-m", string.Empty, "-M", string.Empty, "-p", Path.Combine(_directory!, "snmpd.pid"), $"udp:127.0.0.1:{Port}"],
            environment: new Dictionary<string, string>
            {
                ["MIBS"] = string.Empty,
                ["SNMPCONFPATH"] = $"{Path.Combine(_directory!, "conf")}:{Path.Combine(_directory!, "persist")}",
                ["SNMP_PERSISTENT_DIR"] = Path.Combine(_directory!, "persist"),
            });
        _process = process;
        await using var client = new SnmpClient();
        var target = new SnmpTarget(EndPoint) { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 };
        await Eventually.TrueAsync(async () =>
        {
            process.ThrowIfExited();
            var uptime = await client.GetAsync(target, Oid.Parse("1.3.6.1.2.1.1.3.0"));
            return uptime.Value.Type == SnmpType.TimeTicks;
        }, TimeSpan.FromSeconds(15), "snmpd answers");
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _output.Add(process.Output);
            await process.DisposeAsync();
            _process = null;
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

            _directory = null;
        }

        var errors = string.Join('\n', _output).Split('\n')
            .Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
            .Where(l => !_expectedErrors.Any(e => l.Contains(e, StringComparison.Ordinal)))
            .ToList();
        _output.Clear();
        Assert.True(errors.Count == 0, "snmpd logged errors:\n" + string.Join('\n', errors));
    }
}
