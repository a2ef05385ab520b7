using Microsoft.Extensions.Options;
using NetOps.Core.Security;

namespace NetOps.Security;

/// <summary>
/// The "Security:Oidc" section: a login at an OpenID Connect provider (authorization code with PKCE) whose claims give the
/// NetOps roles and a coordinator's events. Without <see cref="Authority"/> there is no such login.
/// </summary>
public sealed class OidcLoginOptions
{
    public const string SectionName = "Security:Oidc";

    /// <summary>The provider's issuer URL; its discovery document is <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The client id NetOps is registered with at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>A file holding the client secret (read at start; the secret is never logged or shown).</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>The scopes asked for besides <c>openid</c>; <c>profile</c> when none are configured.</summary>
    public IList<string>? Scopes { get; set; }

    /// <summary>The claim whose values give the NetOps roles (e.g. <c>groups</c>, <c>roles</c>, <c>netops_roles</c>).</summary>
    public string? RoleClaim { get; set; }

    /// <summary>
    /// Provider value (a group) → NetOps role. When set, only the values it names count; when empty, a value counts when it
    /// is a NetOps role's name.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The claim whose values are a coordinator's event ids (optional).</summary>
    public string? EventClaim { get; set; }

    /// <summary>The provider's name on the login button ("Sign in with …").</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>Whether the provider's metadata must come over HTTPS; only a test provider on loopback may say false.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Where the provider sends the browser back to (registered at the provider as <c>{site}/signin-oidc</c>).</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>Whether a login at the provider is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The scopes sent: openid first, then the configured ones (or profile).</summary>
    public IReadOnlyList<string> EffectiveScopes =>
        ["openid", .. (Scopes is { Count: > 0 } ? Scopes : ["profile"]).Where(s => s is { Length: > 0 } && s != "openid").Distinct(StringComparer.Ordinal)];

    /// <summary>Every problem of the section, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            problems.Add($"{SectionName}:Authority must be the provider's issuer URL (https://…)");
        }
        else if (authority.Scheme == "http" && RequireHttpsMetadata)
        {
            problems.Add($"{SectionName}:Authority must use https (only a test provider may use http, with {SectionName}:RequireHttpsMetadata false)");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            problems.Add($"{SectionName}:ClientId is required: the client id NetOps is registered with at the provider");
        }

        if (string.IsNullOrWhiteSpace(ClientSecretFile))
        {
            problems.Add($"{SectionName}:ClientSecretFile is required: a file holding the client secret");
        }
        else if (!File.Exists(ClientSecretFile))
        {
            problems.Add($"{SectionName}:ClientSecretFile names {ClientSecretFile}, which does not exist");
        }
        else if (string.IsNullOrWhiteSpace(ReadSecret()))
        {
            problems.Add($"{SectionName}:ClientSecretFile names {ClientSecretFile}, which is empty");
        }

        if (string.IsNullOrWhiteSpace(RoleClaim))
        {
            problems.Add($"{SectionName}:RoleClaim is required: the claim whose values give the NetOps roles (e.g. groups)");
        }

        foreach (var (value, role) in RoleMap)
        {
            if (!NetOpsRoles.All.Contains(role, StringComparer.Ordinal))
            {
                problems.Add($"{SectionName}:RoleMap:{value} must be one of {string.Join(", ", NetOpsRoles.All)}, not '{role}'");
            }
        }

        if (string.IsNullOrWhiteSpace(DisplayName))
        {
            problems.Add($"{SectionName}:DisplayName must not be empty");
        }

        if (!CallbackPath.StartsWith('/'))
        {
            problems.Add($"{SectionName}:CallbackPath must be a path of this site (/signin-oidc)");
        }

        return problems;
    }

    /// <summary>The client secret: the file's text without surrounding whitespace (a trailing newline is no part of it).</summary>
    internal string ReadSecret() => File.ReadAllText(ClientSecretFile!).Trim();
}

/// <summary>Every problem of the "Security:Oidc" section, each naming its key, so that a bad value stops the host with that name.</summary>
internal sealed class OidcLoginOptionsValidator : IValidateOptions<OidcLoginOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcLoginOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
