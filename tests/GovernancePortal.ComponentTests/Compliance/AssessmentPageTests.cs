using Bunit;
using GovernancePortal.Components.Pages.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using static GovernancePortal.Compliance.ComplianceTestData;

namespace GovernancePortal.Compliance;

/// <summary>
/// The assessment page over a migrated SQLite database and the real checklist service: what each person is offered,
/// errors at their fields, evidence uploads, confirmations, accepting several answers at once, and every change audited
/// as the person who made it (the circuit has no request to read them from).
/// </summary>
public sealed class AssessmentPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;
    private IRenderedComponent<MudSnackbarProvider> _snackbars = null!;

    /// <summary>The portal's services over the test database, with <paramref name="caller"/> signed in (before any service is used).</summary>
    private void Start(Caller caller)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        Context.SignIn(caller);
    }

    private IRenderedComponent<AssessmentPage> Open(string key, string version = "1.0.0", string template = "hipaa")
    {
        Context.Render<MudPopoverProvider>();
        _dialogs = Context.Render<MudDialogProvider>();
        _snackbars = Context.Render<MudSnackbarProvider>();
        var page = Render<AssessmentPage>(new()
        {
            [nameof(AssessmentPage.Key)] = key, [nameof(AssessmentPage.Version)] = version, [nameof(AssessmentPage.TemplateId)] = template,
        }, $"http://localhost{AssessmentPage.Url(key, version, template)}");
        page.WaitForElement("[data-testid=assessment-status]", Wait);
        return page;
    }

    private Task<List<(string Action, string Actor)>> EventsAsync(string key) => Context.InScopeAsync(async sp =>
        (await sp.GetRequiredService<GovernanceDbContext>().AuditEvents.AsNoTracking().Where(e => e.Action.StartsWith("assessment.") && e.Payload.Contains(key))
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername }).ToListAsync()).Select(e => (e.Action, e.ActorUsername)).ToList());

    private void Confirm(string expected)
    {
        _dialogs.WaitForAssertion(() => Assert.Contains(expected, _dialogs.Markup), Wait);
        _dialogs.Find("[data-testid=confirm-action]").Click();
    }

    [Fact]
    public async Task An_owner_answers_with_the_missing_justification_at_its_field_uploads_checked_evidence_and_submits_after_confirming()
    {
        Start(Owner2);
        var key = await Context.PhiModelAsync("page-answers");
        var page = Open(key);
        var item = $"[data-testid=item-{Baa}]";

        page.Find($"{item} [data-testid=answer-No] input").Click();
        page.Find($"{item} [data-testid=save-answer]").Click();
        page.WaitForAssertion(() => Assert.Contains("justification is required", page.Find($"{item} [data-testid=justification]").TextContent), Wait);
        Assert.Empty(page.FindAll($"{item} [data-testid=answer]"));

        page.Find($"{item} [data-testid=justification] textarea").Change("BAA under negotiation.");
        page.Find($"{item} [data-testid=save-answer]").Click();
        page.WaitForAssertion(() => Assert.Contains("BAA under negotiation.", page.Find($"{item} [data-testid=answer]").TextContent), Wait);
        Assert.StartsWith("1/", page.Find("[data-testid=progress]").TextContent);
        _snackbars.WaitForAssertion(() => Assert.Contains("Answer saved.", _snackbars.Markup), Wait);

        // A file that is not what its name says is refused at the upload; a PDF is stored with its hash.
        var upload = page.FindComponents<AssessmentItemCard>().Single(c => c.Instance.Item.Id == Baa).FindComponent<InputFile>();
        upload.UploadFiles(InputFileContent.CreateFromText("<svg onload=alert(1)>", "baa.pdf", contentType: "application/pdf"));
        page.WaitForAssertion(() => Assert.Contains("not a PDF", page.Find($"{item} [data-testid=file-error]").TextContent), Wait);
        upload.UploadFiles(InputFileContent.CreateFromBinary(Pdf, "baa-signed.pdf", contentType: "application/pdf"));
        page.WaitForAssertion(() => Assert.Contains("baa-signed.pdf", page.Find($"{item} [data-testid=evidence]").TextContent), Wait);
        Assert.Empty(page.FindAll($"{item} [data-testid=file-error]"));
        var stored = await Context.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().AssessmentEvidence.AsNoTracking()
            .SingleAsync(e => e.ItemId == Baa && sp.GetRequiredService<GovernanceDbContext>().Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Pdf)), stored.Sha256);

        // Removing evidence asks first; "Not now" keeps it.
        page.Find($"{item} [data-testid=remove-evidence]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("baa-signed.pdf is taken off item", _dialogs.Markup), Wait);
        _dialogs.Find("[data-testid=confirm-cancel]").Click();
        Assert.Contains("baa-signed.pdf", page.Find($"{item} [data-testid=evidence]").TextContent);

        // Submitting asks first; with items unanswered the service says why, and nothing changes.
        page.Find("[data-testid=submit-for-review]").Click();
        Confirm("The compliance officers are asked to review");
        page.WaitForAssertion(() => Assert.Contains("unanswered", page.Find("[data-testid=page-problem]").TextContent), Wait);
        Assert.Equal("In progress", page.Find("[data-testid=assessment-status]").TextContent.Trim());
        await Context.InScopeAsync(async sp =>
        {
            var checklists = sp.GetRequiredService<ChecklistCommands>().ActingAs(ActorOf(Owner2));
            foreach (var other in (await sp.GetRequiredService<ChecklistReads>().ViewAsync(key, "1.0.0", "hipaa"))!.Applicability.ApplicableItems.Where(i => i.Id != Baa))
            {
                Assert.Null((await checklists.AnswerAsync(Owner2, key, "1.0.0", "hipaa", other.Id, AnswerValue.NotApplicable, "Handled by the clinical data platform.", 0)).Failure);
            }
            return true;
        });
        page.Find("[data-testid=submit-for-review]").Click();
        Confirm("The compliance officers are asked to review");
        page.WaitForAssertion(() => Assert.Equal("In review", page.Find("[data-testid=assessment-status]").TextContent.Trim()), Wait);

        // What the page did is credited to the owner, not to the system.
        var events = await EventsAsync(key);
        Assert.Equal(["assessment.answered", "assessment.evidence-added", "assessment.started", "assessment.submitted"], events.Select(e => e.Action).Distinct().Order());
        Assert.All(events, e => Assert.Equal(Owner2.Username, e.Actor));
    }

    [Fact]
    public async Task A_new_version_starts_from_the_previous_answers_each_marked_until_confirmed()
    {
        Start(Owner2);
        var key = await Context.PhiModelAsync("page-carry", "1.0.0", "1.1.0");
        await Context.InScopeAsync(sp => sp.GetRequiredService<ChecklistCommands>().AnswerAsync(Owner2, key, "1.0.0", "hipaa", Baa, AnswerValue.Yes, "Signed BAA on file.", 0));
        var page = Open(key, "1.1.0");

        Assert.Contains("Start from 1.0.0's answers", page.Find("[data-testid=carry-over]").TextContent);
        page.Find("[data-testid=carry-over]").Click();
        page.WaitForAssertion(() => Assert.Contains("Carried over — confirm", page.Find($"[data-testid=item-{Baa}]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=not-started]"));

        page.Find($"[data-testid=item-{Baa}] [data-testid=confirm]").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain("Carried over — confirm", page.Find($"[data-testid=item-{Baa}]").TextContent), Wait);
        Assert.Contains(("assessment.answer-confirmed", Owner2.Username), await EventsAsync(key));
    }

    [Fact]
    public async Task A_reader_outside_the_team_sees_answers_and_evidence_names_but_no_form_and_no_download()
    {
        Start(new Caller("viewer@demo.test", [Roles.Viewer], null));
        var key = await Context.PhiModelAsync("page-who");
        await Context.InScopeAsync(sp => sp.GetRequiredService<ChecklistEvidence>().AddFileAsync(Owner2, key, "1.0.0", "hipaa", Baa, "baa.pdf", new MemoryStream(Pdf), Pdf.Length));

        var viewer = Open(key);
        Assert.Empty(viewer.FindAll("[data-testid=answer-form]"));
        Assert.Empty(viewer.FindAll("[data-testid=evidence-file]"));
        Assert.Contains("baa.pdf", viewer.Find("[data-testid=evidence]").TextContent);
        Assert.Empty(viewer.FindAll("[data-testid=submit-for-review]"));
    }

    [Fact]
    public async Task The_owner_sees_every_form_and_the_officer_none_before_the_checklist_is_submitted()
    {
        Start(Owner2);
        var key = await Context.PhiModelAsync("page-forms");
        await Context.InScopeAsync(sp => sp.GetRequiredService<ChecklistEvidence>().AddFileAsync(Owner2, key, "1.0.0", "hipaa", Baa, "baa.pdf", new MemoryStream(Pdf), Pdf.Length));

        var owner = Open(key);
        Assert.NotEmpty(owner.FindAll("[data-testid=answer-form]"));
        Assert.NotEmpty(owner.FindAll("[data-testid=evidence-file]"));
        Assert.NotNull(owner.Find("[data-testid=submit-for-review]"));
        Assert.NotNull(owner.Find($"[data-testid=item-{Baa}] [data-testid=evidence-upload]"));
        Assert.Empty(owner.FindAll("[data-testid=review-form]"));
        Assert.Empty(owner.FindAll("[data-testid=sign-off]"));
    }

    [Fact]
    public async Task An_officer_accepts_several_answers_all_or_none_requests_a_change_at_its_field_and_signs_off_after_confirming()
    {
        Start(Officer);
        var key = await Context.PhiModelAsync("page-review");
        var items = await Context.InScopeAsync(async sp =>
        {
            var checklists = sp.GetRequiredService<ChecklistCommands>();
            var reads = sp.GetRequiredService<ChecklistReads>();
            var view = (await reads.ViewAsync(key, "1.0.0", "hipaa"))!;
            foreach (var item in view.Applicability.ApplicableItems)
            {
                Assert.Null((await checklists.AnswerAsync(Owner2, key, "1.0.0", "hipaa", item.Id, AnswerValue.NotApplicable, "Handled by the clinical data platform.", 0)).Failure);
            }
            Assert.Null((await checklists.SubmitAsync(Owner2, key, "1.0.0", "hipaa")).Failure);
            return view.Applicability.ApplicableItems.Select(i => i.Id).ToList();
        });
        var page = Open(key);
        var several = "[data-testid=accept-several-form]";
        Assert.Equal(items.Count, page.FindAll($"{several} [data-testid=accept-choice]").Count);
        Assert.Empty(page.FindAll("[data-testid=answer-form]"));

        // Requesting changes without saying what is refused at the comment.
        page.Find($"[data-testid=item-{Baa}] [data-testid=request-changes]").Click();
        page.WaitForAssertion(() => Assert.Contains("comment is required", page.Find($"[data-testid=item-{Baa}] [data-testid=review-comment-field]").TextContent), Wait);

        // Two ticked; one of them changes under the officer (the owner answers again): neither is accepted.
        var routine = items.Where(i => i != Baa).ToList();
        page.Find($"{several} [data-item={routine[0]}] input").Change(true);
        page.Find($"{several} [data-item={routine[1]}] input").Change(true);
        await Context.InScopeAsync(sp => sp.GetRequiredService<ChecklistCommands>().AnswerAsync(Owner2, key, "1.0.0", "hipaa", routine[1], AnswerValue.NotApplicable,
            "Handled by the clinical data platform; see its assessment.", null));
        page.Find($"{several} [data-testid=accept-selected]").Click();
        page.WaitForElement("[data-testid=page-problem]", Wait);
        Assert.DoesNotContain(await EventsAsync(key), e => e.Action == "assessment.item-accepted");

        // All ticked at once (after a fresh look) are accepted together, each audited as the officer.
        page.Find($"{several} [data-testid=accept-all] input").Change(true);
        page.WaitForAssertion(() => Assert.Contains($"({items.Count})", page.Find($"{several} [data-testid=accept-selected]").TextContent), Wait);
        page.Find($"{several} [data-testid=accept-selected]").Click();
        _snackbars.WaitForAssertion(() => Assert.Contains($"{items.Count} answers accepted.", _snackbars.Markup), Wait);
        Assert.Empty(page.FindAll(several));
        var accepted = (await EventsAsync(key)).Where(e => e.Action == "assessment.item-accepted").ToList();
        Assert.Equal(items.Count, accepted.Count);
        Assert.All(accepted, e => Assert.Equal(Officer.Username, e.Actor));

        page.Find("[data-testid=sign-off]").Click();
        Confirm("Sign off this checklist?");
        page.WaitForAssertion(() => Assert.Equal("Signed off", page.Find("[data-testid=assessment-status]").TextContent.Trim()), Wait);
        Assert.Contains(Officer.Username, page.Find("[data-testid=signed-off]").TextContent);
        Assert.Contains(("assessment.signed-off", Officer.Username), await EventsAsync(key));
    }

    [Fact]
    public async Task Removing_evidence_from_a_signed_off_checklist_asks_first_says_the_sign_off_goes_and_voids_it()
    {
        Start(Owner2);
        var key = await Context.PhiModelAsync("page-remove");
        await Context.InScopeAsync(async sp =>
        {
            var checklists = sp.GetRequiredService<ChecklistCommands>();
            var reads = sp.GetRequiredService<ChecklistReads>();
            var items = (await reads.ViewAsync(key, "1.0.0", "hipaa"))!.Applicability.ApplicableItems;
            foreach (var item in items)
            {
                Assert.Null((await checklists.AnswerAsync(Owner2, key, "1.0.0", "hipaa", item.Id, AnswerValue.NotApplicable, "Handled by the clinical data platform.", 0)).Failure);
            }
            Assert.Null((await sp.GetRequiredService<ChecklistEvidence>().AddFileAsync(Owner2, key, "1.0.0", "hipaa", Baa, "baa-signed.pdf", new MemoryStream(Pdf), Pdf.Length)).Failure);
            Assert.Null((await checklists.SubmitAsync(Owner2, key, "1.0.0", "hipaa")).Failure);
            var answers = (await reads.ViewAsync(key, "1.0.0", "hipaa"))!.Assessment!.Answers;
            Assert.Null((await checklists.AcceptSeveralAsync(Officer, key, "1.0.0", "hipaa", answers.Select(a => new AnswerToAccept(a.ItemId, a.Revision)).ToList())).Failure);
            var revision = (await reads.ViewAsync(key, "1.0.0", "hipaa"))!.Assessment!.Revision;
            Assert.Null((await checklists.SignOffAsync(Officer, key, "1.0.0", "hipaa", revision)).Failure);
            return true;
        });
        var page = Open(key);
        Assert.Equal("Signed off", page.Find("[data-testid=assessment-status]").TextContent.Trim());

        page.Find($"[data-testid=item-{Baa}] [data-testid=remove-evidence]").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("the sign-off by compliance@demo.test is voided", _dialogs.Markup), Wait);
        Confirm("the audit trail keeps its name, SHA-256 and size");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=item-{Baa}] [data-testid=evidence]")), Wait);
        Assert.NotEqual("Signed off", page.Find("[data-testid=assessment-status]").TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid=sign-off-voided]"));
        var events = await EventsAsync(key);
        Assert.Contains(("assessment.evidence-removed", Owner2.Username), events);
        Assert.Contains(("assessment.sign-off-voided", Owner2.Username), events);
    }
}
