using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// On a database without an admin account: the roles and an <c>admin</c> with a random password that must be changed at first
/// login. The password is printed once on the console (not through the logger, so it never reaches a log file) and written
/// to <c>initial-admin-password</c> in the data directory, readable by the owner only.
/// </summary>
internal sealed partial class InitialAdmin(IServiceScopeFactory scopes, DatabaseMigrator migrator, IConfiguration configuration,
    ILogger<InitialAdmin> logger) : IHostedService
{
    public const string UserName = "admin";
    public const string FileName = "initial-admin-password";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.WhenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var accounts = scope.ServiceProvider.GetRequiredService<Accounts>();
            await accounts.EnsureRolesAsync(cancellationToken).ConfigureAwait(false);
            // No admin, not no account: a deployment may have made its script and on-call accounts with `netops users add`
            // before the first start, and someone must still be able to manage them.
            if (await accounts.AnyAdminAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var password = Accounts.NewPassword();
            try
            {
                await accounts.CreateAsync(UserName, NetOpsRoles.Admin, password, mustChangePassword: true, eventIds: null, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                if (await accounts.AnyAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Another process sharing the database created the first account at the same moment: its password counts.
                    return;
                }

                throw;
            }

            var directory = Path.GetFullPath(configuration["Storage:DataDirectory"] is { Length: > 0 } d ? d : "data");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, FileName);
            await WriteOwnerOnlyAsync(file, password, cancellationToken).ConfigureAwait(false);
            // Console, not the logger: log files are shipped and kept; the password must appear exactly once, here.
            Console.WriteLine($"NetOps: created the account '{UserName}' with the password {password} (also in {file}); change it at the first login.");
            LogCreated(logger, UserName, file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task WriteOwnerOnlyAsync(string file, string password, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created 0600, so the password is never readable by others, not even for a moment.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(file, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(password + "\n"), cancellationToken).ConfigureAwait(false);
        }

        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its mode on FileMode.Create: set it explicitly.
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Created the first account {User}; its password was printed on the console and written to {File}")]
    private static partial void LogCreated(ILogger logger, string user, string file);
}
