using NetOps.Inventory;

namespace NetOps.Cli;

/// <summary><c>netops validate DIR [--secrets FILE]</c>: checks an inventory directory as the service would load it.</summary>
public static class ValidateCommand
{
    private const string Usage = "usage: netops validate DIR [--secrets FILE]";

    /// <summary>Prints every error as <c>file:line: field: message</c> and returns 1, or a one-line summary and 0.</summary>
    /// <remarks>Arguments may start with the word "validate" or not. Returns 2 for a usage error.</remarks>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var rest = args.Length > 0 && args[0] == "validate" ? args[1..] : args;
        string? directory = null;
        string? secrets = null;
        var help = false;
        try
        {
            new CommandLine()
                .Option("--secrets", value => secrets = value)
                .Flag("-h", () => help = true)
                .Flag("--help", () => help = true)
                .Positional(value => directory = directory is null ? value : throw new CommandLineException(value, $"unexpected argument '{value}'"))
                .Parse(rest);
        }
        catch (CommandLineException e) when (!help)
        {
            stderr.WriteLine(e.Message);
            stderr.WriteLine(Usage);
            return 2;
        }
        catch (CommandLineException)
        {
            // An error after -h: help is what was asked for, as before anything else was read.
        }

        if (help)
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        if (directory is null)
        {
            stderr.WriteLine(Usage);
            return 2;
        }

        if (secrets is not null && !File.Exists(secrets))
        {
            stderr.WriteLine($"{secrets}: secrets file not found");
            return 1;
        }

        var loader = new InventoryLoader(new CredentialStore(secrets), TimeProvider.System);
        var result = loader.LoadDirectoryAsync(directory, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Inventory is not { } inventory)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine(error);
            }

            stderr.WriteLine($"{result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
            return 1;
        }

        stdout.WriteLine($"{directory}: OK, {InventorySummary.Of(inventory)}");
        return 0;
    }
}
