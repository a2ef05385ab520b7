using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using NetOps.Core.Security;

namespace NetOps.Web.Components;

/// <summary>Who is logged in, as the alert forms need it: the name that signs an action, and whether the role may act.</summary>
internal static class Account
{
    /// <summary>The account's name (null without a login) and whether it may acknowledge and silence.</summary>
    public static async Task<(string? Name, bool MayAcknowledge)> OfAsync(Task<AuthenticationState>? authentication)
    {
        if (authentication is null || (await authentication).User is not { Identity: { IsAuthenticated: true, Name: { Length: > 0 } name } } user)
        {
            return (null, true);
        }

        return (name, MayAcknowledge(user));
    }

    public static bool MayAcknowledge(ClaimsPrincipal user) => NetOpsPolicies.Roles[NetOpsPolicies.Acknowledge].Any(user.IsInRole);
}
