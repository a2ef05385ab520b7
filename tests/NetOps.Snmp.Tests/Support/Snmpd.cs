using System.Net;
using NetOps.Testing;

namespace NetOps.Snmp.Tests.Support;

/// <summary>
/// A real net-snmp snmpd on a free loopback port, read community "public", no MIBs. Killed on dispose, also when
/// the test failed; a test fails when snmpd logged an error.
/// </summary>
internal sealed class Snmpd : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private Snmpd(ExternalProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:PORT", as the net-snmp tools take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public SnmpTarget Target(SnmpVersion version = SnmpVersion.V2c) =>
        new(EndPoint) { Version = version, Timeout = TimeSpan.FromSeconds(2), Retries = 1 };

    public static async Task<Snmpd> StartAsync()
    {
        var port = FreePort.Udp();
        var directory = Directory.CreateTempSubdirectory("netops-snmpd-").FullName;
        var config = Path.Combine(directory, "snmpd.conf");
        await File.WriteAllTextAsync(config, "rocommunity public 127.0.0.1\n");
        var process = ExternalProcess.Start("snmpd",
            ["-f", "-C", "-c", config, "-Lo", "-m", string.Empty, "-M", string.Empty, "-p", Path.Combine(directory, "snmpd.pid"),
             $"udp:127.0.0.1:{port}"],
            environment: new Dictionary<string, string> { ["MIBS"] = string.Empty, ["SNMP_PERSISTENT_DIR"] = directory });
        var snmpd = new Snmpd(process, directory, port);
        try
        {
            await using var client = new SnmpClient();
            var target = snmpd.Target() with { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 };
            await Eventually.TrueAsync(async () =>
            {
                process.ThrowIfExited();
                var uptime = await client.GetAsync(target, Oid.Parse("1.3.6.1.2.1.1.3.0"));
                return uptime.Value.Type == SnmpType.TimeTicks;
            }, TimeSpan.FromSeconds(15), "snmpd answers");
        }
        catch
        {
            await snmpd.DisposeAsync();
            throw;
        }

        return snmpd;
    }

    public async ValueTask DisposeAsync()
    {
        var output = _process.Output;
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        var errors = output.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(errors.Count == 0, "snmpd logged errors:\n" + string.Join('\n', errors));
    }
}
