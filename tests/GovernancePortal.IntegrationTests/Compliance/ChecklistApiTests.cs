using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

public abstract class ChecklistApiTests(PortalFactory portal)
{
    private const string AuditControls = "hipaa-164-312-b-audit-controls";
    private const string Baa = "hipaa-164-502-e-business-associates";

    private Task<HttpClient> As(string username) => ApiAsync(portal, username);

    private static string Item(string key, string version, string item) => $"{Assessment(key, version)}/items/{item}";

    [Fact]
    public async Task The_template_library_is_listed_with_every_item_cited_and_needs_a_reader()
    {
        var viewer = await As("viewer@demo.test");

        var templates = await OkAsync(await viewer.GetAsync("/api/v1/checklists/templates"));
        var anonymous = await portal.CreateClient().GetAsync("/api/v1/checklists/templates");

        Assert.Equal(["Decommissioning", "EU AI Act", "GDPR", "HIPAA", "NIST AI RMF 1.0", "SR 11-7 model risk management"], templates.EnumerateArray().Select(t => t.GetProperty("title").GetString()).Order());
        var hipaa = templates.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "hipaa");
        Assert.Equal("data has PHI", hipaa.GetProperty("appliesWhen").GetString());
        var audit = hipaa.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == AuditControls);
        Assert.Equal("45 CFR §164.312(b)", audit.GetProperty("citation").GetString());
        Assert.Equal("required", audit.GetProperty("obligation").GetString());
        Assert.All(templates.EnumerateArray().SelectMany(t => t.GetProperty("items").EnumerateArray()),
            i => Assert.False(string.IsNullOrWhiteSpace(i.GetProperty("citation").GetString())));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Model_flags_are_set_through_the_models_API_audited_and_decide_what_applies()
    {
        var owner = await As("owner@demo.test");
        var body = RegistryTestData.ModelBody("flagged-credit");
        body["euDataSubjects"] = true;
        body["automatedLegalEffect"] = true;
        var misspelt = RegistryTestData.ModelBody("flagged-typo");
        misspelt["euDataSubject"] = true;

        var created = await OkAsync(await owner.PostAsync("/api/v1/models", Json(body)));
        var refused = await owner.PostAsync("/api/v1/models", Json(misspelt));
        await OkAsync(await owner.PostAsync("/api/v1/models/flagged-credit/versions", Json(RegistryTestData.VersionBody("1.0.0", "improvedModel"))));
        var assessments = await OkAsync(await owner.GetAsync("/api/v1/models/flagged-credit/versions/1.0.0/assessments"));

        Assert.True(created.GetProperty("euDataSubjects").GetBoolean());
        Assert.True(created.GetProperty("automatedLegalEffect").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("euDataSubject", (await BodyAsync(refused)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var registered = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "model.registered" && e.Payload.Contains("flagged-credit")).SingleAsync());
        Assert.Contains("\"euDataSubjects\":{\"after\":true}", registered.Payload);
        var gdpr = assessments.EnumerateArray().Single(a => a.GetProperty("template").GetString() == "gdpr");
        Assert.Contains("gdpr-art22-3-safeguards", gdpr.GetProperty("applicableItems").EnumerateArray().Select(i => i.GetString()));
        Assert.DoesNotContain(assessments.EnumerateArray(), a => a.GetProperty("template").GetString() == "hipaa");
    }

    [Fact]
    public async Task A_version_lists_the_applicable_templates_with_reasons_and_the_seeded_sign_off()
    {
        var viewer = await As("viewer@demo.test");

        var sepsis = await OkAsync(await viewer.GetAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/assessments"));
        var missing = await viewer.GetAsync("/api/v1/models/sepsis-early-warning/versions/9.9.9/assessments");

        var hipaa = sepsis.EnumerateArray().Single(a => a.GetProperty("template").GetString() == "hipaa");
        Assert.Equal("HIPAA applies: the model uses PHI.", hipaa.GetProperty("reason").GetString());
        Assert.Equal("signedOff", hipaa.GetProperty("status").GetString());
        Assert.True(hipaa.GetProperty("signedOff").GetBoolean());
        Assert.DoesNotContain(sepsis.EnumerateArray(), a => a.GetProperty("template").GetString() == "gdpr");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Answers_are_refused_with_the_field_named_when_bad_and_only_the_owning_team_answers()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "answer-rules");
        var url = Item(key, "1.0.0", Baa);

        var noJustification = await owner2.PutAsync(url, Json(new { answer = "no" }));
        var unknownMember = await owner2.PutAsync(url, Json(new { answer = "yes", comment = "x" }));
        var badValue = await owner2.PutAsync(url, Json(new { answer = "maybe" }));
        var notJson = await owner2.PutAsync(url, new StringContent("answer=yes", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var unknownItem = await owner2.PutAsync(Item(key, "1.0.0", "hipaa-no-such-item"), Json(new { answer = "yes" }));
        var unknownTemplate = await owner2.PutAsync($"/api/v1/models/{key}/versions/1.0.0/assessments/iso-42001/items/x", Json(new { answer = "yes" }));
        var notApplicable = await owner2.PutAsync($"/api/v1/models/{key}/versions/1.0.0/assessments/gdpr/items/gdpr-art5-1-principles", Json(new { answer = "yes" }));
        var otherTeam = await (await As("owner@demo.test")).PutAsync(url, Json(new { answer = "yes" }));
        var viewer = await (await As("viewer@demo.test")).PutAsync(url, Json(new { answer = "yes" }));
        var officer = await (await As("compliance@demo.test")).PutAsync(url, Json(new { answer = "yes" }));
        var nothingSaved = await portal.WithDbAsync(db => db.Assessments.CountAsync(a => a.Version.Model.Key == key));

        var saved = await OkAsync(await owner2.PutAsync(url, Json(new { answer = "no", justification = "Vendor signs next month." })));

        Assert.Equal(HttpStatusCode.BadRequest, noJustification.StatusCode);
        Assert.Contains("justification is required", (await BodyAsync(noJustification)).GetProperty("errors").GetProperty("justification")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknownMember.StatusCode);
        Assert.True((await BodyAsync(unknownMember)).GetProperty("errors").TryGetProperty("comment", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.True((await BodyAsync(badValue)).GetProperty("errors").TryGetProperty("answer", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownItem.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownTemplate.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notApplicable.StatusCode);
        Assert.Contains("GDPR does not apply", (await BodyAsync(notApplicable)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, officer.StatusCode);
        Assert.Equal(0, nothingSaved);
        Assert.Equal("inProgress", saved.GetProperty("status").GetString());
        Assert.Equal("Vendor signs next month.", AnswerOf(saved, Baa).GetProperty("justification").GetString());
        var audited = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.answered" && e.Payload.Contains(key)).ToListAsync());
        Assert.Single(audited);
        Assert.Equal("owner2@demo.test", audited[0].ActorUsername);
    }

    [Fact]
    public async Task Evidence_files_are_hashed_size_limited_type_checked_and_downloaded_only_by_permitted_roles()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "evidence-rules");

        var uploaded = await OkAsync(await UploadAsync(owner2, key, "1.0.0", AuditControls, Pdf, "audit-log-review.pdf", declaredType: "text/html"));
        var disguised = await UploadAsync(owner2, key, "1.0.0", AuditControls, Png, "report.pdf");
        var html = await UploadAsync(owner2, key, "1.0.0", AuditControls, Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"), "notes.txt");
        var tooLarge = await UploadAsync(owner2, key, "1.0.0", AuditControls, [.. Pdf, .. new byte[10 * 1024 * 1024]], "huge.pdf");
        var badLink = await owner2.PostAsync($"{Item(key, "1.0.0", AuditControls)}/evidence", Json(new { url = "javascript:alert(1)" }));
        var link = await owner2.PostAsync($"{Item(key, "1.0.0", AuditControls)}/evidence", Json(new { url = "https://siem.example.com/reports/42" }));

        Assert.Empty(uploaded.GetProperty("answers").EnumerateArray());
        var listed = uploaded.GetProperty("evidence").EnumerateArray().Single();
        var evidence = await portal.WithDbAsync(db => db.AssessmentEvidence.Where(e => e.ItemId == AuditControls && e.FileName == "audit-log-review.pdf"
            && db.Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key)).SingleAsync());
        Assert.Equal(evidence.Sha256, listed.GetProperty("sha256").GetString());
        Assert.Equal(AuditControls, listed.GetProperty("item").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf)), evidence.Sha256);
        Assert.Equal(Pdf.Length, evidence.SizeBytes);
        Assert.Equal("application/pdf", evidence.ContentType);
        Assert.Equal(HttpStatusCode.BadRequest, disguised.StatusCode);
        Assert.Contains("content is a PNG image but its name says a PDF", (await BodyAsync(disguised)).GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, html.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Contains("10 MB", (await BodyAsync(tooLarge)).GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        Assert.Equal(2, await portal.WithDbAsync(db => db.AssessmentEvidence.CountAsync(e => db.Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key))));

        var download = $"/api/v1/models/{key}/versions/1.0.0/evidence/{evidence.Id}";
        var byOwner = await owner2.GetAsync(download);
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
        Assert.Equal(Pdf, await byOwner.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", byOwner.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("audit-log-review.pdf", byOwner.Content.Headers.ContentDisposition?.FileNameStar ?? byOwner.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", byOwner.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, (await (await As("compliance@demo.test")).GetAsync(download)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await As("auditor@demo.test")).GetAsync(download)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("viewer@demo.test")).GetAsync(download)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("owner@demo.test")).GetAsync(download)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner2.GetAsync($"/api/v1/models/sepsis-early-warning/versions/1.1.0/evidence/{evidence.Id}")).StatusCode);
        var audited = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.evidence-added" && e.Payload.Contains(key)).ToListAsync());
        Assert.Equal(2, audited.Count);
        Assert.DoesNotContain(audited, e => e.Payload.Contains("%PDF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Review_and_sign_off_follow_the_rules_and_a_changed_answer_voids_the_sign_off()
    {
        var owner2 = await As("owner2@demo.test");
        var officer = await As("compliance@demo.test");
        var key = await PhiModelAsync(owner2, "sign-off-rules");
        await CompleteAsync(owner2, key, "1.0.0");
        var inProgress = await GetAsync(owner2, key, "1.0.0");
        var answer = AnswerOf(inProgress, Baa);

        var reviewTooEarly = await officer.PostAsync($"{Item(key, "1.0.0", Baa)}/review", Json(new { decision = "accepted", answerRevision = answer.GetProperty("revision").GetInt32() }));
        var signOffTooEarly = await officer.PostAsync($"{Assessment(key, "1.0.0")}/sign-off", Json(new { revision = inProgress.GetProperty("revision").GetInt32() }));
        var submitted = await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        var submittedTwice = await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null);
        var ownerReviews = await owner2.PostAsync($"{Item(key, "1.0.0", Baa)}/review", Json(new { decision = "accepted", answerRevision = 1 }));
        var noComment = await officer.PostAsync($"{Item(key, "1.0.0", Baa)}/review", Json(new { decision = "changesRequested", answerRevision = AnswerOf(submitted, Baa).GetProperty("revision").GetInt32() }));
        var staleReview = await officer.PostAsync($"{Item(key, "1.0.0", Baa)}/review", Json(new { decision = "accepted", answerRevision = 99 }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reviewTooEarly.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, signOffTooEarly.StatusCode);
        Assert.Equal("inReview", submitted.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, submittedTwice.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ownerReviews.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
        Assert.True((await BodyAsync(noComment)).GetProperty("errors").TryGetProperty("comment", out _));
        Assert.Equal(HttpStatusCode.Conflict, staleReview.StatusCode);

        var signedOff = await AcceptAllAndSignOffAsync(officer, key, "1.0.0");
        Assert.Equal("signedOff", signedOff.GetProperty("status").GetString());
        Assert.Empty(signedOff.GetProperty("missing").EnumerateArray());
        var gateBefore = await StatusAsync(key, "1.0.0");
        Assert.True(gateBefore.Templates.Single(t => t.TemplateId == "hipaa").SignedOff);

        var changed = await OkAsync(await owner2.PutAsync(Item(key, "1.0.0", Baa), Json(new { answer = "no", justification = "The vendor withdrew the BAA." })));

        Assert.Equal("inReview", changed.GetProperty("status").GetString());
        Assert.False(changed.GetProperty("signedOff").GetBoolean());
        Assert.Contains("Sign-off by compliance@demo.test voided", changed.GetProperty("voidReason").GetString());
        Assert.Equal("none", AnswerOf(changed, Baa).GetProperty("review").GetString());
        Assert.Contains($"HIPAA item {Baa} (45 CFR §164.502(e)(1)-(2)): not yet accepted by a compliance officer",
            changed.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        var gate = await StatusAsync(key, "1.0.0");
        var hipaa = gate.Templates.Single(t => t.TemplateId == "hipaa");
        Assert.False(hipaa.SignedOff);
        Assert.Contains(hipaa.Missing, m => m.ItemId == Baa);
        var voided = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.sign-off-voided" && e.Payload.Contains(key)).ToListAsync());
        Assert.Single(voided);
        var page = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).GetDocumentAsync($"/models/{key}/versions/1.0.0/compliance/hipaa");
        Assert.Contains("Sign-off by compliance@demo.test voided", page.QuerySelector("[data-testid=sign-off-voided]")!.TextContent);
        Assert.Equal("In review", page.QuerySelector("[data-testid=assessment-status]")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_signer_must_not_have_answered_and_a_stale_sign_off_is_refused()
    {
        var owner2 = await As("owner2@demo.test");
        var officer = await As("compliance2@demo.test");
        var key = await PhiModelAsync(owner2, "sign-off-stale");
        await CompleteAsync(owner2, key, "1.0.0");
        var submitted = await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        foreach (var answer in submitted.GetProperty("answers").EnumerateArray())
        {
            await OkAsync(await officer.PostAsync($"{Item(key, "1.0.0", answer.GetProperty("item").GetString()!)}/review",
                Json(new { decision = "accepted", answerRevision = answer.GetProperty("revision").GetInt32() })));
        }
        var seen = (await GetAsync(officer, key, "1.0.0")).GetProperty("revision").GetInt32();
        await OkAsync(await owner2.PostAsync($"{Item(key, "1.0.0", Baa)}/evidence", Json(new { url = "https://wiki.example.com/baa-2" })));

        var stale = await officer.PostAsync($"{Assessment(key, "1.0.0")}/sign-off", Json(new { revision = seen }));
        var noRevision = await officer.PostAsync($"{Assessment(key, "1.0.0")}/sign-off", Json(new { }));
        var current = await GetAsync(officer, key, "1.0.0");
        var blocked = await officer.PostAsync($"{Assessment(key, "1.0.0")}/sign-off", Json(new { revision = current.GetProperty("revision").GetInt32() }));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noRevision.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, blocked.StatusCode);
        Assert.Contains($"items.{Baa}", (await BodyAsync(blocked)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal("inReview", (await GetAsync(officer, key, "1.0.0")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_officer_accepts_several_answers_at_once_each_audited_and_none_when_one_cannot_be()
    {
        var owner2 = await As("owner2@demo.test");
        var officer = await As("compliance@demo.test");
        var key = await PhiModelAsync(owner2, "accept-several");
        await CompleteAsync(owner2, key, "1.0.0");
        var submitted = await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        var answers = submitted.GetProperty("answers").EnumerateArray()
            .Select(a => new { item = a.GetProperty("item").GetString()!, answerRevision = a.GetProperty("revision").GetInt32() }).ToList();
        var url = $"{Assessment(key, "1.0.0")}/review/accept";

        var byOwner = await owner2.PostAsync(url, Json(new { items = answers }));
        var none = await officer.PostAsync(url, Json(new { items = Array.Empty<object>() }));
        var twice = await officer.PostAsync(url, Json(new { items = new[] { answers[0], answers[0] } }));
        var oneStale = await officer.PostAsync(url, Json(new { items = answers.Select((a, i) => i == 1 ? a with { answerRevision = 99 } : a) }));
        var unknown = await officer.PostAsync(url, Json(new { items = new object[] { answers[0], new { item = "no-such-item", answerRevision = 1 } } }));
        var nullEntry = await officer.PostAsync(url, Json(new { items = new object?[] { null } }));
        var untouched = await GetAsync(officer, key, "1.0.0");

        Assert.Equal(HttpStatusCode.Forbidden, byOwner.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, oneStale.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no-such-item", (await BodyAsync(unknown)).GetProperty("detail").GetString());
        Assert.True(nullEntry.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"a null entry answered {nullEntry.StatusCode}");
        Assert.All(untouched.GetProperty("answers").EnumerateArray(), a => Assert.Equal("none", a.GetProperty("review").GetString()));

        var accepted = await OkAsync(await officer.PostAsync(url, Json(new { items = answers })));

        Assert.All(accepted.GetProperty("answers").EnumerateArray(), a =>
        {
            Assert.Equal("accepted", a.GetProperty("review").GetString());
            Assert.Equal("compliance@demo.test", a.GetProperty("reviewedBy").GetString());
        });
        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.item-accepted" && e.Payload.Contains(key)).ToListAsync());
        Assert.Equal(answers.Select(a => a.item).Order(), events.Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("details").GetProperty("item").GetString()).Order());
        Assert.All(events, e => Assert.Equal("compliance@demo.test", e.ActorUsername));
        var signedOff = await OkAsync(await officer.PostAsync($"{Assessment(key, "1.0.0")}/sign-off", Json(new { revision = accepted.GetProperty("revision").GetInt32() })));
        Assert.Equal("signedOff", signedOff.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_new_version_starts_from_the_previous_answers_which_must_be_confirmed_before_review()
    {
        var owner2 = await As("owner2@demo.test");
        var officer = await As("compliance@demo.test");
        var key = await PhiModelAsync(owner2, "carry-over", "1.0.0", "1.1.0");
        await SignedOffAsync(owner2, officer, key, "1.0.0");

        var started = await OkAsync(await owner2.PostAsync($"/api/v1/models/{key}/versions/1.1.0/assessments", Json(new { template = "hipaa", carryOver = true })));
        var again = await owner2.PostAsync($"/api/v1/models/{key}/versions/1.1.0/assessments", Json(new { template = "hipaa", carryOver = true }));
        var nothingEarlier = await owner2.PostAsync($"/api/v1/models/{key}/versions/1.0.0/assessments", Json(new { template = "nist-ai-rmf", carryOver = true }));
        var submitBlocked = await owner2.PostAsync($"{Assessment(key, "1.1.0")}/submit", null);

        Assert.Equal("inProgress", started.GetProperty("status").GetString());
        var answers = started.GetProperty("answers").EnumerateArray().ToList();
        Assert.Equal(started.GetProperty("applicableItems").GetArrayLength(), answers.Count);
        Assert.All(answers, a => Assert.True(a.GetProperty("carriedOver").GetBoolean()));
        Assert.All(answers, a => Assert.Equal("none", a.GetProperty("review").GetString()));
        var auditAnswer = AnswerOf(started, AuditControls);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf)), AnswerOf(started, Baa).GetProperty("evidence")[0].GetProperty("sha256").GetString());
        Assert.Equal("https://wiki.example.com/" + AuditControls, auditAnswer.GetProperty("evidence")[0].GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nothingEarlier.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, submitBlocked.StatusCode);
        Assert.Contains("carried over from an earlier version, not yet confirmed", (await BodyAsync(submitBlocked)).GetProperty("title").GetString());

        var confirmed = await OkAsync(await owner2.PostAsync($"{Item(key, "1.1.0", Baa)}/confirm", null));
        Assert.False(AnswerOf(confirmed, Baa).GetProperty("carriedOver").GetBoolean());
        Assert.Equal(answers.Count - 1, confirmed.GetProperty("progress").GetProperty("toConfirm").GetInt32());
        foreach (var answer in answers.Where(a => a.GetProperty("item").GetString() != Baa))
        {
            await OkAsync(await owner2.PostAsync($"{Item(key, "1.1.0", answer.GetProperty("item").GetString()!)}/confirm", null));
        }
        Assert.Equal("inReview", (await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.1.0")}/submit", null))).GetProperty("status").GetString());
        Assert.Single(await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.started" && e.Payload.Contains(key) && e.Payload.Contains("carriedItems")).ToListAsync()));
    }

    [Fact]
    public async Task A_review_racing_an_answer_change_never_leaves_the_new_answer_accepted()
    {
        var owner2 = await As("owner2@demo.test");
        var officer = await As("compliance@demo.test");
        var key = await PhiModelAsync(owner2, "review-race");
        await CompleteAsync(owner2, key, "1.0.0");
        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));

        var outcomes = new List<(HttpStatusCode Review, HttpStatusCode Answer)>();
        for (var round = 0; round < 6; round++)
        {
            var before = AnswerOf(await GetAsync(owner2, key, "1.0.0"), Baa);
            var justification = $"Round {round}: the vendor's BAA is under renegotiation.";
            var review = officer.PostAsync($"{Item(key, "1.0.0", Baa)}/review",
                Json(new { decision = "accepted", answerRevision = before.GetProperty("revision").GetInt32() }));
            var change = owner2.PutAsync(Item(key, "1.0.0", Baa), Json(new { answer = "no", justification }));
            var (reviewed, changed) = (await review, await change);
            outcomes.Add((reviewed.StatusCode, changed.StatusCode));

            var after = AnswerOf(await GetAsync(owner2, key, "1.0.0"), Baa);
            Assert.Contains(reviewed.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            Assert.Contains(changed.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            if (changed.StatusCode == HttpStatusCode.OK)
            {
                // The change came last or won: whatever the officer accepted was the earlier answer.
                Assert.Equal(justification, after.GetProperty("justification").GetString());
                Assert.Equal("none", after.GetProperty("review").GetString());
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
                Assert.Equal(before.GetProperty("justification").ToString(), after.GetProperty("justification").ToString());
                Assert.Equal("accepted", after.GetProperty("review").GetString());
            }
        }
        Assert.DoesNotContain(outcomes, o => o.Review == HttpStatusCode.Conflict && o.Answer == HttpStatusCode.Conflict);
    }

    private Task<ComplianceStatus> StatusAsync(string key, string version) => portal.WithDbAsync(async db =>
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version);
        await using var scope = portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ChecklistReads>().StatusAsync(found!.Id))!;
    });
}

public sealed class ChecklistApiTestsOnSqlite(SqlitePortal portal) : ChecklistApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class ChecklistApiTestsOnPostgreSql(PostgreSqlPortal portal) : ChecklistApiTests(portal), IClassFixture<PostgreSqlPortal>;
