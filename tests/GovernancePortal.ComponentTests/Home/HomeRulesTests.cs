using GovernancePortal.Identity;

namespace GovernancePortal.Home;

/// <summary>The small rules the home page's parts are drawn from.</summary>
public sealed class HomeRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(23.9, 0)]
    [InlineData(24, 1)]
    [InlineData(71.9, 1)]
    [InlineData(72, 2)]
    [InlineData(167.9, 2)]
    [InlineData(168, 3)]
    [InlineData(24 * 90, 3)]
    public void Requests_fall_into_age_buckets_at_one_three_and_seven_days(double hours, int bucket)
    {
        Assert.Equal(bucket, ApprovalAge.Bucket(Now.AddHours(-hours), Now));
    }

    [Fact]
    public void Bucket_counts_add_up_to_the_requests()
    {
        var created = new[] { Now.AddHours(-1), Now.AddHours(-2), Now.AddDays(-2), Now.AddDays(-30) };

        Assert.Equal([2, 1, 0, 1], ApprovalAge.Counts(created, Now));
    }

    [Theory]
    [InlineData(0.5, "30 min")]
    [InlineData(5, "5 h")]
    [InlineData(50, "2 d")]
    public void Waiting_time_reads_in_minutes_hours_or_days(double hours, string expected)
    {
        Assert.Equal(expected, ApprovalAge.Describe(Now.AddHours(-hours), Now));
    }

    [Fact]
    public void Activity_days_are_the_last_utc_calendar_days_up_to_today_each_from_midnight_to_midnight()
    {
        var today = new DateOnly(2026, 12, 7);

        var days = HomeQueries.ActivityDays(today);

        Assert.Equal(HomeQueries.DaysOfActivity, days.Count);
        Assert.Equal(today.AddDays(1 - HomeQueries.DaysOfActivity), days[0].Day);
        Assert.Equal((today, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)), days[^1]);
        Assert.All(days.Zip(days.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
    }

    [Theory]
    [InlineData(Roles.Viewer, HomeSections.Kind.Stakeholder)]
    [InlineData(Roles.Admin, HomeSections.Kind.Stakeholder)]
    [InlineData(Roles.ModelOwner, HomeSections.Kind.Owner)]
    [InlineData(Roles.ComplianceOfficer, HomeSections.Kind.Compliance)]
    [InlineData(Roles.Auditor, HomeSections.Kind.Audit)]
    public void Each_role_has_its_part_of_the_home_page(string role, HomeSections.Kind kind)
    {
        Assert.Equal(kind, HomeSections.For([role]));
    }

    [Fact]
    public void Someone_with_several_roles_sees_each_part()
    {
        Assert.Equal(HomeSections.Kind.Owner | HomeSections.Kind.Audit, HomeSections.For([Roles.ModelOwner, Roles.Auditor, "Unknown"]));
    }
}
