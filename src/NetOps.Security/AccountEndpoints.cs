using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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
            return Results.Redirect(Page("/login", "invalid", returnUrl));
        }

        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (checkedPassword.IsLockedOut)
        {
            return Results.Redirect(Page("/login", "locked", returnUrl));
        }

        if (!checkedPassword.Succeeded)
        {
            return Results.Redirect(Page("/login", "invalid", returnUrl));
        }

        if (user.MustChangePassword)
        {
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
        var back = (string error) => Results.Redirect(Page("/change-password", error, returnUrl) + "&user=" + Uri.EscapeDataString(name));
        var user = name.Length == 0 ? null : await signIn.UserManager.FindByNameAsync(name);
        if (user is null)
        {
            return back("invalid");
        }

        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, current, lockoutOnFailure: true);
        if (checkedPassword.IsLockedOut)
        {
            return Results.Redirect(Page("/login", "locked", returnUrl));
        }

        if (!checkedPassword.Succeeded)
        {
            return back("invalid");
        }

        if (next != form["confirm"].ToString())
        {
            return back("mismatch");
        }

        if (next == current)
        {
            return back("same");
        }

        var changed = await signIn.UserManager.ChangePasswordAsync(user, current, next);
        if (!changed.Succeeded)
        {
            return back("weak");
        }

        user.MustChangePassword = false;
        await signIn.UserManager.UpdateAsync(user);
        return await SecondFactor.SignInAsync(http, signIn, user, returnUrl);
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<NetOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Redirect("/");
        }

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
