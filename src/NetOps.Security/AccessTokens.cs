using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Security;
using NetOps.Database;

namespace NetOps.Security;

/// <summary>
/// Personal access tokens: created for an account (the token is returned once, only its SHA-256 is stored), revoked,
/// and checked on every request that carries <c>Authorization: Bearer</c>. A token acts with its account's roles.
/// </summary>
public sealed class AccessTokens(IDbContextFactory<NetOpsDbContext> contexts, UserManager<NetOpsUser> users, TimeProvider time,
    IAuditLog audit, TokenUseThrottle throttle)
{
    private const string Prefix = "netops_";

    /// <summary>Who the audit log names for tokens created or revoked through this instance: <c>system</c> unless set.</summary>
    public string Actor { get; set; } = "system";

    /// <summary>
    /// Creates a token named <paramref name="name"/> for <paramref name="userName"/>; answers the token, shown only now. A
    /// name in use by an active token is refused (<see cref="InvalidOperationException"/>); a revoked or expired token's
    /// name is taken over, its row replaced.
    /// </summary>
    public async Task<string> CreateAsync(string userName, string name, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 100)
        {
            throw new ArgumentException("a token name has at most 100 characters", nameof(name));
        }

        var user = await users.FindByNameAsync(userName) ?? throw new InvalidOperationException($"no account {userName}");
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using (context.ConfigureAwait(false))
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (await context.AccessTokens.SingleOrDefaultAsync(t => t.UserId == user.Id && t.Name == name, cancellationToken) is { } existing)
            {
                if (existing.RevokedAt is null && (existing.ExpiresAt is not { } expires || expires > now))
                {
                    throw new InvalidOperationException($"{userName} already has an active token named {name}; revoke it first");
                }

                context.AccessTokens.Remove(existing);
            }

            context.AccessTokens.Add(new AccessTokenRecord
            {
                Name = name,
                UserId = user.Id,
                Hash = Hash(token),
                CreatedAt = now,
                ExpiresAt = expiresAt?.UtcDateTime,
            });
            await context.SaveChangesAsync(cancellationToken);
        }

        await audit.WriteAsync(new AuditEvent(time.GetUtcNow(), Actor, AuditActions.TokenCreated, $"{userName}/{name}", null,
            expiresAt is { } at ? $"expires {at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : "no expiry"), cancellationToken);
        return token;
    }

    /// <summary>Revokes <paramref name="userName"/>'s token <paramref name="name"/>; false when there is none.</summary>
    public async Task<bool> RevokeAsync(string userName, string name, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            return false;
        }

        var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using (context.ConfigureAwait(false))
        {
            var now = time.GetUtcNow().UtcDateTime;
            var revoked = await context.AccessTokens.Where(t => t.UserId == user.Id && t.Name == name && t.RevokedAt == null)
                .ExecuteUpdateAsync(t => t.SetProperty(r => r.RevokedAt, now), cancellationToken) > 0;
            if (revoked)
            {
                await audit.WriteAsync(new AuditEvent(time.GetUtcNow(), Actor, AuditActions.TokenRevoked, $"{userName}/{name}", null, null), cancellationToken);
            }

            return revoked;
        }
    }

    /// <summary>The account a token stands for, or null when it is unknown, revoked, expired, or its account is locked out.</summary>
    public async Task<NetOpsUser?> FindUserAsync(string token, CancellationToken cancellationToken) =>
        (await FindAsync(token, cancellationToken))?.User;

    /// <summary>
    /// Records that <paramref name="found"/>'s token was used from <paramref name="address"/>: the first use per token and
    /// hour in this process (<see cref="TokenUseThrottle"/>), not every request.
    /// </summary>
    internal Task RecordUseAsync((NetOpsUser User, AccessTokenRecord Token) found, string? address, CancellationToken cancellationToken) =>
        throttle.ShouldRecord(found.Token.Id)
            ? audit.WriteAsync(new AuditEvent(time.GetUtcNow(), found.User.UserName ?? "", AuditActions.TokenUsed, $"{found.User.UserName}/{found.Token.Name}",
                address, null), cancellationToken)
            : Task.CompletedTask;

    /// <summary>The account and the token's row, or null as for <see cref="FindUserAsync"/>.</summary>
    internal async Task<(NetOpsUser User, AccessTokenRecord Token)?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = Hash(token);
        var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using (context.ConfigureAwait(false))
        {
            var record = await context.AccessTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Hash == hash, cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            if (record is null || record.RevokedAt is not null || (record.ExpiresAt is { } expires && expires <= now))
            {
                return null;
            }

            var user = await users.FindByIdAsync(record.UserId);
            return user is null || await users.IsLockedOutAsync(user) ? null : (user, record);
        }
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Authenticates <c>Authorization: Bearer netops_…</c> with <see cref="AccessTokens"/>.</summary>
internal sealed class AccessTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokens tokens, IUserClaimsPrincipalFactory<NetOpsUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        // The token never reaches a log line: only whether it was accepted.
        if (await tokens.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.Fail("unknown, revoked or expired access token");
        }

        var user = found.User;
        await tokens.RecordUseAsync(found, SecurityAudit.Address(Context), Context.RequestAborted);
        var principal = await principals.CreateAsync(user);
        var identity = new ClaimsIdentity(principal.Claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
