using System.Net;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;

namespace GovernancePortal.Compliance;

public abstract class ChecklistPageTests(PortalFactory portal)
{
    private const string Baa = "hipaa-164-502-e-business-associates";

    private static string Page(string key, string version, string template = "hipaa") => $"/models/{key}/versions/{version}/compliance/{template}";

    [Fact]
    public async Task The_version_page_lists_applicable_checklists_with_reason_and_progress()
    {
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await viewer.GetDocumentAsync("/models/sepsis-early-warning/versions/1.1.0");

        var hipaa = page.QuerySelector("[data-testid=compliance-hipaa]")!;
        Assert.Contains("HIPAA applies: the model uses PHI.", hipaa.TextContent);
        Assert.Contains("Signed off", hipaa.TextContent);
        Assert.Equal(Page("sepsis-early-warning", "1.1.0"), hipaa.QuerySelector("a")!.GetAttribute("href"));
        Assert.Null(page.QuerySelector("[data-testid=compliance-gdpr]"));
        Assert.Contains("GDPR does not apply", page.QuerySelector("[data-testid=not-applicable]")!.TextContent);
    }

    [Fact]
    public async Task Who_sees_which_forms_on_the_assessment_page()
    {
        var anonymous = await PortalClient.Anonymous(portal).Http.GetAsync(Page("radiology-triage", "0.3.0"));
        var viewer = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).GetDocumentAsync(Page("radiology-triage", "0.3.0"));
        var otherOwner = await (await PortalClient.SignedInAsync(portal, "owner@demo.test")).GetDocumentAsync(Page("radiology-triage", "0.3.0"));
        var owner = await (await PortalClient.SignedInAsync(portal, "owner2@demo.test")).GetDocumentAsync(Page("radiology-triage", "0.3.0"));
        var officer = await (await PortalClient.SignedInAsync(portal, "compliance@demo.test")).GetDocumentAsync(Page("sepsis-early-warning", "1.1.0"));
        var notApplicable = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync(Page("sepsis-early-warning", "1.1.0", "gdpr"));
        var unknown = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync(Page("sepsis-early-warning", "1.1.0", "iso-42001"));

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/account/sign-in", anonymous.Headers.Location!.OriginalString);
        Assert.Equal("In progress", viewer.QuerySelector("[data-testid=assessment-status]")!.TextContent.Trim());
        Assert.Empty(viewer.QuerySelectorAll("[data-testid=answer-form]"));
        Assert.Empty(viewer.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.NotEmpty(viewer.QuerySelectorAll("[data-testid=evidence]"));
        Assert.Empty(otherOwner.QuerySelectorAll("[data-testid=answer-form]"));
        Assert.NotEmpty(owner.QuerySelectorAll("[data-testid=answer-form]"));
        Assert.NotEmpty(owner.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.NotNull(owner.QuerySelector("[data-testid=submit-for-review]"));
        Assert.Empty(owner.QuerySelectorAll("[data-testid=review-form]"));
        Assert.NotNull(owner.QuerySelector($"#item-{Baa} [data-testid=evidence-upload]"));
        Assert.Empty(officer.QuerySelectorAll("[data-testid=review-form]"));
        Assert.NotEmpty(officer.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.NotNull(officer.QuerySelector("[data-testid=signed-off]"));
        Assert.Equal(HttpStatusCode.NotFound, notApplicable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task An_evidence_file_downloads_from_the_page_link_as_an_attachment_for_the_team_only()
    {
        // Uploading is on the interactive page (AssessmentPageTests) and the API; the page's download link is a plain GET.
        var api = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(api, "page-download");
        var stored = await api.PostAsync($"{Assessment(key, "1.0.0")}/items/{Baa}/evidence",
            new MultipartFormDataContent { { new ByteArrayContent(Pdf), "file", "baa.pdf" } });
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var file = Assert.Single(await portal.WithDbAsync(db => db.AssessmentEvidence.Where(e => db.Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key)).ToListAsync()));
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var page = await owner.GetDocumentAsync(Page(key, "1.0.0"));
        Assert.Equal($"/models/{key}/versions/1.0.0/evidence/{file.Id}", page.QuerySelector($"#item-{Baa} [data-testid=evidence-file]")!.GetAttribute("href"));

        var download = await owner.Http.GetAsync($"/models/{key}/versions/1.0.0/evidence/{file.Id}");
        var viewerDownload = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync($"/models/{key}/versions/1.0.0/evidence/{file.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Redirect, viewerDownload.StatusCode);
        Assert.Contains("/account/access-denied", viewerDownload.Headers.Location!.OriginalString);
    }

}

public sealed class ChecklistPageTestsOnSqlite(SqlitePortal portal) : ChecklistPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class ChecklistPageTestsOnPostgreSql(PostgreSqlPortal portal) : ChecklistPageTests(portal), IClassFixture<PostgreSqlPortal>;
