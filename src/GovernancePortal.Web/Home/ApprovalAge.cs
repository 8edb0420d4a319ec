namespace GovernancePortal.Home;

/// <summary>How long promotion requests have been waiting, in the buckets a compliance officer plans by.</summary>
public static class ApprovalAge
{
    public static readonly IReadOnlyList<string> Buckets = ["Under a day", "1–3 days", "3–7 days", "Over 7 days"];

    public static int Bucket(DateTimeOffset createdAt, DateTimeOffset now) => (now - createdAt) switch
    {
        var age when age < TimeSpan.FromDays(1) => 0,
        var age when age < TimeSpan.FromDays(3) => 1,
        var age when age < TimeSpan.FromDays(7) => 2,
        _ => 3,
    };

    public static int[] Counts(IEnumerable<DateTimeOffset> createdAt, DateTimeOffset now)
    {
        var counts = new int[Buckets.Count];
        foreach (var created in createdAt)
        {
            counts[Bucket(created, now)]++;
        }
        return counts;
    }

    /// <summary>"3 h", "2 d": how long something has waited, for a work list.</summary>
    public static string Describe(DateTimeOffset since, DateTimeOffset now) => (now - since) switch
    {
        var age when age < TimeSpan.FromHours(1) => $"{Math.Max(0, (int)age.TotalMinutes)} min",
        var age when age < TimeSpan.FromDays(1) => $"{(int)age.TotalHours} h",
        var age => $"{(int)age.TotalDays} d",
    };
}
