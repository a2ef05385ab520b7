using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>A local account's login: Identity's name and role claims, and one <see cref="NetOpsClaims.Event"/> per assigned event.</summary>
internal sealed class ClaimsFactory(UserManager<NetOpsUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<NetOpsUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(NetOpsUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaims(user.EventIds.Select(e => new Claim(NetOpsClaims.Event, e)));
        return identity;
    }
}
