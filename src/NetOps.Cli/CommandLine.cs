using System.Globalization;

namespace NetOps.Cli;

/// <summary>
/// The argument parser every <c>netops</c> command uses: options declared with what to do with their value, read in
/// order, errors that name the option at fault. Single-dash options take their value glued or as the next argument,
/// as net-snmp's tools do (<c>-v2c</c>, <c>-v 2c</c>, <c>-Cr10</c>); double-dash ones only as the next argument.
/// </summary>
internal sealed class CommandLine
{
    private readonly List<(string Name, Action<string>? Take, Action? Flag)> _options = [];
    private Action<string>? _positional;

    /// <summary>Whether <c>-</c> alone and negative numbers (<c>-5</c>) are positional values, as a set's values are, not options.</summary>
    public bool DashValuesArePositional { get; init; }

    /// <summary>An option with a value; <paramref name="take"/> may throw <see cref="FormatException"/>, reported as the option's error.</summary>
    public CommandLine Option(string name, Action<string> take)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(take);
        _options.Add((name, take, null));
        return this;
    }

    /// <summary>Several options that take a value the same way (<c>-m</c> and <c>-M</c>).</summary>
    public CommandLine Option(IEnumerable<string> names, Action<string> take)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            Option(name, take);
        }

        return this;
    }

    /// <summary>An option without a value; it matches only as written.</summary>
    public CommandLine Flag(string name, Action set)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(set);
        _options.Add((name, null, set));
        return this;
    }

    /// <summary>What to do with an argument that is no option; without it, one is an error.</summary>
    public CommandLine Positional(Action<string> take)
    {
        _positional = take ?? throw new ArgumentNullException(nameof(take));
        return this;
    }

    /// <summary>Reads <paramref name="args"/> in order; throws <see cref="CommandLineException"/> naming the argument at fault.</summary>
    public void Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (IsPositional(arg))
            {
                if (_positional is null)
                {
                    throw new CommandLineException(arg, $"unexpected argument '{arg}'");
                }

                _positional(arg);
                continue;
            }

            var (name, take, flag) = Match(arg) ?? throw new CommandLineException(arg, $"unknown option '{arg}'");
            if (flag is not null)
            {
                flag();
                continue;
            }

            string value;
            if (arg.Length > name.Length)
            {
                value = arg[name.Length..];
            }
            else if (++i < args.Count)
            {
                value = args[i];
            }
            else
            {
                throw new CommandLineException(name, $"{name} needs a value");
            }

            try
            {
                take!(value);
            }
            catch (FormatException e) when (e is not CommandLineException)
            {
                throw new CommandLineException(name, $"{name}: {e.Message}", e);
            }
        }
    }

    /// <summary>A count (retries, repetitions, a port): digits only.</summary>
    public static int WholeNumber(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"takes a whole number, not '{value}'");

    /// <summary>A duration in seconds, fractions allowed (<c>-t 0.2</c>).</summary>
    public static TimeSpan Seconds(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) &&
            Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        throw new FormatException($"takes a number of seconds, not '{value}'");
    }

    private bool IsPositional(string arg) =>
        !arg.StartsWith('-') || (DashValuesArePositional && (arg.Length == 1 || char.IsDigit(arg[1])));

    /// <summary>The option <paramref name="arg"/> names: exactly, or for a single-dash option with a value glued on, the longest that starts it.</summary>
    private (string Name, Action<string>? Take, Action? Flag)? Match(string arg)
    {
        (string Name, Action<string>? Take, Action? Flag)? best = null;
        foreach (var option in _options)
        {
            var matches = arg == option.Name ||
                          (option.Take is not null && !option.Name.StartsWith("--", StringComparison.Ordinal) &&
                           arg.StartsWith(option.Name, StringComparison.Ordinal));
            if (matches && (best is null || option.Name.Length > best.Value.Name.Length))
            {
                best = option;
            }
        }

        return best;
    }
}

/// <summary>A command line that cannot be read; <see cref="Argument"/> is the option or argument at fault.</summary>
internal sealed class CommandLineException(string argument, string message, Exception? inner = null) : FormatException(message, inner)
{
    public string Argument { get; } = argument;
}
