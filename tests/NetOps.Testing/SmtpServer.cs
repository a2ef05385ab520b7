using System.Globalization;
using System.Net.Sockets;

namespace NetOps.Testing;

/// <summary>
/// Debian's aiosmtpd (python3-aiosmtpd, run by /usr/bin/python3) on a free loopback port, storing every mail it
/// receives in a maildir; killed on dispose, also when the test failed. No TLS, no authentication.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    /// <summary>Debian's python, which has the aiosmtpd package (a pyenv python on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    private readonly ExternalProcess _process;
    private readonly DirectoryInfo _directory;

    private SmtpServer(ExternalProcess process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        MailDirectory = Path.Combine(directory.FullName, "maildir");
    }

    public int Port { get; }

    /// <summary>The maildir the mails are delivered to (complete mails appear in its "new" folder).</summary>
    public string MailDirectory { get; }

    /// <summary>What the server logged so far.</summary>
    public string Output => _process.Output;

    public static async Task<SmtpServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("netops-smtp-");
        var port = FreePort.Tcp();
        var process = ExternalProcess.Start(Python,
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(directory.FullName, "maildir")]);
        var server = new SmtpServer(process, directory, port);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                process.ThrowIfExited();
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), $"aiosmtpd listening on {port}").ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>The files of the mails received so far, oldest first (maildir moves a mail into "new" once complete).</summary>
    public IReadOnlyList<string> Received()
    {
        var folder = Path.Combine(MailDirectory, "new");
        return Directory.Exists(folder)
            ? [.. new DirectoryInfo(folder).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => f.FullName)]
            : [];
    }

    /// <summary>Waits until at least <paramref name="count"/> mails arrived; returns their files, oldest first.</summary>
    public async Task<IReadOnlyList<string>> WaitForMailsAsync(int count, TimeSpan timeout)
    {
        await Eventually.TrueAsync(() => Received().Count >= count || _process.ThrowIfExited(), timeout, $"{count} mails in {MailDirectory}")
            .ConfigureAwait(false);
        return Received();
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
