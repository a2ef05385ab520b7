using System.Globalization;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>What the host does with a bad configuration: it stops at start and names the key.</summary>
public sealed class StartupTests
{
    [Fact]
    public Task BadOptionValue_StopsTheHostAtStart_NamingTheKey() =>
        StopsAtStartAsync("Mqtt:Port must be 1..65535", "--Mqtt:Port", "70000");

    [Fact]
    public Task MissingOidcClientSecretFile_StopsTheHostAtStart_NamingTheSetting() =>
        StopsAtStartAsync("Security:Oidc:ClientSecretFile is required",
            "--Security:Oidc:Authority", "https://id.example.org/realms/netops",
            "--Security:Oidc:ClientId", "netops",
            "--Security:Oidc:RoleClaim", "groups");

    /// <summary>Starts the host with <paramref name="settings"/> and expects it to stop by itself, saying <paramref name="expected"/>.</summary>
    private static async Task StopsAtStartAsync(string expected, params string[] settings)
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
                "--Mqtt:Port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
                // A test's own settings come last: on the command line the last value of a key wins.
                .. settings,
            ], workingDirectory: output);

            // Waits for the output to drain too: the process can have exited before its last lines were read.
            await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("NetOps stopped", process.Output, StringComparison.Ordinal);
            Assert.Contains(expected, process.Output, StringComparison.Ordinal);
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
