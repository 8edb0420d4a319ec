namespace GovernancePortal.Sessions;

/// <summary>How long a sign-in lasts (ADR-024). Changes apply to sessions already open, not only to new ones.</summary>
public sealed class PortalSessionOptions
{
    public const string Section = "Sessions";

    /// <summary>A session ends this long after sign-in, however active the person is.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends when nothing was seen of it for this long (to within <see cref="SessionRules.LastSeenResolution"/>).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often an open interactive page checks that its session still exists (sign-out or revocation elsewhere).</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    public SessionLimits Limits => new(AbsoluteLifetime, IdleTimeout);
}
