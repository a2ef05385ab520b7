using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// Local accounts with one role each: created (the first admin, the CLI's <c>netops users add</c>), listed and removed
/// (<c>netops users list|remove</c>).
/// </summary>
public sealed class Accounts(UserManager<NetOpsUser> users, RoleManager<IdentityRole> roles, NetOpsDbContext context, TimeProvider time,
    IAuditLog audit)
{
    private const string Lower = "abcdefghijkmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";
    private const string Symbols = "-_.!#%+=";

    /// <summary>Who the audit log names for the changes made through this instance (one per request or command): <c>system</c> unless set.</summary>
    public string Actor { get; set; } = "system";

    /// <summary>Creates every role of <see cref="NetOpsRoles"/> that is missing.</summary>
    public async Task EnsureRolesAsync(CancellationToken cancellationToken)
    {
        foreach (var role in NetOpsRoles.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await roles.RoleExistsAsync(role))
            {
                var created = await SaveOnceAsync(() => roles.CreateAsync(new IdentityRole(role)));
                if (!created.Succeeded && !await roles.RoleExistsAsync(role))
                {
                    throw new InvalidOperationException($"role {role} could not be created: {Describe(created)}");
                }
            }
        }
    }

    /// <summary>Whether any account exists.</summary>
    public Task<bool> AnyAsync(CancellationToken cancellationToken) => users.Users.AnyAsync(cancellationToken);

    /// <summary>Whether any account holds the admin role.</summary>
    public async Task<bool> AnyAdminAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return (await users.GetUsersInRoleAsync(NetOpsRoles.Admin)).Count > 0;
    }

    /// <summary>Creates an account with one role; the errors Identity gives (name taken, weak password) are thrown.</summary>
    public async Task<NetOpsUser> CreateAsync(string name, string role, string password, bool mustChangePassword,
        IEnumerable<string>? eventIds, CancellationToken cancellationToken)
    {
        if (!NetOpsRoles.All.Contains(role, StringComparer.Ordinal))
        {
            throw new ArgumentException($"role is one of {string.Join(", ", NetOpsRoles.All)}, not '{role}'", nameof(role));
        }

        var events = (eventIds ?? []).ToList();
        if (events.Count > 0 && role != NetOpsRoles.Coordinator)
        {
            // Only a coordinator's view is cut to events; on another role they would look like a limit that is not there.
            throw new ArgumentException($"events are assigned to coordinators only, not to {role}", nameof(eventIds));
        }

        if (events.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("an event id is empty", nameof(eventIds));
        }

        await EnsureRolesAsync(cancellationToken);
        var user = new NetOpsUser { UserName = name, MustChangePassword = mustChangePassword, EventIds = [.. events.Distinct(StringComparer.Ordinal)], LockoutEnabled = true };
        var created = await SaveOnceAsync(() => users.CreateAsync(user, password));
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"account {name} could not be created: {Describe(created)}");
        }

        var added = await SaveOnceAsync(() => users.AddToRoleAsync(user, role));
        if (!added.Succeeded)
        {
            throw new InvalidOperationException($"account {name} could not get role {role}: {Describe(added)}");
        }

        await AuditAsync(AuditActions.AccountCreated, name,
            $"role {role}" + (user.EventIds.Count > 0 ? $", events {string.Join(", ", user.EventIds)}" : "") + (mustChangePassword ? ", must change password" : ""),
            cancellationToken);
        return user;
    }

    /// <summary>Every account with its role, events, lockout and tokens (names and dates only: never a hash), by name.</summary>
    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var accounts = await context.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var rolesOf = await (from ur in context.UserRoles
                             join r in context.Roles on ur.RoleId equals r.Id
                             select new { ur.UserId, r.Name }).AsNoTracking().ToListAsync(cancellationToken);
        var tokensOf = await context.AccessTokens.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return [.. accounts.Select(u => new AccountSummary(
            u.UserName ?? "",
            [.. rolesOf.Where(r => r.UserId == u.Id && r.Name is not null).Select(r => r.Name!).Order(StringComparer.Ordinal)],
            u.EventIds,
            u.LockoutEnd is { } end && end > now,
            u.MustChangePassword,
            [.. tokensOf.Where(t => t.UserId == u.Id).Select(t => new AccessTokenSummary(t.Name, Utc(t.CreatedAt), Utc(t.ExpiresAt), Utc(t.RevokedAt)))]))];
    }

    /// <summary>
    /// Removes the account <paramref name="name"/> and, with it, its access tokens; false when there is none. The last
    /// admin is not removed (<see cref="InvalidOperationException"/>): nobody could manage accounts from the dashboard then.
    /// </summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(name);
        if (user is null)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (await users.IsInRoleAsync(user, NetOpsRoles.Admin) && (await users.GetUsersInRoleAsync(NetOpsRoles.Admin)).Count <= 1)
        {
            throw new InvalidOperationException($"{name} is the last admin; add another admin first");
        }

        // The foreign key cascades: the account's tokens go with it, in the same statement.
        var held = await users.GetRolesAsync(user);
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            throw new InvalidOperationException($"account {name} could not be removed: {Describe(deleted)}");
        }

        await AuditAsync(AuditActions.AccountRemoved, name, held.Count == 0 ? null : $"role {string.Join(", ", held)}", cancellationToken);
        return true;
    }

    private Task AuditAsync(string action, string target, string? detail, CancellationToken cancellationToken) =>
        audit.WriteAsync(new AuditEvent(time.GetUtcNow(), Actor, action, target, null, detail), cancellationToken);

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? at) => at is { } value ? Utc(value) : null;

    /// <summary>
    /// Identity checks a name is free before it writes, but two processes starting on one fresh database (roles, the
    /// first admin) can both pass that check: the second write then breaks a unique key and throws. That is a failed
    /// result like any other, and the context must forget the row it could not write, or its next save fails again.
    /// </summary>
    private static async Task<IdentityResult> SaveOnceAsync(Func<Task<IdentityResult>> save)
    {
        try
        {
            return await save();
        }
        catch (DbUpdateException e)
        {
            foreach (var entry in e.Entries)
            {
                entry.State = EntityState.Detached;
            }

            return IdentityResult.Failed(new IdentityError { Code = "ConcurrentWrite", Description = e.InnerException?.Message ?? e.Message });
        }
    }

    /// <summary>A random password of <paramref name="length"/> characters with every class Identity asks for.</summary>
    public static string NewPassword(int length = 24)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 8);
        var all = Lower + Upper + Digits + Symbols;
        var chars = new char[length];
        chars[0] = Lower[RandomNumberGenerator.GetInt32(Lower.Length)];
        chars[1] = Upper[RandomNumberGenerator.GetInt32(Upper.Length)];
        chars[2] = Digits[RandomNumberGenerator.GetInt32(Digits.Length)];
        chars[3] = Symbols[RandomNumberGenerator.GetInt32(Symbols.Length)];
        for (var i = 4; i < length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }

    internal static string Describe(IdentityResult result) => string.Join("; ", result.Errors.Select(e => e.Description));
}

