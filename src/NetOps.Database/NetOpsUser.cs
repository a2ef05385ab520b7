using Microsoft.AspNetCore.Identity;

namespace NetOps.Database;

/// <summary>A local account (ASP.NET Core Identity, table <c>users</c>); roles are in <c>user_roles</c>.</summary>
public sealed class NetOpsUser : IdentityUser
{
    /// <summary>Set on accounts created with a generated password: the first login must choose a new one.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>The events a coordinator is assigned to (ids of the inventory's events); empty for other roles.</summary>
    public List<string> EventIds { get; set; } = [];
}
