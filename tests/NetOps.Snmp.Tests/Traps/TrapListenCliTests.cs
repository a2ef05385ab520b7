using System.Text;
using NetOps.Cli;
using NetOps.Snmp.Tests.Support;
using NetOps.Testing;

namespace NetOps.Snmp.Tests.Traps;

/// <summary><c>netops snmp trap-listen</c> run in-process, fed by net-snmp's snmptrap and snmpinform.</summary>
public sealed class TrapListenCliTests
{
    [Fact]
    public async Task TrapListen_PrintsEachNotificationWithItsBindings_UntilCancelled()
    {
        var port = FreePort.Udp();
        var output = new LockedWriter();
        var error = new LockedWriter();
        using var stop = new CancellationTokenSource();
        var listening = Program.RunAsync(["snmp", "trap-listen", $"udp:127.0.0.1:{port}", "-c", "public", "-u", "informs", "-l", "authPriv",
            "-a", "SHA", "-A", "auth-pass-informs", "-x", "AES", "-X", "priv-pass-informs"], output, error, stop.Token);
        await Eventually.TrueAsync(() => error.Text.Contains("Listening", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the listener starts");

        var trap = await NetSnmpTool.RunAsync("snmptrap", ["-v2c", "-c", "public", $"127.0.0.1:{port}", "12345", TrapTestSupport.LinkDown,
            .. TrapTestSupport.LinkDownArguments]);
        var inform = await NetSnmpTool.RunAsync("snmpinform", ["-v3", "-u", "informs", "-l", "authPriv", "-a", "SHA", "-A", "auth-pass-informs",
            "-x", "AES", "-X", "priv-pass-informs", "-t", "3", "-r", "1", $"127.0.0.1:{port}", "777", ".1.3.6.1.6.3.1.1.5.4"]);
        await Eventually.TrueAsync(() => output.Text.Contains(".1.3.6.1.6.3.1.1.5.4\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            "the inform is printed");
        await stop.CancelAsync();
        var code = await listening.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([0, 0, 0], [trap.ExitCode, inform.ExitCode, code]);
        var text = output.Text;
        Assert.Matches(@"UDP: \[127\.0\.0\.1\]:\d+ SNMPv2c TRAP \.1\.3\.6\.1\.6\.3\.1\.1\.5\.3\n", text);
        Assert.Contains("    .1.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45\n", text, StringComparison.Ordinal);
        Assert.Contains("    .1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.6.3.1.1.5.3\n", text, StringComparison.Ordinal);
        Assert.Contains("    .1.3.6.1.2.1.2.2.1.8.2 = INTEGER: 2\n", text, StringComparison.Ordinal);
        Assert.Matches(@"SNMPv3 INFORM user informs AuthPriv engine [0-9A-F]+ \.1\.3\.6\.1\.6\.3\.1\.1\.5\.4\n", text);
        Assert.DoesNotContain("public", text + error.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("pass-informs", text + error.Text, StringComparison.Ordinal);
        Assert.Contains("2 received, 0 malformed", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrapListen_OnAPortItMayNotBind_SaysWhyAndFails()
    {
        await using var taken = TrapTestSupport.StartReceiver();
        var error = new LockedWriter();

        var code = await Program.RunAsync(["snmp", "trap-listen", $"udp:127.0.0.1:{taken.LocalEndPoint.Port}"], new LockedWriter(), error);

        Assert.Equal(1, code);
        Assert.Contains("cannot listen on udp:127.0.0.1:", error.Text, StringComparison.Ordinal);
    }

    /// <summary>A writer the listener writes to while the test reads it.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(string? value)
        {
            Write(value + "\n");
            return Task.CompletedTask;
        }
    }
}
