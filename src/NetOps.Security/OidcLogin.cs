using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using NetOps.Core.Security;

namespace NetOps.Security;

/// <summary>
/// The login at an OpenID Connect provider (<see cref="OidcLoginOptions"/>): authorization code with PKCE; on the way back
/// the provider's claims become a NetOps login (name, roles, events) in the same application cookie a local login gets,
/// so everything downstream treats both alike. The session lives in the cookie only: no local account is created.
/// </summary>
internal static class OidcLogin
{
    public const string Scheme = "oidc";

    /// <summary>The path the login page's button links to (with <c>?returnUrl=</c>).</summary>
    public const string StartPath = "/account/login/oidc";

    /// <summary>The value of <see cref="ClaimTypes.AuthenticationMethod"/> that marks a login made at the provider.</summary>
    public const string Method = "oidc";

    /// <summary>Registers the provider's scheme, its settings' validation and the login page's button when an authority is configured.</summary>
    public static void Add(IServiceCollection services, AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var section = configuration.GetSection(OidcLoginOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(OidcLoginOptions.Authority)]))
        {
            return;
        }

        services.AddOptions<OidcLoginOptions>().BindConfiguration(OidcLoginOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcLoginOptions>, OidcLoginOptionsValidator>();
        services.AddSingleton(sp => new ExternalLogin(sp.GetRequiredService<IOptions<OidcLoginOptions>>().Value.DisplayName, StartPath));
        authentication.AddOpenIdConnect(Scheme, _ => { });
        services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<OidcLoginOptions>, ILoggerFactory>(Configure);
    }

    /// <summary>GET /account/login/oidc: off to the provider, back to a local page afterwards.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<ExternalLogin>() is null)
        {
            return;
        }

        app.MapGet(StartPath, StartAsync).AllowAnonymous().ExcludeFromDescription().WithName("LoginOidc");
    }

    private static async Task StartAsync(HttpContext http, string? returnUrl, ILoggerFactory loggers)
    {
        try
        {
            await http.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = AccountEndpoints.LocalOrRoot(returnUrl) });
        }
        catch (InvalidOperationException e) when (!http.Response.HasStarted)
        {
            // The provider's metadata could not be fetched (the provider is down or unreachable): say so on the login page
            // instead of an error page; local accounts still work.
            loggers.CreateLogger(typeof(OidcLogin).FullName!).LogWarning("OpenID Connect provider unreachable: {Reason}", e.Message);
            http.Response.Redirect("/login?error=unreachable&returnUrl=" + Uri.EscapeDataString(AccountEndpoints.LocalOrRoot(returnUrl)));
        }
    }

    /// <summary>Whether <paramref name="user"/> logged in at the provider (and so has no local account to revalidate).</summary>
    public static bool IsOidc(ClaimsPrincipal? user) =>
        user?.HasClaim(c => c.Type == ClaimTypes.AuthenticationMethod && c.Value == Method && c.Issuer == ClaimsIssuer) == true;

    /// <summary>The issuer of the claims this class makes (a local account's claims carry Identity's default, "LOCAL AUTHORITY").</summary>
    private const string ClaimsIssuer = "netops-oidc";

    private static void Configure(OpenIdConnectOptions oidc, IOptions<OidcLoginOptions> settings, ILoggerFactory loggers)
    {
        var login = settings.Value;
        var log = loggers.CreateLogger(typeof(OidcLogin).FullName!);
        oidc.Authority = login.Authority;
        oidc.ClientId = login.ClientId;
        oidc.ClientSecret = login.ReadSecret();
        oidc.RequireHttpsMetadata = login.RequireHttpsMetadata;
        oidc.CallbackPath = login.CallbackPath;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        // The code comes back on a plain GET: the correlation and nonce cookies can stay SameSite=Lax (form_post needs None,
        // which a browser keeps only on HTTPS).
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.UsePkce = true;
        oidc.SaveTokens = false;
        oidc.MapInboundClaims = false;
        oidc.SignInScheme = IdentityConstants.ApplicationScheme;
        oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
        oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        oidc.NonceCookie.SameSite = SameSiteMode.Lax;
        oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        oidc.Scope.Clear();
        foreach (var scope in login.EffectiveScopes)
        {
            oidc.Scope.Add(scope);
        }

        // Providers put groups in the id_token, the userinfo answer or both: take them from either, arrays as one claim each.
        oidc.GetClaimsFromUserInfoEndpoint = true;
        oidc.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
        oidc.ClaimActions.MapJsonKey(login.RoleClaim!, login.RoleClaim!);
        if (login.EventClaim is { Length: > 0 } eventClaim)
        {
            oidc.ClaimActions.MapJsonKey(eventClaim, eventClaim);
        }

        oidc.Events = new OpenIdConnectEvents
        {
            OnTicketReceived = async context =>
            {
                var user = ToNetOps(context.Principal!, login);
                if (user is null)
                {
                    var name = context.Principal?.FindFirst("preferred_username")?.Value ?? context.Principal?.FindFirst("sub")?.Value;
                    log.LogWarning("OpenID Connect login of {User} refused: no NetOps role in claim {RoleClaim}", name, login.RoleClaim);
                    await SecurityAudit.WriteAsync(context.HttpContext, name ?? "?", AuditActions.LoginFailed, $"at {login.DisplayName}: no NetOps role");
                    context.Response.Redirect("/login?error=norole");
                    context.HandleResponse();
                    return;
                }

                log.LogInformation("OpenID Connect login of {User} with roles {Roles} and events {Events}", user.Identity!.Name,
                    string.Join(",", user.FindAll(ClaimTypes.Role).Select(c => c.Value)),
                    string.Join(",", user.FindAll(NetOpsClaims.Event).Select(c => c.Value)));
                context.Principal = user;
                // No local account to check again, so no sliding renewal either: the login ends when its cookie does (12 h),
                // and who the provider no longer admits cannot log in again.
                context.Properties!.AllowRefresh = false;
                // The local redirect the login started with; the handler signs the cookie in with it.
                context.ReturnUri = AccountEndpoints.LocalOrRoot(context.ReturnUri);
                await SecurityAudit.WriteAsync(context.HttpContext, user.Identity!.Name ?? "?", AuditActions.Login, $"at {login.DisplayName}");
            },
            OnRemoteFailure = context =>
            {
                // The provider's error or a broken round trip (expired correlation); the message carries no secret.
                log.LogWarning("OpenID Connect login failed: {Reason}", context.Failure?.Message);
                context.Response.Redirect("/login?error=external");
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// The NetOps login for the provider's <paramref name="external"/> principal: name (preferred_username, else sub),
    /// roles from <see cref="OidcLoginOptions.RoleClaim"/> (through <see cref="OidcLoginOptions.RoleMap"/> when it is set),
    /// events from <see cref="OidcLoginOptions.EventClaim"/>; null when no value gives a NetOps role.
    /// </summary>
    public static ClaimsPrincipal? ToNetOps(ClaimsPrincipal external, OidcLoginOptions login)
    {
        ArgumentNullException.ThrowIfNull(external);
        ArgumentNullException.ThrowIfNull(login);
        var subject = external.FindFirst("sub")?.Value;
        var name = external.FindFirst("preferred_username")?.Value is { Length: > 0 } preferred ? preferred : subject;
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(name))
        {
            return null;
        }

        var roles = external.FindAll(login.RoleClaim!).Select(c => c.Value)
            .Select(v => login.RoleMap.Count > 0
                ? login.RoleMap.GetValueOrDefault(v)
                : NetOpsRoles.All.FirstOrDefault(r => string.Equals(r, v, StringComparison.Ordinal)))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            return null;
        }

        var events = login.EventClaim is { Length: > 0 } eventClaim
            ? external.FindAll(eventClaim).Select(c => c.Value).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)
            : [];
        var identity = new ClaimsIdentity(IdentityConstants.ApplicationScheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, subject, ClaimValueTypes.String, ClaimsIssuer));
        identity.AddClaim(new Claim(ClaimTypes.Name, name, ClaimValueTypes.String, ClaimsIssuer));
        identity.AddClaim(new Claim(ClaimTypes.AuthenticationMethod, Method, ClaimValueTypes.String, ClaimsIssuer));
        identity.AddClaims(roles.Select(r => new Claim(ClaimTypes.Role, r, ClaimValueTypes.String, ClaimsIssuer)));
        identity.AddClaims(events.Select(e => new Claim(NetOpsClaims.Event, e, ClaimValueTypes.String, ClaimsIssuer)));
        return new ClaimsPrincipal(identity);
    }
}
