using System.Security.Claims;

namespace NetOps.Core.Security;

/// <summary>The key an authenticator app takes (TOTP, RFC 6238): typed in as <see cref="Key"/> or read from <see cref="Uri"/>.</summary>
public sealed record AuthenticatorKey(string Account, string Key, string Uri);

/// <summary>Enrolment of a second factor, as the login pages need it (the security project implements it).</summary>
public interface ISecondFactorEnrolment
{
    /// <summary>
    /// The authenticator key of the login that waits for its second factor (<paramref name="pending"/>, the two-factor
    /// cookie's principal) and has none enrolled yet; a new key is made the first time. Null when no such login waits.
    /// </summary>
    Task<AuthenticatorKey?> KeyAsync(ClaimsPrincipal pending, CancellationToken cancellationToken);
}
