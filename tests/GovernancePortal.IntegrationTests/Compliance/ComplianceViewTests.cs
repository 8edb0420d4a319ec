using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>The overview and the matrix over a known set of assessments on the demo portfolio.</summary>
public abstract class ComplianceViewTests(PortalFactory portal)
{
    private const string AuditControls = "hipaa-164-312-b-audit-controls";
    private const string Encryption = "hipaa-164-312-a-2-iv-encryption-at-rest";

    private static readonly SemaphoreSlim Seeded = new(1, 1);
    private static readonly HashSet<PortalFactory> SeededPortals = [];

    /// <summary>
    /// Sepsis 1.1.0 (Production): HIPAA signed off (the demo's), audit controls answered No. Readmission 2.0.0 (Production): the demo's HIPAA replaced by one in
    /// progress with audit controls and encryption answered No; SR 11-7 signed off 13 months ago. Claims triage 1.3.0
    /// (Production): SR 11-7 signed off last month. Sepsis 1.2.0 (Staging): nothing.
    /// </summary>
    private async Task SeedOnceAsync()
    {
        await Seeded.WaitAsync();
        try
        {
            if (!SeededPortals.Add(portal))
            {
                return;
            }
            await portal.WithDbAsync(async db =>
            {
                // The demo signs sepsis 1.1.0's HIPAA assessment off already; its audit-controls answer becomes the known No.
                var sepsis = (await RegistryQueries.FindVersionAsync(db, "sepsis-early-warning", "1.1.0"))!;
                var assessment = await db.Assessments.SingleAsync(a => a.VersionId == sepsis.Id && a.TemplateId == "hipaa");
                var demo = await db.AssessmentAnswers.SingleAsync(a => a.AssessmentId == assessment.Id && a.ItemId == AuditControls);
                demo.Answer = AnswerValue.No;
                demo.Justification = "Known gap, planned.";
                db.Audit.Record("test.answer-changed", demo, new { key = "sepsis-early-warning", version = "1.1.0", item = AuditControls });
                await db.SaveChangesAsync();
                await ComplianceTestData.SeedAsync(db, "readmission-30d", "2.0.0", "hipaa", AssessmentStatus.InProgress, null,
                    item => item.Id is AuditControls or Encryption ? AnswerValue.No : null);
                await ComplianceTestData.SeedAsync(db, "readmission-30d", "2.0.0", "sr-11-7", AssessmentStatus.SignedOff, DateTimeOffset.UtcNow.AddMonths(-13));
                await ComplianceTestData.SeedAsync(db, "claims-triage", "1.3.0", "sr-11-7", AssessmentStatus.SignedOff, DateTimeOffset.UtcNow.AddMonths(-1));
            });
        }
        finally
        {
            Seeded.Release();
        }
    }

    [Fact]
    public async Task The_overview_counts_signed_off_production_versions_frequent_nos_and_overdue_assessments()
    {
        await SeedOnceAsync();
        var production = await portal.WithDbAsync(db => db.ModelVersions.CountAsync(v => v.Stage == Stage.Production));
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await viewer.GetDocumentAsync("/compliance");

        // HIPAA applies to the two PHI models in Production; SR 11-7 to every model (a stale sign-off still counts as signed off).
        Assert.Equal("1 of 2", page.QuerySelector("[data-testid='signed-off-hipaa']")!.TextContent.Trim());
        var sr117 = await portal.WithDbAsync(db => db.Assessments.CountAsync(a => a.TemplateId == "sr-11-7" && a.Status == AssessmentStatus.SignedOff
            && db.ModelVersions.Any(v => v.Id == a.VersionId && v.Stage == Stage.Production)));
        Assert.True(sr117 >= 2);
        Assert.Equal($"{sr117} of {production}", page.QuerySelector("[data-testid='signed-off-sr-11-7']")!.TextContent.Trim());
        Assert.Equal("2", page.QuerySelector($"[data-testid='no-count-{AuditControls}']")!.TextContent.Trim());
        Assert.Equal("1", page.QuerySelector($"[data-testid='no-count-{Encryption}']")!.TextContent.Trim());
        Assert.Equal(2, page.QuerySelectorAll("[data-testid='most-often-no'] tbody tr").Length);
        Assert.Contains("in progress while the version is in Production",
            page.QuerySelector("[data-testid='overdue-readmission-30d-2.0.0-hipaa']")!.Closest("tr")!.TextContent);
        Assert.Contains("review due every 12 months", page.QuerySelector("[data-testid='overdue-readmission-30d-2.0.0-sr-11-7']")!.Closest("tr")!.TextContent);
        Assert.Contains("not started while the version is in Staging", page.QuerySelector("[data-testid='overdue-sepsis-early-warning-1.2.0-hipaa']")!.Closest("tr")!.TextContent);
        Assert.Null(page.QuerySelector("[data-testid='overdue-sepsis-early-warning-1.1.0-hipaa']"));
        Assert.Null(page.QuerySelector("[data-testid='overdue-claims-triage-1.3.0-sr-11-7']"));
        // Development versions are not overdue.
        Assert.Empty(page.QuerySelectorAll("[data-testid^='overdue-credit-default-pd-2.0.0-']"));
        Assert.Contains("older than 12 months", page.QuerySelector("[data-testid='overdue-definition']")!.TextContent);
    }

    [Fact]
    public async Task The_matrix_shows_each_version_against_each_template_and_links_to_the_assessment()
    {
        await SeedOnceAsync();
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var sepsis = await viewer.GetDocumentAsync("/models/sepsis-early-warning/compliance");
        var forecast = await viewer.GetDocumentAsync("/models/demand-forecast-stores/compliance");

        var signedOff = sepsis.QuerySelector("[data-testid='cell-1.1.0-hipaa']")!;
        Assert.Contains("Signed off", signedOff.TextContent);
        Assert.Equal("/models/sepsis-early-warning/versions/1.1.0/compliance/hipaa", signedOff.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Not started", sepsis.QuerySelector("[data-testid='cell-1.2.0-hipaa']")!.TextContent);
        Assert.Equal(3, sepsis.QuerySelectorAll("[data-testid='matrix'] thead th").Length - 1);
        Assert.Contains("does not apply", forecast.QuerySelector("[data-testid='cell-4.0.0-hipaa']")!.TextContent);
        Assert.Contains("Not started", forecast.QuerySelector("[data-testid='cell-4.0.0-sr-11-7']")!.TextContent);
        var model = await viewer.GetDocumentAsync("/models/sepsis-early-warning");
        Assert.Equal("/models/sepsis-early-warning/compliance", model.QuerySelector("[data-testid='model-compliance']")!.GetAttribute("href"));
    }
}

public sealed class ComplianceViewTestsOnSqlite(SqlitePortal portal) : ComplianceViewTests(portal), IClassFixture<SqlitePortal>;

public sealed class ComplianceViewTestsOnPostgreSql(PostgreSqlPortal portal) : ComplianceViewTests(portal), IClassFixture<PostgreSqlPortal>;
