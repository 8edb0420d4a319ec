namespace GovernancePortal.Demo;

/// <summary>
/// Demo data for periodic reviews (issue 15, item 8): support chat intent (Limited risk, reviewed every 24 months) went into
/// Production about 26 months ago and has never been reviewed, so its review is overdue. Limited policies do not block
/// promotions, so the rest of the demo story is unaffected.
/// </summary>
internal static class DemoReviews
{
    public const string OverdueModel = "support-chat-intent";

    /// <summary>Days a model's story starts earlier than the others'.</summary>
    public static int ExtraDays(string key) => key == OverdueModel ? 750 : 0;
}
