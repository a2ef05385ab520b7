using NetOps.Cli.Snmp;
using NetOps.Cli.Users;

namespace NetOps.Cli;

/// <summary>The <c>netops</c> command line: the first argument names the command, the rest is the command's.</summary>
public static class Program
{
    private static readonly Dictionary<string, Func<string[], TextReader, TextWriter, TextWriter, CancellationToken, Task<int>>> Commands =
        new(StringComparer.Ordinal)
        {
            ["snmp"] = (args, _, output, error, cancellationToken) => SnmpCommand.RunAsync(args, output, error, cancellationToken),
            ["validate"] = (args, _, output, error, _) => Task.FromResult(ValidateCommand.Run(args, output, error)),
            ["users"] = UsersCommand.RunAsync,
            ["tokens"] = (args, _, output, error, cancellationToken) => TokensCommand.RunAsync(args, output, error, cancellationToken),
        };

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, Console.In, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Runs one command with its output and errors going to the given writers; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, Console.In, output, error, cancellationToken);

    /// <summary>Runs one command reading <paramref name="input"/> (<c>users add --password-stdin</c>); returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            error.WriteLine($"usage: netops <command> [arguments]; commands: {string.Join(", ", Commands.Keys)}");
            return Task.FromResult(1);
        }

        return command(args[1..], input, output, error, cancellationToken);
    }
}
