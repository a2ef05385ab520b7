using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>What the host does with a bad configuration: it stops at start and names the key.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task BadOptionValue_StopsTheHostAtStart_NamingTheKey()
    {
        var output = RepoPaths.Output("NetOps.Host");
        var data = Path.Combine(Path.GetTempPath(), "netops-badoption-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var process = ExternalProcess.Start("dotnet", [
                Path.Combine(output, "NetOps.Host.dll"),
                "--urls", $"http://127.0.0.1:{FreePort.Tcp()}",
                "--Inventory:Directory", Path.Combine(RepoPaths.Root, "config", "inventory"),
                "--Inventory:SecretsFile", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"),
                "--Storage:DataDirectory", data,
                "--Serilog:WriteTo:1:Args:path", Path.Combine(data, "logs", "netops-.log"),
                "--Mqtt:Port", "70000",
            ], workingDirectory: output);

            await Eventually.TrueAsync(() => process.HasExited, TimeSpan.FromSeconds(60), "the host to stop on a bad Mqtt:Port\n" + process.Output);
            Assert.Contains("NetOps stopped", process.Output, StringComparison.Ordinal);
            Assert.Contains("Mqtt:Port must be 1..65535", process.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
