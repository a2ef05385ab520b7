namespace NetOps.Core.Security;

/// <summary>The roles a NetOps account holds; names as stored in the operational database and carried in role claims.</summary>
public static class NetOpsRoles
{
    /// <summary>Users, settings, the simulator: everything.</summary>
    public const string Admin = "admin";

    /// <summary>IT staff: everything operational, acknowledge and silence.</summary>
    public const string Operator = "operator";

    /// <summary>On call: read, acknowledge and silence.</summary>
    public const string OnCall = "oncall";

    /// <summary>Security coordinators at an event: read-only, and only their events (<see cref="NetOpsClaims.ScopeOf"/>).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Every role, in order of power.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, OnCall, Coordinator];
}

/// <summary>
/// Authorization policy names the routes and pages carry; the security project defines what each requires, everyone else
/// refers to them by name only.
/// </summary>
public static class NetOpsPolicies
{
    /// <summary>Any logged-in account with a role: pages and read routes.</summary>
    public const string Read = "netops.read";

    /// <summary>
    /// admin, operator and oncall: what only makes sense for the whole network (the trap log, receivers, silences); a
    /// coordinator is refused rather than shown a part.
    /// </summary>
    public const string Network = "netops.network";

    /// <summary>admin and operator: operational changes.</summary>
    public const string Operate = "netops.operate";

    /// <summary>admin, operator and oncall: acknowledge alerts, create and expire silences.</summary>
    public const string Acknowledge = "netops.acknowledge";

    /// <summary>admin only: users, settings, the simulator.</summary>
    public const string Admin = "netops.admin";

    /// <summary>The roles each policy admits.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Read] = NetOpsRoles.All,
        [Network] = [NetOpsRoles.Admin, NetOpsRoles.Operator, NetOpsRoles.OnCall],
        [Operate] = [NetOpsRoles.Admin, NetOpsRoles.Operator],
        [Acknowledge] = [NetOpsRoles.Admin, NetOpsRoles.Operator, NetOpsRoles.OnCall],
        [Admin] = [NetOpsRoles.Admin],
    };
}

/// <summary>The content security policy's per-response nonce: the security headers make it, the page's inline scripts carry it.</summary>
public static class ContentSecurity
{
    /// <summary>The key of <c>HttpContext.Items</c> that holds this response's nonce.</summary>
    public const string NonceKey = "netops.csp-nonce";
}
