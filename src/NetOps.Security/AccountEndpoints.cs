using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// The form posts behind the login and change-password pages (static pages of the dashboard). Errors travel back to the
/// page as a code in the query string (<c>?error=invalid</c>); a password never does.
/// </summary>
internal static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.LoginRateLimit).WithName("Login");
        account.MapPost("/change-password", ChangePasswordAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.LoginRateLimit)
            .WithName("ChangePassword");
        account.MapPost("/logout", LogoutAsync).WithName("Logout");
        SecondFactor.Map(account);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/login?error=expired");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = LocalOrRoot(form["returnUrl"]);
        var user = name.Length == 0 ? null : await signIn.UserManager.FindByNameAsync(name);
        if (user is null)
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.LoginFailed, "unknown account");
            return Results.Redirect(Page("/login", "invalid", returnUrl));
        }

        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (checkedPassword.IsLockedOut)
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.LoginLocked, "locked out after repeated failures");
            return Results.Redirect(Page("/login", "locked", returnUrl));
        }

        if (!checkedPassword.Succeeded)
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.LoginFailed, "wrong password");
            return Results.Redirect(Page("/login", "invalid", returnUrl));
        }

        if (user.MustChangePassword)
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.Login, "password change required first");
            // No session until the generated password is replaced: the change form asks for it again.
            return Results.Redirect(Page("/change-password", null, returnUrl) + "&user=" + Uri.EscapeDataString(name));
        }

        return await SecondFactor.SignInAsync(http, signIn, user, returnUrl);
    }

    private static async Task<IResult> ChangePasswordAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/login?error=expired");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["username"].ToString().Trim();
        var current = form["current"].ToString();
        var next = form["new"].ToString();
        var returnUrl = LocalOrRoot(form["returnUrl"]);
        var back = async (string error) =>
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.PasswordChangeFailed, error);
            return Results.Redirect(Page("/change-password", error, returnUrl) + "&user=" + Uri.EscapeDataString(name));
        };
        var user = name.Length == 0 ? null : await signIn.UserManager.FindByNameAsync(name);
        if (user is null)
        {
            return await back("invalid");
        }

        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, current, lockoutOnFailure: true);
        if (checkedPassword.IsLockedOut)
        {
            await SecurityAudit.WriteAsync(http, name, AuditActions.LoginLocked, "locked out after repeated failures");
            return Results.Redirect(Page("/login", "locked", returnUrl));
        }

        if (!checkedPassword.Succeeded)
        {
            return await back("invalid");
        }

        if (next != form["confirm"].ToString())
        {
            return await back("mismatch");
        }

        if (next == current)
        {
            return await back("same");
        }

        var changed = await signIn.UserManager.ChangePasswordAsync(user, current, next);
        if (!changed.Succeeded)
        {
            return await back("weak");
        }

        user.MustChangePassword = false;
        await signIn.UserManager.UpdateAsync(user);
        await SecurityAudit.WriteAsync(http, name, AuditActions.PasswordChanged);
        return await SecondFactor.SignInAsync(http, signIn, user, returnUrl);
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/");
        }

        await SecurityAudit.WriteAsync(http, http.User.Identity?.Name ?? "anonymous", AuditActions.Logout);
        await signIn.SignOutAsync();
        return Results.Redirect("/login?error=loggedout");
    }

    private static string Page(string path, string? error, string returnUrl) =>
        path + "?returnUrl=" + Uri.EscapeDataString(returnUrl) + (error is null ? "" : "&error=" + error);

    /// <summary>Only a path of this site: an open redirect would let a link send a fresh login anywhere.</summary>
    internal static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