/// <summary>An account as <see cref="Accounts.ListAsync"/> shows it: no password hash, no token.</summary>
public sealed record AccountSummary(string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> EventIds, bool LockedOut,
    bool MustChangePassword, IReadOnlyList<AccessTokenSummary> Tokens);

/// <summary>An access token by its name and dates; the token itself is never stored.</summary>
public sealed record AccessTokenSummary(string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether it is accepted at <paramref name="now"/>: neither revoked nor expired.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || expires > now);
}

/// <summary>Registration of the account store alone, for processes and tools that manage accounts without serving logins.</summary>
public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// The operational database (<c>AddNetOpsDatabase</c> with <paramref name="resolveCredential"/> for
    /// "Database:PasswordCredential"), <see cref="Accounts"/> and <see cref="AccessTokens"/>, without cookies, login pages or
    /// the first admin: what the <c>netops</c> command line and tests use to manage the accounts a host serves. Nothing
    /// migrates the database here unless a host runs the hosted services: a tool starts <c>DatabaseMigrator</c> itself.
    /// </summary>
    public static IServiceCollection AddNetOpsAccountStore(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, string, string>? resolveCredential = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLogging();
        // The database's options bind from the container's configuration, as in a host.
        services.TryAddSingleton(configuration);
        services.AddNetOpsDatabase(configuration, resolveCredential);
        services.TryAddSingleton(TimeProvider.System);
        services.AddNetOpsAccounts();
        services.TryAddScoped<AccessTokens>();
        return services;
    }

    /// <summary>
    /// Identity's user and role managers over the operational database (register <c>AddNetOpsDatabase</c> first): hashed
    /// passwords, lockout after 5 failures for 5 minutes, and <see cref="Accounts"/>.
    /// </summary>
    public static IdentityBuilder AddNetOpsAccounts(this IServiceCollection services)
    {
        // Identity's stores want a scoped context; the database hands out one per unit of work from its factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<NetOpsDbContext>>().CreateDbContext());
        services.AddScoped<Accounts>();
        services.TryAddSingleton<TokenUseThrottle>();
        return services.AddIdentityCore<NetOpsUser>(options =>
            {
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Password.RequiredLength = 12;
                options.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<NetOpsDbContext>()
            .AddClaimsPrincipalFactory<ClaimsFactory>();
    }
}
