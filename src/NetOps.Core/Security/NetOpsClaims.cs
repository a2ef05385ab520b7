using System.Security.Claims;
using NetOps.Core.State;

namespace NetOps.Core.Security;

/// <summary>
/// The claims a NetOps login carries besides its name and roles, whatever made it (a local account, an access token, an
/// OpenID Connect provider).
/// </summary>
public static class NetOpsClaims
{
    /// <summary>One claim per event a coordinator is assigned to; the value is the inventory's event id.</summary>
    public const string Event = "netops_event";

    /// <summary>
    /// What a login may see: everything for admin, operator and oncall; a coordinator only their events (none when no
    /// event is assigned); nothing without a NetOps role.
    /// </summary>
    public static Scope ScopeOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return Scope.Nothing;
        }

        if (NetOpsRoles.All.Any(r => r != NetOpsRoles.Coordinator && user.IsInRole(r)))
        {
            return Scope.All;
        }

        return user.IsInRole(NetOpsRoles.Coordinator)
            ? new Scope(EventIds: user.FindAll(Event).Select(c => c.Value).ToHashSet(StringComparer.Ordinal), SiteIds: Scope.Nothing.SiteIds)
            : Scope.Nothing;
    }
}
