using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NetOps.Core.Security;

namespace NetOps.Security;

/// <summary>
/// Logins for every page, circuit and API route: Identity's accounts in the operational database, a cookie, the role
/// policies of <see cref="NetOpsPolicies"/>, and a fallback policy that requires a login wherever a route names none.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The rate limiter policy of the login and change-password posts.</summary>
    public const string LoginRateLimit = "netops.login";

    private const string CookieOrToken = "netops.cookie-or-token";

    /// <summary>
    /// Accounts (<see cref="AccountsServiceCollectionExtensions.AddNetOpsAccounts"/>), the first admin, cookie authentication
    /// (API requests get 401/403, pages a redirect to /login), the policies and the login rate limit
    /// (<c>Security:LoginAttemptsPerMinute</c> per client address, default 5). Register <c>AddNetOpsDatabase</c> first.
    /// </summary>
    public static IServiceCollection AddNetOpsSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // A request with "Authorization: Bearer" is a script with an access token; anything else uses the login cookie.
        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieOrToken;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(CookieOrToken, CookieOrToken, scheme => scheme.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? AccessTokenHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenHandler>(AccessTokenHandler.SchemeName, null);
        authentication.AddIdentityCookies();
        // A login at an OpenID Connect provider when Security:Oidc:Authority is set; it signs in with the same cookie.
        OidcLogin.Add(services, authentication, configuration);
        services.AddScoped<AccessTokens>();
        services.TryAddSingleton(TimeProvider.System);
        // The security headers say DENY for every response; antiforgery would add a second, weaker X-Frame-Options.
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true);
        services.AddNetOpsAccounts().AddSignInManager().AddDefaultTokenProviders();
        services.Configure<SecondFactorOptions>(o => SecondFactorOptions.Bind(o, configuration));
        services.AddScoped<ISecondFactorEnrolment, SecondFactorEnrolment>();
        services.AddHostedService<InitialAdmin>();
        // A removed account or a changed password ends a session within a minute (the security stamp is checked that often),
        // and an open page as well (its circuit checks the account, its stamp and its roles as often).
        var revalidation = configuration.GetValue("Security:RevalidationInterval", TimeSpan.FromMinutes(1));
        if (revalidation <= TimeSpan.Zero || revalidation > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Security:RevalidationInterval is a time span above 0 and at most 00:01:00, not {revalidation:c}");
        }

        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = revalidation);
        services.Configure<CircuitRevalidationOptions>(o => o.RevalidationInterval = revalidation);
        services.AddScoped<AuthenticationStateProvider, CircuitRevalidation>();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "netops.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.AccessDeniedPath = "/login";
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized, null),
                OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden, "denied"),
                // These events replace Identity's, so its security stamp check is named again. A login made at the OpenID
                // Connect provider has no local account to check against (the check would end it at the first interval):
                // it lasts as long as the cookie does.
                OnValidatePrincipal = context => OidcLogin.IsOidc(context.Principal)
                    ? Task.CompletedTask
                    : SecurityStampValidator.ValidatePrincipalAsync(context),
            };
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(NetOpsPolicies.Read, p => p.RequireAuthenticatedUser().RequireRole(NetOpsPolicies.Roles[NetOpsPolicies.Read]))
            .AddPolicy(NetOpsPolicies.Network, p => p.RequireAuthenticatedUser().RequireRole(NetOpsPolicies.Roles[NetOpsPolicies.Network]))
            .AddPolicy(NetOpsPolicies.Operate, p => p.RequireAuthenticatedUser().RequireRole(NetOpsPolicies.Roles[NetOpsPolicies.Operate]))
            .AddPolicy(NetOpsPolicies.Acknowledge, p => p.RequireAuthenticatedUser().RequireRole(NetOpsPolicies.Roles[NetOpsPolicies.Acknowledge]))
            .AddPolicy(NetOpsPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(NetOpsPolicies.Roles[NetOpsPolicies.Admin]));

        var perMinute = configuration.GetValue("Security:LoginAttemptsPerMinute", 5);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return new ValueTask(context.HttpContext.Response.WriteAsync("Too many login attempts from this address; wait a minute.", cancellationToken));
            };
            limiter.AddPolicy(LoginRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    /// <summary>
    /// Authentication, authorization and the rate limiter in the pipeline (call before mapping the pages, whose antiforgery
    /// middleware must follow authentication), and the account endpoints: POST /account/login, /account/change-password,
    /// /account/logout, and GET /account/login/oidc when an OpenID Connect provider is configured.
    /// </summary>
    public static WebApplication MapNetOpsSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (ForwardedHeaders(app.Configuration) is { } forwarded)
        {
            // First: the client's address (rate limit, audit) and scheme (Secure cookies) as the proxy saw them.
            app.UseForwardedHeaders(forwarded);
        }

        app.Use(SecurityHeaders);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        AccountEndpoints.Map(app);
        OidcLogin.Map(app);
        return app;
    }

    /// <summary>
    /// Headers on every response: no MIME sniffing, never inside a frame (clickjacking of the acknowledge and simulator
    /// buttons), no referrer to other sites, forms post to this site only, and a content security policy: scripts only
    /// from this site or inline with this response's nonce (the theme, the circuit's start, the import map carry it), no
    /// plug-ins, connections (the circuit's WebSocket) only to this site. Styles may be inline: the diagram positions its
    /// nodes with style attributes.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        context.Items[ContentSecurity.NonceKey] = nonce;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; " +
            "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
        return next(context);
    }

    /// <summary>
    /// Behind a reverse proxy that terminates TLS (<c>Security:ForwardedHeaders:Enabled</c>): X-Forwarded-For and
    /// X-Forwarded-Proto are taken from the proxies named in <c>Security:ForwardedHeaders:KnownProxies</c> (addresses;
    /// default loopback, the proxy on the same host) or <c>KnownNetworks</c> (CIDR), from nobody else. Null when off.
    /// </summary>
    internal static ForwardedHeadersOptions? ForwardedHeaders(IConfiguration configuration)
    {
        var section = configuration.GetSection("Security:ForwardedHeaders");
        if (!section.GetValue("Enabled", false))
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
        };
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        if (proxies.Length > 0 || networks.Length > 0)
        {
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
        }

        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"Security:ForwardedHeaders:KnownProxies holds '{proxy}', which is not an IP address"));
        }

        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidOperationException($"Security:ForwardedHeaders:KnownNetworks holds '{network}', which is not a network in CIDR form (10.0.0.0/8)"));
        }

        return options;
    }

    /// <summary>Scripts and the Blazor hub get a status code; a browser asking for a page is sent to the login.</summary>
    private static Task Answer(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status, string? error)
    {
        if (IsApi(context.Request))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        var target = error is null ? context.RedirectUri : "/login?error=" + error;
        context.Response.Redirect(target);
        return Task.CompletedTask;
    }

    /// <summary>Requests that are not a browser navigating to a page.</summary>
    internal static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        || request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase)
        || string.Equals(request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal);
}
