using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class ComplianceOverdueTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static TemplateStatus Status(string templateId, AssessmentStatus? status, bool missing) => new(
        templateId, templateId.ToUpperInvariant(), 1, "applies", status, new AssessmentProgress(1, 1, 1, 0, 0),
        missing ? [new Blocker("x", "x: unanswered")] : []);

    public static TheoryData<Stage, string, AssessmentStatus?, bool, int?, string?> Cases => new()
    {
        // stage, template, status, items missing, sign-off months ago, expected reason (null: not overdue)
        { Stage.Production, "hipaa", null, true, null, "not started while the version is in Production" },
        { Stage.Staging, "hipaa", AssessmentStatus.InProgress, true, null, "in progress while the version is in Staging" },
        { Stage.Production, "gdpr", AssessmentStatus.InReview, true, null, "in review while the version is in Production" },
        { Stage.Production, "gdpr", AssessmentStatus.SignedOff, true, 1, "signed off, but items applying since are open while the version is in Production" },
        { Stage.Production, "gdpr", AssessmentStatus.SignedOff, false, 30, null },
        { Stage.Development, "hipaa", null, true, null, null },
        { Stage.Retired, "hipaa", AssessmentStatus.InProgress, true, null, null },
        { Stage.Archived, "sr-11-7", AssessmentStatus.SignedOff, false, 30, null },
        { Stage.Production, "sr-11-7", AssessmentStatus.SignedOff, false, 11, null },
        { Stage.Production, "sr-11-7", AssessmentStatus.SignedOff, false, 13, "signed off 2025-10-25; review due every 12 months" },
        { Stage.Staging, "sr-11-7", AssessmentStatus.SignedOff, false, 12, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Staging_and_production_versions_need_their_checklists_signed_off_and_sr_11_7_reviewed_yearly(
        Stage stage, string templateId, AssessmentStatus? status, bool missing, int? monthsAgo, string? expected)
    {
        var signedOffAt = monthsAgo is { } months ? Now.AddMonths(-months) : (DateTimeOffset?)null;

        Assert.Equal(expected, ComplianceOverdue.Why(stage, Status(templateId, status, missing), signedOffAt, Now));
    }
}
