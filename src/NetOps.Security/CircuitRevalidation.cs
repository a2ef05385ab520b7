using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// An open page (a Blazor circuit) keeps the login it started with: every <c>Security:RevalidationInterval</c> (default one
/// minute) the account is read again, and a circuit whose account was removed, locked out, changed its password (security
/// stamp) or lost a role is logged out: its pages are told, and the layout sends the browser to the login.
/// </summary>
internal sealed class CircuitRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity,
    IOptions<CircuitRevalidationOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        var claims = identity.Value.ClaimsIdentity;
        // An OpenID Connect login has no local account: it lives as long as its cookie does (the cookie's own check says the
        // same, by the same rule). Any other login without a security stamp is not one this host made.
        if (OidcLogin.IsOidc(user))
        {
            return user.Identity?.IsAuthenticated == true;
        }

        if (user.FindFirstValue(claims.SecurityStampClaimType) is not { } stamp)
        {
            return false;
        }

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<NetOpsUser>>();
            var account = user.FindFirstValue(claims.UserIdClaimType) is { } id ? await users.FindByIdAsync(id).ConfigureAwait(false) : null;
            if (account is null || await users.IsLockedOutAsync(account).ConfigureAwait(false)
                || !string.Equals(stamp, await users.GetSecurityStampAsync(account).ConfigureAwait(false), StringComparison.Ordinal))
            {
                return false;
            }

            // A removed role ends the page too: the roles the circuit acts with must all still be the account's.
            var roles = await users.GetRolesAsync(account).ConfigureAwait(false);
            return user.FindAll(claims.RoleClaimType).All(r => roles.Contains(r.Value, StringComparer.Ordinal));
        }
    }
}

/// <summary>How often an open page checks its login again.</summary>
public sealed class CircuitRevalidationOptions
{
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
