using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>Creates local accounts with a role (the first admin; later the CLI's <c>netops users add</c>).</summary>
public sealed class Accounts(UserManager<NetOpsUser> users, RoleManager<IdentityRole> roles)
{
    private const string Lower = "abcdefghijkmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";
    private const string Symbols = "-_.!#%+=";

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

    /// <summary>Creates an account with one role; the errors Identity gives (name taken, weak password) are thrown.</summary>
    public async Task<NetOpsUser> CreateAsync(string name, string role, string password, bool mustChangePassword,
        IEnumerable<string>? eventIds, CancellationToken cancellationToken)
    {
        if (!NetOpsRoles.All.Contains(role, StringComparer.Ordinal))
        {
            throw new ArgumentException($"role is one of {string.Join(", ", NetOpsRoles.All)}, not '{role}'", nameof(role));
        }

        await EnsureRolesAsync(cancellationToken);
        var user = new NetOpsUser { UserName = name, MustChangePassword = mustChangePassword, EventIds = [.. eventIds ?? []], LockoutEnabled = true };
        var created = await SaveOnceAsync(() => users.CreateAsync(user, password));
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"account {name} could not be created: {Describe(created)}");
        }

        var added = await SaveOnceAsync(() => users.AddToRoleAsync(user, role));
        return added.Succeeded ? user : throw new InvalidOperationException($"account {name} could not get role {role}: {Describe(added)}");
    }

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

/// <summary>Registration of the account store alone, for processes and tools that manage accounts without serving logins.</summary>
public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// Identity's user and role managers over the operational database (register <c>AddNetOpsDatabase</c> first): hashed
    /// passwords, lockout after 5 failures for 5 minutes, and <see cref="Accounts"/>.
    /// </summary>
    public static IdentityBuilder AddNetOpsAccounts(this IServiceCollection services)
    {
        // Identity's stores want a scoped context; the database hands out one per unit of work from its factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<NetOpsDbContext>>().CreateDbContext());
        services.AddScoped<Accounts>();
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
