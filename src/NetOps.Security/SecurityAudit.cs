using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;

namespace NetOps.Security;

/// <summary>The audit lines of the login posts: who (the name tried, for a failure), what, from which client address.</summary>
internal static class SecurityAudit
{
    /// <summary>The longest name tried that is kept: a pasted text in the name field is cut, not stored whole.</summary>
    private const int NameLength = 100;

    public static Task WriteAsync(HttpContext http, string actor, string action, string? detail = null)
    {
        if (http.RequestServices.GetService<IAuditLog>() is not { } log)
        {
            return Task.CompletedTask;
        }

        var time = http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var name = actor.Length <= NameLength ? actor : actor[..NameLength];
        // Not the request's token: the line is written even when the client has gone away.
        return log.WriteAsync(new AuditEvent(time.GetUtcNow(), name, action, name, Address(http), detail), CancellationToken.None);
    }

    /// <summary>The client's address as Kestrel sees it (behind a reverse proxy: the proxy's, unless the host applies forwarded headers).</summary>
    public static string? Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}

/// <summary>
/// Which token uses reach the audit log: the first per token and hour in each process. A script polling every few
/// seconds would otherwise write a line per request and drown everything else.
/// </summary>
public sealed class TokenUseThrottle(TimeProvider time)
{
    /// <summary>At most one line per token in this time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<long, DateTimeOffset> _lastRecorded = [];

    /// <summary>Whether this use of token <paramref name="tokenId"/> is to be recorded; it then counts as recorded.</summary>
    public bool ShouldRecord(long tokenId)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_lastRecorded.TryGetValue(tokenId, out var last) && now - last < Interval)
            {
                return false;
            }

            _lastRecorded[tokenId] = now;
            return true;
        }
    }
}
