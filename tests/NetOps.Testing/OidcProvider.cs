using System.Globalization;
using System.Security.Cryptography;

namespace NetOps.Testing;

/// <summary>
/// A real OpenID Connect provider: the certified <c>oidc-provider</c> package on Node (tests/oidc-provider/server.js) on a
/// free loopback port, with one confidential client for <paramref name="redirectUri"/> and its development login form
/// (any password; the accounts alice, carol and nobody carry the claims server.js gives them). Killed on dispose, also when
/// the test failed.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private OidcProvider(ExternalProcess process, string issuer, string clientId, string clientSecret)
    {
        _process = process;
        Issuer = issuer;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    /// <summary>The folder of the provider's Node app (package.json, package-lock.json, server.js).</summary>
    public static string AppDirectory { get; } = Path.Combine(RepoPaths.Root, "tests", "oidc-provider");

    /// <summary>The issuer, <c>http://127.0.0.1:PORT</c> (no trailing slash, as the provider names itself).</summary>
    public string Issuer { get; }

    public string ClientId { get; }

    /// <summary>A random secret per run, so a test can search logs and pages for it.</summary>
    public string ClientSecret { get; }

    /// <summary>What the provider printed so far.</summary>
    public string Output => _process.Output;

    /// <summary>Errors the provider logged (server_error): a test fails on them, as with its other servers.</summary>
    public IReadOnlyList<string> Errors => [.. Output.Split('\n').Where(l => l.StartsWith("ERROR", StringComparison.Ordinal))];

    /// <summary>Starts the provider for a client whose login comes back to <paramref name="redirectUri"/> (…/signin-oidc).</summary>
    public static async Task<OidcProvider> StartAsync(Uri redirectUri, string clientId = "netops")
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (!Directory.Exists(Path.Combine(AppDirectory, "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException(
                $"{AppDirectory}/node_modules is missing: run 'npm ci' there (scripts/test.sh does, and installs Node when it is missing)");
        }

        var secret = "oidc-secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var port = FreePort.Tcp();
        var process = ExternalProcess.Start("node",
            ["server.js", port.ToString(CultureInfo.InvariantCulture), clientId, secret, redirectUri.AbsoluteUri],
            workingDirectory: AppDirectory);
        var provider = new OidcProvider(process, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", clientId, secret);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.TrueAsync(async () =>
            {
                process.ThrowIfExited();
                using var response = await http.GetAsync(new Uri(provider.Issuer + "/.well-known/openid-configuration")).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), $"the OpenID provider ready on {port}").ConfigureAwait(false);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return provider;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
