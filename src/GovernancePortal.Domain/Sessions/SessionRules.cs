namespace GovernancePortal.Sessions;

public enum SessionState
{
    Active,
    /// <summary>Past its absolute lifetime.</summary>
    Expired,
    /// <summary>Not seen for the idle timeout.</summary>
    Idle,
}

/// <summary>How long a sign-in may last: in all, and without being seen.</summary>
public sealed record SessionLimits(TimeSpan AbsoluteLifetime, TimeSpan IdleTimeout);

/// <summary>When a session is over, and when its last-seen time is worth writing (ADR-024).</summary>
public static class SessionRules
{
    /// <summary>
    /// Last-seen is written at most once per this interval, not on every request: a page load fans out into several
    /// requests, and a write each would cost more than the session check itself. The idle timeout is as exact as this.
    /// </summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    public const int MaxUserAgent = 512;

    /// <summary>The end of a session by its lifetime: the earlier of its stored expiry and what the current setting allows.</summary>
    public static DateTimeOffset EndsAt(DateTimeOffset createdAt, DateTimeOffset expiresAt, SessionLimits limits)
    {
        var byLimit = createdAt + limits.AbsoluteLifetime;
        return expiresAt <= byLimit ? expiresAt : byLimit;
    }

    /// <summary>Whether a session may still be used at <paramref name="now"/>: the decision of every request and every revalidation.</summary>
    public static SessionState StateAt(DateTimeOffset now, DateTimeOffset createdAt, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt,
        SessionLimits limits) =>
        now >= EndsAt(createdAt, expiresAt, limits) ? SessionState.Expired
        : now - lastSeenAt >= limits.IdleTimeout ? SessionState.Idle
        : SessionState.Active;

    public static bool ShouldRecordSeen(DateTimeOffset lastSeenAt, DateTimeOffset now) => now - lastSeenAt >= LastSeenResolution;
}
