using System.Net;
using System.Text;
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
    public async Task A_new_version_starts_on_the_page_from_the_previous_answers_each_marked_until_confirmed()
    {
        var api = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(api, "carry-over-page", "1.0.0", "1.1.0");
        await SignedOffAsync(api, await ApiAsync(portal, "compliance@demo.test"), key, "1.0.0");
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var empty = await owner.GetDocumentAsync(Page(key, "1.1.0"));
        Assert.Contains("Start from 1.0.0's answers", empty.QuerySelector("[data-testid=carry-over]")!.TextContent);

        var started = await owner.PostFormAsync(Page(key, "1.1.0"), empty, new() { ["_handler"] = "start-carry-over" });
        var carried = await owner.GetDocumentAsync(Page(key, "1.1.0"));
        var items = carried.QuerySelectorAll("[data-testid^=item-]").Where(e => e.GetAttribute("data-testid") != "item-error").ToList();

        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.NotEmpty(items);
        Assert.All(items, item => Assert.Contains("Carried over — confirm", item.TextContent));
        Assert.Equal(items.Count, carried.QuerySelectorAll("[data-testid=confirm]").Length);

        var confirmed = await owner.PostFormAsync(Page(key, "1.1.0"), carried, new() { ["_handler"] = $"confirm-{Baa}" });
        var after = await owner.GetDocumentAsync(Page(key, "1.1.0"));

        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.DoesNotContain("Carried over — confirm", after.QuerySelector($"[data-testid=item-{Baa}]")!.TextContent);
        Assert.Equal(items.Count - 1, after.QuerySelectorAll("[data-testid=confirm]").Length);
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "assessment.answer-confirmed" && e.Payload.Contains(Baa) && e.Payload.Contains(key))));
    }

    [Fact]
    public async Task The_register_form_sets_the_regulatory_flags_which_decide_the_checklists()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var form = await owner.GetDocumentAsync("/models/new");

        var created = await owner.PostFormAsync("/models/new", form, new()
        {
            ["_handler"] = "register-model", ["Input.Key"] = "eu-loan-decisions", ["Input.Name"] = "EU loan decisions", ["Input.Owner"] = "owner@demo.test",
            ["Input.RiskTier"] = "High", ["Input.PersonalData"] = "true", ["Input.EuDataSubjects"] = "true", ["Input.AutomatedLegalEffect"] = "true",
        });
        var model = await owner.GetDocumentAsync("/models/eu-loan-decisions");

        Assert.NotNull(form.QuerySelector("input[name='Input.EuDataSubjects'][type=checkbox]"));
        Assert.NotNull(form.QuerySelector("input[name='Input.AutomatedLegalEffect'][type=checkbox]"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("Yes", model.QuerySelector("dd[data-testid=eu-data-subjects]")!.TextContent);
        Assert.Equal("Yes", model.QuerySelector("dd[data-testid=automated-legal-effect]")!.TextContent);
        var flags = await portal.WithDbAsync(db => db.Models.Where(m => m.Key == "eu-loan-decisions").Select(m => new { m.EuDataSubjects, m.AutomatedLegalEffect }).SingleAsync());
        Assert.True(flags.EuDataSubjects && flags.AutomatedLegalEffect);
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
        var upload = owner.QuerySelector($"#item-{Baa} form[enctype='multipart/form-data']")!;
        Assert.NotNull(upload.QuerySelector("input[name=__RequestVerificationToken]"));
        Assert.Empty(officer.QuerySelectorAll("[data-testid=review-form]"));
        Assert.NotEmpty(officer.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.NotNull(officer.QuerySelector("[data-testid=signed-off]"));
        Assert.Equal(HttpStatusCode.NotFound, notApplicable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task An_owner_answers_by_form_and_a_missing_justification_is_shown_beside_the_item()
    {
        var api = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(api, "page-answers");
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var page = await owner.GetDocumentAsync(Page(key, "1.0.0"));

        var refused = await owner.PostFormAsync(Page(key, "1.0.0"), page, new() { ["_handler"] = $"answer-{Baa}", ["Answer"] = "No", ["Justification"] = "", ["Revision"] = "0" });
        var refusedPage = PortalClient.Parse(await refused.Content.ReadAsStringAsync());
        var saved = await owner.PostFormAsync(Page(key, "1.0.0"), page, new() { ["_handler"] = $"answer-{Baa}", ["Answer"] = "No", ["Justification"] = "BAA under negotiation.", ["Revision"] = "0" });
        var after = await owner.GetDocumentAsync(Page(key, "1.0.0"));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("justification is required", refusedPage.QuerySelector($"#item-{Baa} [data-testid=item-error]")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.EndsWith($"#item-{Baa}", saved.Headers.Location!.OriginalString);
        Assert.Contains("BAA under negotiation.", after.QuerySelector($"#item-{Baa} [data-testid=answer]")!.TextContent);
        Assert.Equal("1/", after.QuerySelector("[data-testid=progress]")!.TextContent[..2]);
        Assert.Single(await portal.WithDbAsync(db => db.AssessmentAnswers.Where(a => a.ItemId == Baa && db.Assessments.Any(x => x.Id == a.AssessmentId && x.Version.Model.Key == key)).ToListAsync()));
    }

    [Fact]
    public async Task The_upload_form_needs_its_antiforgery_token_and_stores_a_checked_file()
    {
        var api = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(api, "page-upload");
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var page = await owner.GetDocumentAsync(Page(key, "1.0.0"));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var url = $"{Page(key, "1.0.0")}/items/{Baa}/evidence";

        MultipartFormDataContent Form(byte[] bytes, string name, bool withToken)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } };
            if (withToken)
            {
                form.Add(new StringContent(token), "__RequestVerificationToken");
            }
            return form;
        }

        var forged = await owner.Http.PostAsync(url, Form(Pdf, "baa.pdf", withToken: false));
        var wrongType = await owner.Http.PostAsync(url, Form(Encoding.UTF8.GetBytes("<svg onload=alert(1)>"), "baa.pdf", withToken: true));
        var wrongTypePage = await owner.GetDocumentAsync(Page(key, "1.0.0"));
        var stored = await owner.Http.PostAsync(url, Form(Pdf, "baa.pdf", withToken: true));
        var viewerTry = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.PostAsync(url, Form(Pdf, "baa.pdf", withToken: false));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, wrongType.StatusCode);
        Assert.Contains("not a PDF", wrongTypePage.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, stored.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, viewerTry.StatusCode);
        var evidence = await portal.WithDbAsync(db => db.AssessmentEvidence.Where(e => db.Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key)).ToListAsync());
        var file = Assert.Single(evidence);
        var download = await owner.Http.GetAsync($"/models/{key}/versions/1.0.0/evidence/{file.Id}");
        var viewerDownload = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync($"/models/{key}/versions/1.0.0/evidence/{file.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Redirect, viewerDownload.StatusCode);
        Assert.Contains("/account/access-denied", viewerDownload.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_officer_reviews_by_form_and_the_owner_sees_the_requested_change()
    {
        var api = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(api, "page-review");
        await CompleteAsync(api, key, "1.0.0");
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var submitPage = await owner.GetDocumentAsync(Page(key, "1.0.0"));
        var submitted = await owner.PostFormAsync(Page(key, "1.0.0"), submitPage, new() { ["_handler"] = "submit" });
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var reviewPage = await officer.GetDocumentAsync(Page(key, "1.0.0"));
        var revision = reviewPage.QuerySelector($"#item-{Baa} input[name=AnswerRevision]")!.GetAttribute("value")!;

        var noComment = await officer.PostFormAsync(Page(key, "1.0.0"), reviewPage, new() { ["_handler"] = $"review-{Baa}", ["Decision"] = "ChangesRequested", ["AnswerRevision"] = revision });
        var requested = await officer.PostFormAsync(Page(key, "1.0.0"), reviewPage,
            new() { ["_handler"] = $"review-{Baa}", ["Decision"] = "ChangesRequested", ["Comment"] = "Attach the countersigned BAA.", ["AnswerRevision"] = revision });
        var ownerView = await owner.GetDocumentAsync(Page(key, "1.0.0"));

        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, noComment.StatusCode);
        Assert.Contains("comment is required", PortalClient.Parse(await noComment.Content.ReadAsStringAsync()).QuerySelector($"#item-{Baa} [data-testid=item-error]")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, requested.StatusCode);
        Assert.Equal("Attach the countersigned BAA.", ownerView.QuerySelector($"#item-{Baa} [data-testid=review-comment]")!.TextContent);
        Assert.Contains("Changes requested", ownerView.QuerySelector($"#item-{Baa} [data-testid=review]")!.TextContent);
        Assert.Contains("changes requested", ownerView.QuerySelector("[data-testid=missing]")!.TextContent);
    }
}

public sealed class ChecklistPageTestsOnSqlite(SqlitePortal portal) : ChecklistPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class ChecklistPageTestsOnPostgreSql(PostgreSqlPortal portal) : ChecklistPageTests(portal), IClassFixture<PostgreSqlPortal>;
