using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>
/// Its own portal: the journey signs off a Production/High version's checklists, which the approval journey in the
/// shared browser fixture also promotes through. Not parallel, so two Chromiums never compete for the two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChecklistJourneyCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "checklist-journey";
}

[Collection(ChecklistJourneyCollection.Name)]
public sealed class ChecklistJourneyTests(BrowserFixture browser)
{
    private const string Key = "readmission-30d";
    private const string Version = "/models/" + Key + "/versions/2.0.1";
    private const string Assessment = Version + "/compliance/hipaa";
    private const string Baa = "hipaa-164-502-e-business-associates";
    private const string AuditControls = "hipaa-164-312-b-audit-controls";

    private static byte[] Pdf(string title) => Encoding.ASCII.GetBytes($"%PDF-1.7\n% {title}\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n");

    private async Task<HttpClient> ApiAsync(string username)
    {
        var key = await TestApiKeys.IssueAsync(browser.Portal, username, "e2e-checklists");
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName, key.Secret);
        return client;
    }

    /// <summary>2.0.1 gets its card (copied from 2.0.0 in Production) and goes to Staging, so Production is the next step.</summary>
    private static async Task ToStagingAsync(HttpClient pipeline, HttpClient officerApi)
    {
        var card = JsonDocument.Parse(await pipeline.GetStringAsync($"/api/v1/models/{Key}/versions/2.0.0/card")).RootElement.GetProperty("card").GetRawText();
        await OkAsync(await pipeline.PutAsync($"/api/v1{Version}/card", new StringContent(card, Encoding.UTF8, "application/json")));
        var request = await OkAsync(await pipeline.PostAsync($"/api/v1{Version}/promotions",
            Json(new { targetStage = "staging", justification = "Container base image update; shadowing before Production." })));
        await OkAsync(await officerApi.PostAsync($"/api/v1/promotions/{request.GetProperty("id").GetString()}/decisions",
            Json(new { decision = "approve", comment = "Pipeline-only change." })));
    }

    [Fact]
    public async Task An_owner_answers_HIPAA_with_evidence_an_officer_requests_a_change_the_owner_fixes_it_and_the_officer_signs_off_and_the_Production_gate_passes()
    {
        using var pipeline = await ApiAsync("owner2@demo.test");
        using var officerApi = await ApiAsync("compliance@demo.test");
        await ToStagingAsync(pipeline, officerApi);

        // Production for high-risk models waits for every applicable checklist by default (ADR-031): the officer sees it on the policy.
        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.GotoAsync("/approvals/policies/Production/High/edit");
        await officer.WaitForCircuitAsync();
        var requireChecklists = officer.Page.Locator("input[data-testid=applicable-checklists], [data-testid=applicable-checklists] input");
        Assert.True(await requireChecklists.IsCheckedAsync());
        await officer.ScreenshotAsync("checklist-gate-policy");

        // The owner checks the Production gates: HIPAA blocks and names what is missing.
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner2@demo.test");
        await owner.GotoAsync(Version + "/promote?target=Production");
        await owner.WaitForCircuitAsync();
        var hipaaGate = owner.Page.Locator("[data-testid=gates] li", new() { HasText = "Checklists: HIPAA" });
        await owner.ScreenshotAsync("checklist-gate-blocked");
        var blocked = await hipaaGate.InnerTextAsync();
        Assert.Contains("Blocks", blocked);
        Assert.Contains("blocked: HIPAA is not signed off; 39 missing:", blocked);
        // Each missing item is named, one per line.
        var missing = await hipaaGate.Locator("[data-testid=gate-missing] li").AllInnerTextsAsync();
        Assert.Equal(39, missing.Count);
        Assert.Contains("HIPAA item hipaa-164-502-permitted-use (45 CFR §164.502(a); §164.514(a)): unanswered", missing);
        Assert.Equal(0, await owner.Page.Locator("[data-testid=submit-request]").CountAsync());

        // The other checklists that apply to a high-risk model (EU AI Act, NIST AI RMF, SR 11-7) are signed off through the API,
        // so HIPAA is the only one left and the request can really be submitted at the end.
        var others = (await OkAsync(await pipeline.GetAsync($"/api/v1{Version}/assessments"))).EnumerateArray()
            .Select(a => a.GetProperty("template").GetString()!).Where(t => t != "hipaa").ToList();
        Assert.NotEmpty(others);
        foreach (var template in others)
        {
            await SignedOffAsync(pipeline, officerApi, Key, "2.0.1", template);
        }

        // The owner's pipeline answers the routine items through the API; the two items with evidence are done in the browser.
        var templates = await pipeline.GetFromJsonAsync<JsonElement>("/api/v1/checklists/templates");
        var routine = templates.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "hipaa").GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("id").GetString()!).Where(id => id is not Baa and not AuditControls).ToList();
        foreach (var item in routine)
        {
            var answered = await pipeline.PutAsync($"/api/v1{Version}/assessments/hipaa/items/{item}",
                Json(new { answer = "notApplicable", justification = "Handled by the clinical data platform; see its HIPAA assessment." }));
            Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        }

        await owner.GotoAsync(Version + "?tab=compliance");
        await owner.WaitForCircuitAsync();
        var row = owner.Page.Locator("[data-testid=compliance-hipaa]");
        Assert.Contains("HIPAA applies: the model uses PHI.", await row.InnerTextAsync());
        await owner.Page.Locator("[data-testid=compliance]").ScrollIntoViewIfNeededAsync();
        await owner.ScreenshotAsync("checklist-version-compliance");
        await owner.ClickToInteractiveAsync(row.Locator("a"), url => url.EndsWith("/compliance/hipaa"));
        await owner.WaitForCircuitAsync();
        await owner.CheckAccessibilityAsync();

        var baa = owner.Page.Locator($"#item-{Baa}");
        await baa.Locator("[data-testid=answer-Yes] input").CheckAsync();
        await baa.Locator("[data-testid=justification] textarea").FillAsync("BAAs with the cloud and labelling vendors; signed copy attached.");
        await baa.Locator("[data-testid=save-answer]").ClickAsync();
        await baa.Locator("[data-testid=answer]", new() { HasTextString = "owner2@demo.test" }).WaitForAsync();
        await baa.Locator("[data-testid=evidence-upload] input[type=file]").SetInputFilesAsync(new FilePayload { Name = "baa-draft.pdf", MimeType = "application/pdf", Buffer = Pdf("draft BAA") });
        await baa.Locator("[data-testid=evidence]", new() { HasTextString = "baa-draft.pdf" }).WaitForAsync();

        var audit = owner.Page.Locator($"#item-{AuditControls}");
        await audit.Locator("[data-testid=answer-Yes] input").CheckAsync();
        await audit.Locator("[data-testid=save-answer]").ClickAsync();
        await audit.Locator("[data-testid=answer]").WaitForAsync();
        await audit.Locator("[data-testid=evidence-link] input").FillAsync("https://siem.example.com/reports/readmission-access-review");
        await audit.Locator("[data-testid=add-link]").ClickAsync();
        await audit.Locator("[data-testid=evidence]", new() { HasTextString = "siem.example.com" }).WaitForAsync();
        await owner.Page.Locator("[data-testid=progress]", new() { HasTextString = "39/39" }).WaitForAsync();
        await baa.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("checklist-owner-answered-item") });
        await owner.Page.Locator("[data-testid=submit-for-review]").ClickAsync();
        await owner.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("checklist-submit-dialog");
        await owner.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await owner.Page.Locator("[data-testid=assessment-status]", new() { HasTextString = "In review" }).WaitForAsync();
        await owner.Page.Locator(".mud-snackbar", new() { HasTextString = "Submitted for review." }).WaitForAsync();
        await owner.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("checklist-submitted") });

        // The officer accepts the routine answers together, ticking each, and reviews the evidenced ones item by item.
        await officer.GotoAsync(Assessment);
        await officer.WaitForCircuitAsync();
        await officer.CheckAccessibilityAsync();
        var several = officer.Page.Locator("[data-testid=accept-several-form]");
        Assert.Equal(routine.Count + 2, await several.Locator("[data-testid=accept-choice]").CountAsync());
        foreach (var item in routine)
        {
            await several.Locator($"[data-item={item}] input").CheckAsync();
        }
        await several.Locator("[data-testid=accept-selected]", new() { HasTextString = $"({routine.Count})" }).WaitForAsync();
        await several.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("checklist-officer-accepts-several") });
        await several.Locator("[data-testid=accept-selected]").ClickAsync();
        await officer.Page.Locator(".mud-snackbar", new() { HasTextString = $"{routine.Count} answers accepted." }).WaitForAsync();
        var state = await officerApi.GetFromJsonAsync<JsonElement>($"/api/v1{Version}/assessments/hipaa");
        Assert.All(state.GetProperty("answers").EnumerateArray().Where(a => routine.Contains(a.GetProperty("item").GetString()!)),
            a => Assert.Equal("accepted", a.GetProperty("review").GetString()));
        Assert.Equal(2, await several.Locator("[data-testid=accept-choice]").CountAsync());
        var officerBaa = officer.Page.Locator($"#item-{Baa}");
        await officerBaa.Locator("[data-testid=review-comment-field] textarea").FillAsync("The attached BAA is an unsigned draft; attach the countersigned copy.");
        await officerBaa.Locator("[data-testid=request-changes]").ClickAsync();
        await officerBaa.Locator("[data-testid=review]", new() { HasTextString = "Changes requested" }).WaitForAsync();
        await officer.Page.Locator($"#item-{AuditControls} [data-testid=accept]").ClickAsync();
        await officer.Page.Locator($"#item-{AuditControls} [data-testid=review]", new() { HasTextString = "Accepted" }).WaitForAsync();
        Assert.Contains("changes requested", await officer.Page.Locator("[data-testid=missing]").InnerTextAsync());
        await officerBaa.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("checklist-officer-requested-change") });

        await owner.GotoAsync(Assessment);
        await owner.WaitForCircuitAsync();
        Assert.Equal("The attached BAA is an unsigned draft; attach the countersigned copy.", await baa.Locator("[data-testid=review-comment]").InnerTextAsync());
        await baa.Locator("[data-testid=evidence-upload] input[type=file]").SetInputFilesAsync(new FilePayload { Name = "baa-countersigned.pdf", MimeType = "application/pdf", Buffer = Pdf("countersigned BAA") });
        await baa.Locator("[data-testid=evidence]", new() { HasTextString = "baa-countersigned.pdf" }).WaitForAsync();
        Assert.Contains("Not reviewed", await baa.Locator("[data-testid=review]").InnerTextAsync());
        await baa.ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("checklist-owner-fixed-item") });

        await officer.GotoAsync(Assessment);
        await officer.WaitForCircuitAsync();
        await officerBaa.Locator("[data-testid=accept]").ClickAsync();
        await officerBaa.Locator("[data-testid=review]", new() { HasTextString = "Accepted" }).WaitForAsync();
        await officer.Page.Locator("[data-testid=sign-off]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await officer.Page.Locator("[data-testid=assessment-status]", new() { HasTextString = "Signed off" }).WaitForAsync();
        Assert.Equal("Signed off", (await officer.Page.Locator("[data-testid=assessment-status]").InnerTextAsync()).Trim());
        Assert.Contains("compliance@demo.test", await officer.Page.Locator("[data-testid=signed-off]").InnerTextAsync());
        await officer.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("checklist-signed-off"), FullPage = true });
        // Done in the circuit, still credited to the people who did it.
        await using (var scope = browser.Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Data.GovernanceDbContext>();
            var actors = await db.AuditEvents.Where(e => e.Action == "assessment.signed-off" || e.Action == "assessment.submitted" || e.Action == "assessment.item-accepted")
                .Where(e => e.Payload.Contains(Key) && e.Payload.Contains("2.0.1") && e.Payload.Contains("hipaa")).OrderByDescending(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername }).ToListAsync();
            Assert.Equal("compliance@demo.test", actors.First(a => a.Action == "assessment.signed-off").ActorUsername);
            Assert.Equal("owner2@demo.test", actors.First(a => a.Action == "assessment.submitted").ActorUsername);
            Assert.All(actors.Where(a => a.Action == "assessment.item-accepted"), a => Assert.Equal("compliance@demo.test", a.ActorUsername));
        }

        await owner.GotoAsync(Version);
        Assert.Contains("Signed off", await owner.Page.Locator("[data-testid=compliance-hipaa]").InnerTextAsync());
        var assessments = await pipeline.GetFromJsonAsync<JsonElement>($"/api/v1{Version}/assessments");
        Assert.True(assessments.EnumerateArray().Single(a => a.GetProperty("template").GetString() == "hipaa").GetProperty("signedOff").GetBoolean());

        // With HIPAA signed off no gate blocks: the owner submits the Production request and its page shows the gate passed.
        await owner.GotoAsync(Version + "/promote?target=Production");
        await owner.WaitForCircuitAsync();
        Assert.Contains("passed: HIPAA is signed off", await hipaaGate.InnerTextAsync());
        Assert.Equal(0, await owner.Page.Locator("[data-testid=gates] li.gate-block").CountAsync());
        await owner.Page.Locator("#justification").FillAsync("Pipeline-only change; HIPAA and the other checklists are signed off.");
        await owner.ScreenshotAsync("checklist-gate-passed");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=submit-request]"), url => url.Contains("/approvals/"));
        var requestGate = owner.Page.Locator("[data-testid=gates] li", new() { HasText = "Checklists: HIPAA" });
        Assert.Contains("gate-pass", await requestGate.GetAttributeAsync("class"));
        Assert.Contains("passed: HIPAA is signed off", await requestGate.InnerTextAsync());
        Assert.Contains("2 more ComplianceOfficers", await owner.Page.Locator("[data-testid=still-needed]").InnerTextAsync());
        await owner.ScreenshotAsync("checklist-gate-request");
        Assert.True(owner.Problems.Count == 0, string.Join(Environment.NewLine, owner.Problems));
        Assert.True(officer.Problems.Count == 0, string.Join(Environment.NewLine, officer.Problems));
    }

    private static string Shot(string name) => Path.Combine(RepositoryPaths.Artifacts("screenshots"), name + ".png");
}
