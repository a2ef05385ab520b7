namespace NetOps.Database;

/// <summary>
/// A row of <c>access_tokens</c>: a personal access token for scripts (<c>Authorization: Bearer</c>). Only the SHA-256 of
/// the token is stored; the token itself is shown once, when it is created. Times are UTC.
/// </summary>
public sealed class AccessTokenRecord
{
    public long Id { get; set; }

    /// <summary>What the owner calls it ("grafana", "deploy script"); unique per user.</summary>
    public required string Name { get; set; }

    /// <summary>The owning account's id (<c>users.Id</c>); the token acts with that account's roles.</summary>
    public required string UserId { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string Hash { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>No access after this time; null for a token that does not expire.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>Set when revoked: no access from then on.</summary>
    public DateTime? RevokedAt { get; set; }
}
