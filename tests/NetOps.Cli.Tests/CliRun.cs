using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Cli.Tests;

/// <summary>What one <c>netops</c> run answered.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>
/// A data directory and a settings file naming it (as a host's appsettings.json would), and <c>netops</c> run in-process
/// against them; deleted on dispose.
/// </summary>
internal sealed class CliDataDirectory : IDisposable
{
    public CliDataDirectory(IReadOnlyDictionary<string, object>? settings = null)
    {
        Directory.CreateDirectory(Root);
        var all = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            // Relative, as in the host's own appsettings.json: resolved against the settings file's directory.
            ["Storage"] = new Dictionary<string, string> { ["DataDirectory"] = "data" },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, object>())
        {
            all[key] = value;
        }

        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(all));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "netops-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public string ConfigFile => Path.Combine(Root, "appsettings.json");

    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary>Runs <c>netops ARGS --config FILE</c> in this process with <paramref name="stdin"/> as standard input.</summary>
    public Task<CliResult> RunWithInputAsync(string stdin, params string[] args) => Cli.RunAsync(stdin, [.. args, "--config", ConfigFile]);

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still close its file a moment after the last connection; the temp directory is cleaned later.
        }
    }
}

internal static class Cli
{
    public static async Task<CliResult> RunAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Program.RunAsync(args, input, output, error, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The built <c>netops</c> as its own process, with <paramref name="environment"/>; answers its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunBinaryAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        params string[] args)
    {
        await using var process = ExternalProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "netops.dll"), .. args], workingDirectory, environment);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }
}
