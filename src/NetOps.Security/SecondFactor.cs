using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// A second factor (TOTP, an authenticator app): asked of every account that enrolled one, and of admins and operators
/// when <c>Security:RequireSecondFactor</c> is set (they enrol at their next login, before they get a session). Between the
/// password and the code the login is only Identity's short-lived two-factor cookie, never a session.
/// </summary>
internal static class SecondFactor
{
    /// <summary>The roles that must have a second factor when the setting asks for one.</summary>
    public static readonly IReadOnlyList<string> RequiredRoles = [NetOpsRoles.Admin, NetOpsRoles.Operator];

    public static void Map(RouteGroupBuilder account)
    {
        account.MapPost("/second-factor", VerifyAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.LoginRateLimit).WithName("SecondFactor");
        account.MapPost("/second-factor/enrol", EnrolAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.LoginRateLimit)
            .WithName("SecondFactorEnrol");
    }

    /// <summary>
    /// The end of a good password: a session, or the second factor first (its code, or its enrolment where the setting
    /// requires one and the account has none yet).
    /// </summary>
    public static async Task<IResult> SignInAsync(HttpContext http, SignInManager<NetOpsUser> signIn, NetOpsUser user, string returnUrl)
    {
        var users = signIn.UserManager;
        var enrolled = await users.GetTwoFactorEnabledAsync(user);
        var required = http.RequestServices.GetRequiredService<IOptions<SecondFactorOptions>>().Value.Required
            && (await users.GetRolesAsync(user)).Any(RequiredRoles.Contains);
        if (!enrolled && !required)
        {
            await signIn.SignInAsync(user, isPersistent: false);
            await SecurityAudit.WriteAsync(http, user.UserName ?? user.Id, AuditActions.Login);
            return Results.Redirect(returnUrl);
        }

        // What SignInManager keeps between password and code: the account's id in the two-factor cookie.
        await http.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Id)], IdentityConstants.TwoFactorUserIdScheme)));
        return Results.Redirect((enrolled ? "/login/code" : "/login/enrol") + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
    }

    private static async Task<IResult> VerifyAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/login?error=expired");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = AccountEndpoints.LocalOrRoot(form["returnUrl"]);
        // Failed codes count towards the lockout like failed passwords.
        var pending = await signIn.GetTwoFactorAuthenticationUserAsync();
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(Code(form["code"]), isPersistent: false, rememberClient: false);
        if (pending is not null)
        {
            await SecurityAudit.WriteAsync(http, pending.UserName ?? pending.Id,
                result.Succeeded ? AuditActions.Login : result.IsLockedOut ? AuditActions.LoginLocked : AuditActions.SecondFactorFailed,
                result.Succeeded ? "with a second factor" : null);
        }

        if (result.Succeeded)
        {
            return Results.Redirect(returnUrl);
        }

        return result.IsLockedOut ? Results.Redirect("/login?error=locked")
            // Without a pending login (its cookie expired) there is nothing to try again; a wrong code keeps it pending.
            : pending is null ? Results.Redirect("/login?error=expired&returnUrl=" + Uri.EscapeDataString(returnUrl))
            : Results.Redirect("/login/code?error=invalid&returnUrl=" + Uri.EscapeDataString(returnUrl));
    }

    private static async Task<IResult> EnrolAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/login?error=expired");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = AccountEndpoints.LocalOrRoot(form["returnUrl"]);
        var users = signIn.UserManager;
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user || await users.GetTwoFactorEnabledAsync(user))
        {
            return Results.Redirect("/login?error=expired&returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Code(form["code"])))
        {
            await SecurityAudit.WriteAsync(http, user.UserName ?? user.Id, AuditActions.SecondFactorFailed, "at enrolment");
            return Results.Redirect("/login/enrol?error=invalid&returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        await users.SetTwoFactorEnabledAsync(user, enabled: true);
        await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIn.SignInAsync(user, isPersistent: false);
        await SecurityAudit.WriteAsync(http, user.UserName ?? user.Id, AuditActions.SecondFactorEnrolled);
        await SecurityAudit.WriteAsync(http, user.UserName ?? user.Id, AuditActions.Login, "with a second factor");
        return Results.Redirect(returnUrl);
    }

    /// <summary>Apps show the code as "123 456"; spaces and dashes typed with it are not part of it.</summary>
    private static string Code(string? typed) => (typed ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
}

/// <summary>The pages' view of enrolment: the waiting login's key, made once, shown until the first good code.</summary>
internal sealed class SecondFactorEnrolment(UserManager<NetOpsUser> users) : ISecondFactorEnrolment
{
    public async Task<AuthenticatorKey?> KeyAsync(ClaimsPrincipal pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (pending.FindFirstValue(ClaimTypes.Name) is not { } id || await users.FindByIdAsync(id) is not { } user
            || await users.GetTwoFactorEnabledAsync(user))
        {
            return null;
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        var name = user.UserName ?? id;
        var label = Uri.EscapeDataString("NetOps:" + name);
        return new AuthenticatorKey(name, key!, $"otpauth://totp/{label}?secret={key}&issuer=NetOps&digits=6&period=30");
    }
}

/// <summary><c>Security:RequireSecondFactor</c>: admins and operators must have a second factor.</summary>
public sealed class SecondFactorOptions
{
    public bool Required { get; set; }

    internal static void Bind(SecondFactorOptions options, IConfiguration configuration) =>
        options.Required = configuration.GetValue("Security:RequireSecondFactor", false);
}
