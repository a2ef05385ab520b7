using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace NetOps.Testing;

/// <summary>Logs in to a running NetOps host through its login form, as a person would: tests and benchmarks share it.</summary>
public static class HostLogin
{
    /// <summary>
    /// Logs <paramref name="user"/> in (with the form's antiforgery token) and keeps the cookie in <paramref name="cookies"/>.
    /// For <c>admin</c> on a fresh database: the generated password from <paramref name="dataDirectory"/>, then the
    /// change to <paramref name="password"/>. Answers the last redirect's target.
    /// </summary>
    public static async Task<string> LogInAsync(Uri baseAddress, CookieContainer cookies, string dataDirectory, string user, string password)
    {
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
        var target = await PostFormAsync(client, "login", "account/login", new() { ["username"] = user, ["password"] = password }).ConfigureAwait(false);
        var generated = Path.Combine(dataDirectory, "initial-admin-password");
        if (target.Contains("error=invalid", StringComparison.Ordinal) && user == "admin" && File.Exists(generated))
        {
            var first = (await File.ReadAllTextAsync(generated).ConfigureAwait(false)).Trim();
            target = await PostFormAsync(client, "login", "account/login", new() { ["username"] = user, ["password"] = first }).ConfigureAwait(false);
            if (target.StartsWith("/change-password", StringComparison.Ordinal))
            {
                target = await PostFormAsync(client, target.TrimStart('/'), "account/change-password", new()
                {
                    ["username"] = user,
                    ["current"] = first,
                    ["new"] = password,
                    ["confirm"] = password,
                }).ConfigureAwait(false);
            }
        }

        return target;
    }

    /// <summary>Reads the form's antiforgery token from <paramref name="page"/>, posts the fields, answers the redirect's target.</summary>
    public static async Task<string> PostFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(fields);
        var html = await client.GetStringAsync(new Uri(page, UriKind.Relative)).ConfigureAwait(false);
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"");
        Assert.True(token.Success, $"no antiforgery token on /{page}:\n{html}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var response = await client.PostAsync(new Uri(action, UriKind.Relative), new FormUrlEncodedContent(fields)).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Redirect
            ? response.Headers.Location?.OriginalString ?? ""
            : $"{(int)response.StatusCode}";
    }
}
