using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NetOps.Core.Security;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// A second factor (TOTP) on a host with <c>Security:RequireSecondFactor</c>: admins and operators enrol at their next login
/// and have no session before, then give a code at every login; a coordinator logs in with the password alone. The codes
/// are computed here from the key the enrolment page shows, as an authenticator app does (RFC 6238).
/// </summary>
public sealed class SecondFactorTests(SecondFactorTests.Fixture fixture) : IClassFixture<SecondFactorTests.Fixture>
{
    private AllInOneHost _host => fixture.Host;

    /// <summary>One host for the class (its start is most of the cost).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AllInOneHost Host { get; } = new("--Security:RequireSecondFactor", "true", "--Security:LoginAttemptsPerMinute", "100");

        public Task InitializeAsync() => Host.InitializeAsync();

        public Task DisposeAsync() => Host.DisposeAsync();
    }

    [Fact]
    public async Task Admin_EnrolsBeforeASession_ThenGivesACodeAtEveryLogin()
    {
        // The fixture logged the first admin in: password changed, and now waiting at the enrolment with no session.
        using var client = Client(_host.Cookies);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);
        var key = await KeyAsync(client);

        Assert.Contains("/login/enrol?error=invalid", await PostCodeAsync(client, "login/enrol", "account/second-factor/enrol", WrongCode(key)), StringComparison.Ordinal);
        Assert.Equal("/", await PostCodeAsync(client, "login/enrol", "account/second-factor/enrol", Totp(key, DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);

        // A new login: the password leads to the code, a wrong code back to it, the right one to a session.
        var cookies = new CookieContainer();
        using var again = Client(cookies);
        Assert.StartsWith("/login/code", await AllInOneHost.PostFormAsync(again, "login", "account/login",
            new() { ["username"] = "admin", ["password"] = AllInOneHost.AdminPassword }), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);
        Assert.Contains("/login/code?error=invalid", await PostCodeAsync(again, "login/code", "account/second-factor", WrongCode(key)), StringComparison.Ordinal);
        Assert.Equal("/", await PostCodeAsync(again, "login/code", "account/second-factor", Totp(key, DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);

        // Once enrolled, the enrolment page shows no key to a login waiting for its code.
        using var third = Client(new CookieContainer());
        await AllInOneHost.PostFormAsync(third, "login", "account/login", new() { ["username"] = "admin", ["password"] = AllInOneHost.AdminPassword });
        var page = await third.GetAsync(new Uri("login/enrol", UriKind.Relative));
        Assert.DoesNotContain(key, await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Operator_MustEnrol_Coordinator_NeedNot()
    {
        await SecurityTests.CreateAccountAsync(_host, "op2", NetOpsRoles.Operator, mustChange: false);
        await SecurityTests.CreateAccountAsync(_host, "co2", NetOpsRoles.Coordinator, mustChange: false, events: ["kerwe"]);

        using var op = Client(new CookieContainer());
        Assert.StartsWith("/login/enrol", await AllInOneHost.PostFormAsync(op, "login", "account/login",
            new() { ["username"] = "op2", ["password"] = SecurityTests.UserPassword }), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await op.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);

        using var co = Client(new CookieContainer());
        Assert.Equal("/", await AllInOneHost.PostFormAsync(co, "login", "account/login",
            new() { ["username"] = "co2", ["password"] = SecurityTests.UserPassword }));
        Assert.Equal(HttpStatusCode.OK, (await co.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);
    }

    private HttpClient Client(CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<string> KeyAsync(HttpClient client)
    {
        var html = await client.GetStringAsync(new Uri("login/enrol", UriKind.Relative));
        var key = Regex.Match(html, "data-key=\"([A-Z2-7]+)\"");
        Assert.True(key.Success, "no key on the enrolment page:\n" + html);
        Assert.Contains("otpauth://totp/NetOps%3Aadmin?secret=" + key.Groups[1].Value, html, StringComparison.Ordinal);
        return key.Groups[1].Value;
    }

    private static Task<string> PostCodeAsync(HttpClient client, string page, string action, string code) =>
        AllInOneHost.PostFormAsync(client, page, action, new() { ["code"] = code });

    /// <summary>A code no window around now accepts.</summary>
    private static string WrongCode(string key)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-3, 7).Select(i => Totp(key, now.AddSeconds(30 * i))).ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    /// <summary>RFC 6238: HMAC-SHA1 over the 30-second step count, dynamically truncated to six digits.</summary>
    private static string Totp(string base32Key, DateTimeOffset at)
    {
        var step = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(step, at.ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(Base32(base32Key), step);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
