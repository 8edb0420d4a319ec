namespace GovernancePortal.Sessions;

/// <summary>The decision every request and every revalidation of an open page makes about a session.</summary>
public sealed class SessionRulesTests
{
    private static readonly SessionLimits Defaults = new(TimeSpan.FromHours(8), TimeSpan.FromHours(1));
    private static readonly DateTimeOffset SignedIn = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = SignedIn.AddHours(8);

    private static SessionState At(TimeSpan sinceSignIn, TimeSpan lastSeenAfterSignIn, SessionLimits? limits = null) =>
        SessionRules.StateAt(SignedIn + sinceSignIn, SignedIn, SignedIn + lastSeenAfterSignIn, Expires, limits ?? Defaults);

    [Fact]
    public void A_session_seen_within_the_idle_timeout_and_before_its_end_is_active()
    {
        Assert.Equal(SessionState.Active, At(TimeSpan.Zero, TimeSpan.Zero));
        Assert.Equal(SessionState.Active, At(TimeSpan.FromMinutes(59), TimeSpan.Zero));
        Assert.Equal(SessionState.Active, At(TimeSpan.FromHours(7.9), TimeSpan.FromHours(7.5)));
    }

    [Fact]
    public void A_session_not_seen_for_the_idle_timeout_is_idle_from_that_instant()
    {
        Assert.Equal(SessionState.Idle, At(TimeSpan.FromHours(1), TimeSpan.Zero));
        Assert.Equal(SessionState.Idle, At(TimeSpan.FromHours(3), TimeSpan.FromHours(1.5)));
    }

    [Fact]
    public void A_session_past_its_lifetime_is_expired_however_recently_seen()
    {
        Assert.Equal(SessionState.Expired, At(TimeSpan.FromHours(8), TimeSpan.FromHours(8)));
        Assert.Equal(SessionState.Expired, At(TimeSpan.FromHours(9), TimeSpan.FromHours(9)));
    }

    [Fact]
    public void A_shorter_lifetime_set_later_also_ends_sessions_already_open()
    {
        var shorter = Defaults with { AbsoluteLifetime = TimeSpan.FromHours(2) };

        Assert.Equal(SignedIn.AddHours(2), SessionRules.EndsAt(SignedIn, Expires, shorter));
        Assert.Equal(SessionState.Expired, At(TimeSpan.FromHours(2), TimeSpan.FromHours(1.9), shorter));
        Assert.Equal(Expires, SessionRules.EndsAt(SignedIn, Expires, Defaults with { AbsoluteLifetime = TimeSpan.FromHours(12) }));
    }

    [Fact]
    public void Last_seen_is_written_once_a_minute_at_most()
    {
        Assert.False(SessionRules.ShouldRecordSeen(SignedIn, SignedIn.AddSeconds(59)));
        Assert.True(SessionRules.ShouldRecordSeen(SignedIn, SignedIn.AddMinutes(1)));
        Assert.True(SessionRules.ShouldRecordSeen(DateTimeOffset.MinValue, SignedIn));
    }
}
