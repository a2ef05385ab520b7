using System.Diagnostics;

namespace NetOps.Snmp.Tests.Support;

/// <summary>Runs one of net-snmp's command-line tools to completion and returns what it printed.</summary>
internal static class NetSnmpTool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs <paramref name="tool"/> without MIBs (Debian ships none) and with numeric output.</summary>
    public static async Task<Result> RunAsync(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MIBS"] = string.Empty;
        info.Environment["MIBDIRS"] = string.Empty;
        foreach (var argument in new[] { "-m", string.Empty, "-M", string.Empty }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return new Result(process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
