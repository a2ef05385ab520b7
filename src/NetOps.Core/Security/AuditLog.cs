namespace NetOps.Core.Security;

/// <summary>
/// One line of the audit log: when, who (an account name, <c>cli:&lt;os user&gt;</c>, <c>system</c>, or for a failed
/// login the name that was tried), what (<see cref="AuditActions"/>), on what, from which client address (null where
/// there is none: the command line, the alert book), and a short detail. Never a password, a token or a hash.
/// </summary>
public sealed record AuditEvent(DateTimeOffset At, string Actor, string Action, string Target, string? Address, string? Detail);

/// <summary>A query of the audit log: exact actor and action when given, a time range, newest first, <see cref="Limit"/> after <see cref="Skip"/>.</summary>
public sealed record AuditQuery(string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? Until = null,
    int Limit = 100, int Skip = 0)
{
    /// <summary>The most entries one query answers.</summary>
    public const int MaxLimit = 1000;
}

/// <summary>
/// The audit log of the operational database: logins and failures, account and token changes, token use, simulator
/// actions, acknowledgements and silences. Writing never fails the action it records: a write that cannot be stored is
/// logged as an error.
/// </summary>
public interface IAuditLog
{
    /// <summary>Stores <paramref name="entry"/>.</summary>
    Task WriteAsync(AuditEvent entry, CancellationToken cancellationToken);

    /// <summary>The entries <paramref name="query"/> asks for, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> ReadAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>The actions the audit log names; the alert book's own (<c>acknowledged</c>, <c>silence created</c>, <c>silence expired</c>) keep their names.</summary>
public static class AuditActions
{
    public const string Login = "login";
    public const string LoginFailed = "login.failed";
    public const string LoginLocked = "login.locked";
    public const string SecondFactorFailed = "login.second-factor-failed";
    public const string SecondFactorEnrolled = "second-factor.enrolled";
    public const string Logout = "logout";
    public const string PasswordChanged = "password.changed";
    public const string PasswordChangeFailed = "password.change-failed";
    public const string AccountCreated = "account.created";
    public const string AccountRemoved = "account.removed";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string TokenUsed = "token.used";
    public const string Simulator = "simulator";
    public const string EventPhase = "event.phase";
    public const string EventSaved = "event.saved";
    public const string EventDeleted = "event.deleted";
    public const string Acknowledged = "acknowledged";
    public const string SilenceCreated = "silence created";
    public const string SilenceExpired = "silence expired";
}
