using NetOps.Cli;

namespace NetOps.Snmp.Tests;

/// <summary>The one argument parser of the <c>netops</c> commands: on its own, and through each command's errors.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void SingleDashOptions_TakeTheirValueGluedOrNext_AndTheLongestNameWins()
    {
        var seen = new List<string>();
        var parser = new CommandLine()
            .Option("-C", v => seen.Add($"C={v}"))
            .Option("-Cr", v => seen.Add($"Cr={v}"))
            .Option("-v", v => seen.Add($"v={v}"))
            .Positional(v => seen.Add($"[{v}]"));

        parser.Parse(["-v2c", "-v", "3", "-Cr10", "-Cx", "host", "-C", "-v"]);

        Assert.Equal(["v=2c", "v=3", "Cr=10", "C=x", "[host]", "C=-v"], seen);
    }

    [Fact]
    public void DoubleDashOptionsAndFlags_MatchOnlyAsWritten()
    {
        string? secrets = null;
        var help = false;
        var parser = new CommandLine().Option("--secrets", v => secrets = v).Flag("-h", () => help = true);

        parser.Parse(["--secrets", "s.yaml", "-h"]);

        Assert.Equal(("s.yaml", true), (secrets, help));
        Assert.Equal("unknown option '--secretsX'", Assert.Throws<CommandLineException>(() => parser.Parse(["--secretsX"])).Message);
        Assert.Equal("unknown option '-hx'", Assert.Throws<CommandLineException>(() => parser.Parse(["-hx"])).Message);
    }

    [Fact]
    public void ALoneDashAndNegativeNumbers_AreValues_OnlyWhereTheCommandSaysSo()
    {
        var values = new List<string>();
        new CommandLine { DashValuesArePositional = true }.Positional(values.Add).Parse(["-5", "-"]);

        Assert.Equal(["-5", "-"], values);
        Assert.Equal("unknown option '-5'", Assert.Throws<CommandLineException>(() => new CommandLine().Positional(values.Add).Parse(["-5"])).Message);
    }

    [Fact]
    public void Errors_NameTheOption_UnknownMissingValueOrBadValue()
    {
        var parser = new CommandLine().Option("-t", v => CommandLine.Seconds(v)).Option("-r", v => CommandLine.WholeNumber(v));

        var unknown = Assert.Throws<CommandLineException>(() => parser.Parse(["-z"]));
        var missing = Assert.Throws<CommandLineException>(() => parser.Parse(["-t"]));
        var bad = Assert.Throws<CommandLineException>(() => parser.Parse(["-r", "x1"]));
        var positional = Assert.Throws<CommandLineException>(() => parser.Parse(["host"]));

        Assert.Equal(("-z", "unknown option '-z'"), (unknown.Argument, unknown.Message));
        Assert.Equal(("-t", "-t needs a value"), (missing.Argument, missing.Message));
        Assert.Equal(("-r", "-r: takes a whole number, not 'x1'"), (bad.Argument, bad.Message));
        Assert.Equal(("host", "unexpected argument 'host'"), (positional.Argument, positional.Message));
    }

    [Theory]
    [InlineData("unknown option '-z'", "snmp", "get", "-z", "127.0.0.1", "1.3.6.1.2.1.1.1.0")]
    [InlineData("-c needs a value", "snmp", "get", "127.0.0.1", "1.3.6.1.2.1.1.1.0", "-c")]
    [InlineData("-t: takes a number of seconds, not 'soon'", "snmp", "get", "-t", "soon", "127.0.0.1", "1.3.6.1.2.1.1.1.0")]
    [InlineData("-r: takes a whole number, not '99999999999'", "snmp", "walk", "-r", "99999999999", "127.0.0.1")]
    [InlineData("-a: unknown authentication protocol 'SHA-999'", "snmp", "get", "-v3", "-u", "ops", "-a", "SHA-999", "127.0.0.1", "1.3")]
    [InlineData("-x: unknown privacy protocol '3DES'", "snmp", "get", "-v3", "-u", "ops", "-x3DES", "127.0.0.1", "1.3")]
    [InlineData("-v: unsupported version '4' (use -v1, -v2c or -v3)", "snmp", "get", "-v4", "127.0.0.1", "1.3")]
    [InlineData("unknown option '-z'", "snmp", "trap-listen", "-z")]
    [InlineData("-p needs a value", "snmp", "trap-listen", "-p")]
    [InlineData("-A: belongs to a user: give -u USER first", "snmp", "trap-listen", "-A", "secret-pass-phrase")]
    [InlineData("-l: unknown security level 'superPriv'", "snmp", "trap-listen", "-u", "ops", "-l", "superPriv")]
    public async Task SnmpCommandErrors_NameTheOption_ThenTheUsage(string expected, params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };

        var code = await Program.RunAsync(args, output, error);

        Assert.Equal(1, code);
        Assert.StartsWith(expected + "\nusage: netops snmp ", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pass-phrase", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "validate", "dir", "--bogus")]
    [InlineData("--secrets needs a value", "validate", "dir", "--secrets")]
    [InlineData("unexpected argument 'other'", "validate", "dir", "other")]
    public async Task ValidateErrors_NameTheOption_AndExitWithTwo(string expected, params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };

        var code = await Program.RunAsync(args, output, error);

        Assert.Equal(2, code);
        Assert.StartsWith(expected + Environment.NewLine + "usage: netops validate", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateHelp_WinsOverWhatFollowsIt()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await Program.RunAsync(["validate", "-h", "--bogus"], output, error);

        Assert.Equal(0, code);
        Assert.StartsWith("usage: netops validate", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }
}
