using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

/// <summary>
/// Promotion policies as versioned data, over HTTP. Each test edits its own stage and tier, so the tests of this class
/// can share one portal in any order.
/// </summary>
public abstract class PolicyTests(PortalFactory portal)
{
    private static StringContent RawJson(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<HttpClient> As(string username) => TestApiKeys.ClientAsync(portal, username, "policy-tests");

    private Task<int> VersionCountAsync(Stage target, RiskTier tier) =>
        portal.WithDbAsync(db => db.PromotionPolicyVersions.CountAsync(p => p.TargetStage == target && p.RiskTier == tier));

    private Task<PromotionPolicy> CurrentAsync(Stage target, RiskTier tier) => CurrentAsync(portal, target, tier);

    internal static Task<PromotionPolicy> CurrentAsync(PortalFactory portal, Stage target, RiskTier tier) => portal.WithDbAsync(async db =>
        (await db.PromotionPolicyVersions.AsNoTracking().Where(p => p.TargetStage == target && p.RiskTier == tier)
            .OrderByDescending(p => p.Version).FirstAsync()).Policy());

    /// <summary>A whole policy body as PUT takes it, from the current version with some fields changed.</summary>
    internal static Dictionary<string, object?> Body(PromotionPolicy current, string note, Action<Dictionary<string, object?>>? change = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["basedOnVersion"] = current.Version,
            ["changeNote"] = note,
            ["requiredApprovals"] = current.RequiredApprovals.Select(a => new { role = a.Role, count = a.Count }).ToList(),
            ["minimumCardCompleteness"] = current.MinimumCardCompleteness,
            ["metricThresholdsMustPass"] = current.MetricThresholdsMustPass,
            ["allowsSeveralProduction"] = current.AllowsSeveralProduction,
            ["requestExpiryDays"] = (int)current.RequestExpiry.TotalDays,
            ["allowedFromStages"] = current.AllowedFromStages.Select(s => s.ToString().ToLowerInvariant()).ToList(),
            ["requireApplicableChecklistsSignedOff"] = current.RequireApplicableChecklistsSignedOff,
        };
        change?.Invoke(body);
        return body;
    }

    [Fact]
    public async Task Every_stage_and_tier_is_seeded_with_its_default_as_version_1_once()
    {
        var seeded = await portal.WithDbAsync(db => db.PromotionPolicyVersions.AsNoTracking().Where(p => p.Version == 1).ToListAsync());

        Assert.Equal(PromotionPolicies.Defaults.Count, seeded.Count);
        foreach (var expected in PromotionPolicies.Defaults)
        {
            var row = Assert.Single(seeded, r => r.TargetStage == expected.TargetStage && r.RiskTier == expected.RiskTier);
            Assert.Equal(PromotionService.SerializePolicy(expected), PromotionService.SerializePolicy(row.Policy()));
            Assert.Equal(PromotionPolicyStore.SeedAuthor, row.CreatedBy);
        }
        Assert.Equal(PromotionPolicies.Defaults.Count, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "policy.seeded")));

        // Preparing the database again (a restart, a second instance, the migrate command) adds nothing.
        var rows = await portal.WithDbAsync(db => db.PromotionPolicyVersions.CountAsync());
        var events = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }
        Assert.Equal(rows, await portal.WithDbAsync(db => db.PromotionPolicyVersions.CountAsync()));
        Assert.Equal(events, await portal.WithDbAsync(db => db.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task A_saved_version_cannot_be_changed()
    {
        await portal.WithDbAsync(async db =>
        {
            var row = await db.PromotionPolicyVersions.FirstAsync(p => p.Version == 1);
            db.Entry(row).Property(p => p.ChangeNote).CurrentValue = "rewritten history";
            db.Audit.Record("test.rewrite", row);
            await Assert.ThrowsAnyAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        });
    }

    [Theory]
    [InlineData("owner@demo.test")]
    [InlineData("viewer@demo.test")]
    [InlineData("auditor@demo.test")]
    [InlineData("compliance@demo.test")]
    public async Task Everyone_signed_in_reads_the_policies_and_their_history(string username)
    {
        var client = await PortalClient.SignedInAsync(portal, username);
        var api = await As(username);

        var list = await client.GetDocumentAsync("/approvals/policies");
        var history = await client.GetDocumentAsync("/approvals/policies/Production/High/versions");
        var current = await api.GetFromJsonAsync<JsonElement>("/api/v1/policies");
        var versions = await api.GetFromJsonAsync<JsonElement>("/api/v1/policies/production/high/versions");

        Assert.NotNull(list.QuerySelector("[data-testid=policy-Production-High]"));
        Assert.Contains("2 ComplianceOfficers", list.QuerySelector("[data-testid=policy-Production-High]")!.TextContent);
        Assert.NotNull(history.QuerySelector("[data-testid=policy-version-1]"));
        Assert.Equal(PromotionPolicies.Defaults.Count, current.GetArrayLength());
        Assert.Equal(1, versions.EnumerateArray().Last().GetProperty("version").GetInt32());
        // Only editors are offered the edit form.
        Assert.Equal(username == "compliance@demo.test", list.QuerySelector("[data-testid=edit-policy]") is not null);
    }

    [Theory]
    [InlineData("owner@demo.test")]
    [InlineData("viewer@demo.test")]
    [InlineData("auditor@demo.test")]
    public async Task Owners_viewers_and_auditors_cannot_edit_a_policy(string username)
    {
        var client = await PortalClient.SignedInAsync(portal, username);
        var api = await As(username);
        var before = await VersionCountAsync(Stage.Production, RiskTier.High);

        var page = await client.Http.GetAsync("/approvals/policies/Production/High/edit");
        var put = await api.PutAsync("/api/v1/policies/production/high",
            Json(Body(await CurrentAsync(Stage.Production, RiskTier.High), "Lower the bar.", b => b["minimumCardCompleteness"] = 10)));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/account/access-denied", page.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(before, await VersionCountAsync(Stage.Production, RiskTier.High));
    }

    [Fact]
    public async Task Anonymous_callers_get_nothing()
    {
        var anonymous = PortalClient.Anonymous(portal);

        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.Http.GetAsync("/approvals/policies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/api/v1/policies")).StatusCode);
    }

    [Fact]
    public async Task Unknown_stages_and_tiers_are_not_found()
    {
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var api = await As("compliance@demo.test");

        Assert.Equal(HttpStatusCode.NotFound, (await officer.Http.GetAsync("/approvals/policies/Development/High/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.Http.GetAsync("/approvals/policies/Production/Extreme/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/policies/archived/high/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsync("/api/v1/policies/production/2", Json(new { }))).StatusCode);
    }

    [Fact]
    public async Task The_api_saves_a_valid_edit_and_answers_invalid_ones_with_problems_naming_the_fields()
    {
        var officer = await As("compliance2@demo.test");
        var current = await CurrentAsync(Stage.Staging, RiskTier.Minimal);
        var before = await VersionCountAsync(Stage.Staging, RiskTier.Minimal);

        var invalid = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, " ", b =>
        {
            b["requiredApprovals"] = new[] { new { role = "Admin", count = 1 } };
            b["requestExpiryDays"] = 400;
            b["allowedFromStages"] = new[] { "staging" };
        })));
        var missing = await officer.PutAsync("/api/v1/policies/staging/minimal", RawJson("""{"basedOnVersion":1,"changeNote":"x"}"""));
        var unknown = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "x", b => b["approvals"] = 2)));
        var wrongType = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "x", b => b["minimumCardCompleteness"] = "60")));
        var huge = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "x", b => b["requestExpiryDays"] = int.MaxValue)));
        var unchanged = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "Nothing really.")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("'Admin' cannot approve", errors.GetProperty("requiredApprovals")[0].GetString());
        Assert.Contains("within 365 days", errors.GetProperty("requestExpiryDays")[0].GetString());
        Assert.Contains("from Staging to Staging", errors.GetProperty("allowedFromStages")[0].GetString());
        Assert.True(errors.TryGetProperty("changeNote", out _));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var missingFields = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(missingFields.TryGetProperty("minimumCardCompleteness", out _));
        Assert.True(missingFields.TryGetProperty("requireApplicableChecklistsSignedOff", out _));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("approvals", out _));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, huge.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unchanged.StatusCode);
        Assert.Equal(before, await VersionCountAsync(Stage.Staging, RiskTier.Minimal));

        var valid = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "Staging needs one officer now.", b =>
            b["requiredApprovals"] = new[] { new { role = "ComplianceOfficer", count = 1 } })));

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        var body = await valid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(current.Version + 1, body.GetProperty("version").GetInt32());
        Assert.Equal("compliance2@demo.test", body.GetProperty("createdBy").GetString());
        Assert.Equal(PolicyFields.RequiredApprovals, body.GetProperty("changes")[0].GetProperty("field").GetString());
        var listed = (await officer.GetFromJsonAsync<JsonElement>("/api/v1/policies")).EnumerateArray()
            .Single(p => p.GetProperty("targetStage").GetString() == "staging" && p.GetProperty("riskTier").GetString() == "minimal");
        Assert.Equal(current.Version + 1, listed.GetProperty("version").GetInt32());

        var stale = await officer.PutAsync("/api/v1/policies/staging/minimal", Json(Body(current, "Based on an old version.", b => b["minimumCardCompleteness"] = 45)));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains($"saved version {current.Version + 1}", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(before + 1, await VersionCountAsync(Stage.Staging, RiskTier.Minimal));
    }

    /// <summary>Production/High keeps its approvals here: another test reads "2 ComplianceOfficers" from it.</summary>
    [Fact]
    public async Task Named_checklist_templates_are_saved_from_the_form_and_the_api_unknown_ids_refused_and_rows_without_them_load()
    {
        // A row stored before the field existed: its JSON has no requiredChecklistTemplates.
        var seeded = await CurrentAsync(Stage.Production, RiskTier.High);
        await portal.WithDbAsync(async db =>
        {
            var json = JsonNode.Parse(PromotionService.SerializePolicy(seeded with { Version = seeded.Version + 1, RequestExpiry = TimeSpan.FromDays(12) }))!.AsObject();
            Assert.True(json.Remove("requiredChecklistTemplates"));
            var row = new PromotionPolicyVersion
            {
                TargetStage = Stage.Production, RiskTier = RiskTier.High, Version = seeded.Version + 1, PolicyJson = json.ToJsonString(),
                CreatedBy = "compliance@demo.test", CreatedAt = DateTimeOffset.UtcNow, ChangeNote = "Stored by an earlier release.",
            };
            db.PromotionPolicyVersions.Add(row);
            db.Audit.Record("policy.changed", row);
            await db.SaveChangesAsync();
        });
        var current = await CurrentAsync(Stage.Production, RiskTier.High);
        Assert.Equal((seeded.Version + 1, TimeSpan.FromDays(12)), (current.Version, current.RequestExpiry));
        Assert.Empty(current.RequiredChecklistTemplates);

        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var form = await officer.GetDocumentAsync("/approvals/policies/Production/High/edit");
        Assert.Equal("", form.QuerySelector("#required-checklists")!.GetAttribute("value"));
        Assert.Contains("hipaa", form.QuerySelector("[data-testid=checklist-library]")!.TextContent);
        // What the editor's fields become when published (the page itself is tested with bUnit): the form's input through the store.
        async Task<Result<PromotionPolicyVersion>> PublishAsync(string templates, string note)
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var row = (await scope.ServiceProvider.GetRequiredService<PromotionPolicyStore>().LatestRowAsync(Stage.Production, RiskTier.High))!;
            var input = PolicyInput.From(row);
            input.RequiredChecklistTemplates = templates;
            input.ChangeNote = note;
            var caller = new Caller("compliance@demo.test", [Identity.Roles.ComplianceOfficer], null);
            return await scope.ServiceProvider.GetRequiredService<PromotionPolicyStore>().SaveAsync(caller, input.Edit(Stage.Production, RiskTier.High, row.Policy()));
        }
        var events = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());

        var refused = await PublishAsync("hipaa, hippa", "Name HIPAA.");
        Assert.StartsWith("'hippa' is not a checklist template; the library has ", refused.Failure!.Errors![PolicyFields.RequiredChecklistTemplates][0]);
        Assert.Equal(current.Version, (await CurrentAsync(Stage.Production, RiskTier.High)).Version);
        Assert.Equal(events, await portal.WithDbAsync(db => db.AuditEvents.CountAsync()));

        Assert.Null((await PublishAsync("hipaa gdpr", "HIPAA and GDPR wherever they apply.")).Failure);
        var afterForm = await CurrentAsync(Stage.Production, RiskTier.High);
        Assert.Equal(current.Version + 1, afterForm.Version);
        Assert.Equal(["hipaa", "gdpr"], afterForm.RequiredChecklistTemplates);
        Assert.Equal(current with { Version = afterForm.Version, RequiredChecklistTemplates = afterForm.RequiredChecklistTemplates }, afterForm, PolicyComparer);
        var audit = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "policy.changed").OrderByDescending(e => e.Sequence).FirstAsync());
        var details = JsonDocument.Parse(audit.Payload).RootElement.GetProperty("details");
        Assert.Equal(["hipaa", "gdpr"], details.GetProperty("after").GetProperty("requiredChecklistTemplates").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(PolicyFields.RequiredChecklistTemplates, details.GetProperty("changes").EnumerateArray().Single().GetProperty("field").GetString());
        var history = await officer.GetDocumentAsync("/approvals/policies/Production/High/versions");
        Assert.Contains("gdpr, hipaa", history.QuerySelector($"[data-testid=policy-version-{afterForm.Version}] tr[data-field={PolicyFields.RequiredChecklistTemplates}]")!.TextContent);
        Assert.Equal("hipaa, gdpr", (await officer.GetDocumentAsync("/approvals/policies/Production/High/edit")).QuerySelector("#required-checklists")!.GetAttribute("value"));

        var api = await As("compliance2@demo.test");
        const string url = "/api/v1/policies/production/high";
        var unknown = await api.PutAsync(url, Json(Body(afterForm, "Add a typo.", b => b["requiredChecklistTemplates"] = new[] { "hipaa", "nope" })));
        var twice = await api.PutAsync(url, Json(Body(afterForm, "Name it twice.", b => b["requiredChecklistTemplates"] = new[] { "hipaa", "hipaa" })));
        var wrongType = await api.PutAsync(url, Json(Body(afterForm, "Not a list.", b => b["requiredChecklistTemplates"] = "hipaa")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.StartsWith("'nope' is not a checklist template", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(PolicyFields.RequiredChecklistTemplates)[0].GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, twice.StatusCode);
        Assert.Contains("listed more than once", (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(PolicyFields.RequiredChecklistTemplates)[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(afterForm.Version, (await CurrentAsync(Stage.Production, RiskTier.High)).Version);

        // Left out (a client older than the field), the list stands; an empty list clears it.
        var kept = await api.PutAsync(url, Json(Body(afterForm, "Two weeks again.", b => b["requestExpiryDays"] = 14)));
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(["hipaa", "gdpr"], (await kept.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requiredChecklistTemplates").EnumerateArray().Select(e => e.GetString()));
        var cleared = await api.PutAsync(url, Json(Body(await CurrentAsync(Stage.Production, RiskTier.High), "Name none.", b => b["requiredChecklistTemplates"] = Array.Empty<string>())));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Empty((await CurrentAsync(Stage.Production, RiskTier.High)).RequiredChecklistTemplates);
    }

    private static readonly IEqualityComparer<PromotionPolicy> PolicyComparer = EqualityComparer<PromotionPolicy>.Create(
        (a, b) => PromotionService.SerializePolicy(a!) == PromotionService.SerializePolicy(b!), p => 0);

    [Fact]
    public async Task Of_two_concurrent_edits_from_the_same_version_exactly_one_wins()
    {
        var first = await As("compliance@demo.test");
        var second = await As("admin@demo.test");
        var current = await CurrentAsync(Stage.Staging, RiskTier.Limited);
        var before = await VersionCountAsync(Stage.Staging, RiskTier.Limited);

        var responses = await Task.WhenAll(
            first.PutAsync("/api/v1/policies/staging/limited", Json(Body(current, "Raise to 70.", b => b["minimumCardCompleteness"] = 70))),
            second.PutAsync("/api/v1/policies/staging/limited", Json(Body(current, "Raise to 75.", b => b["minimumCardCompleteness"] = 75))));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(before + 1, await VersionCountAsync(Stage.Staging, RiskTier.Limited));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(winner.GetProperty("minimumCardCompleteness").GetInt32(), (await CurrentAsync(Stage.Staging, RiskTier.Limited)).MinimumCardCompleteness);
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "policy.changed" && e.EntityId == $"Staging/Limited/{current.Version + 1}")));
    }

    [Fact]
    public async Task A_request_made_before_an_edit_is_decided_under_its_version_while_new_requests_get_the_new_one()
    {
        var owner = await As("owner@demo.test");
        var officer = await As("compliance@demo.test");
        await CompleteCardAsync(owner, "mortgage-affordability", "0.9.0");
        await CompleteCardAsync(owner, "credit-default-pd", "2.0.0");
        var old = await RequestStagingAsync(owner, "mortgage-affordability", "0.9.0");
        var oldVersion = old.GetProperty("policyVersion").GetInt32();
        Assert.Equal("needs 1 more ComplianceOfficer", old.GetProperty("stillNeeded").GetString());

        var current = await CurrentAsync(Stage.Staging, RiskTier.High);
        var edited = await officer.PutAsync("/api/v1/policies/staging/high", Json(Body(current, "Two officers for high-risk staging.", b =>
            b["requiredApprovals"] = new[] { new { role = "ComplianceOfficer", count = 2 } })));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        var fresh = await RequestStagingAsync(owner, "credit-default-pd", "2.0.0");
        Assert.Equal(oldVersion + 1, fresh.GetProperty("policyVersion").GetInt32());
        Assert.Equal("needs 2 more ComplianceOfficers", fresh.GetProperty("stillNeeded").GetString());

        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var page = await viewer.GetDocumentAsync($"/approvals/{old.GetProperty("id").GetGuid()}");
        Assert.Contains($"version {oldVersion}", page.QuerySelector("[data-testid=request-policy]")!.TextContent);
        Assert.Contains($"now at version {oldVersion + 1}", page.QuerySelector("[data-testid=policy-superseded]")!.TextContent);
        Assert.Contains("1 more ComplianceOfficer", page.QuerySelector("[data-testid=still-needed]")!.TextContent);

        var approved = await officer.PostAsync($"/api/v1/promotions/{old.GetProperty("id").GetGuid()}/decisions", Json(new { decision = "approve" }));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var half = await officer.PostAsync($"/api/v1/promotions/{fresh.GetProperty("id").GetGuid()}/decisions", Json(new { decision = "approve" }));
        var halfBody = await half.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", halfBody.GetProperty("status").GetString());
        Assert.Equal("needs 1 more ComplianceOfficer", halfBody.GetProperty("stillNeeded").GetString());
    }

    /// <summary>
    /// Policies and request snapshots stored before the generic sign-off list was removed carry a <c>requiredSignOffs</c>
    /// member; they must still load everywhere a policy is read, and judge with the checklist gate as the only sign-off gate.
    /// </summary>
    [Fact]
    public async Task Policies_stored_with_the_removed_sign_off_list_still_load_and_judge_without_it()
    {
        static string WithLegacySignOffs(PromotionPolicy policy)
        {
            var json = JsonNode.Parse(PromotionService.SerializePolicy(policy))!.AsObject();
            json["requiredSignOffs"] = JsonNode.Parse("""[{"id":"hipaa","displayName":"HIPAA checklist"}]""");
            return json.ToJsonString();
        }
        var current = await CurrentAsync(Stage.Production, RiskTier.Prohibited);
        await portal.WithDbAsync(async db =>
        {
            var row = new PromotionPolicyVersion
            {
                TargetStage = Stage.Production, RiskTier = RiskTier.Prohibited, Version = current.Version + 1,
                PolicyJson = WithLegacySignOffs(current with { Version = current.Version + 1, RequestExpiry = TimeSpan.FromDays(10) }),
                CreatedBy = "compliance@demo.test", CreatedAt = DateTimeOffset.UtcNow, ChangeNote = "Stored by an earlier release.",
            };
            db.PromotionPolicyVersions.Add(row);
            db.Audit.Record("policy.changed", row);
            await db.SaveChangesAsync();
        });
        var officer = await As("compliance@demo.test");
        var browser = await PortalClient.SignedInAsync(portal, "compliance@demo.test");

        var stored = await CurrentAsync(Stage.Production, RiskTier.Prohibited);
        Assert.Equal((current.Version + 1, TimeSpan.FromDays(10)), (stored.Version, stored.RequestExpiry));
        var listed = (await officer.GetFromJsonAsync<JsonElement>("/api/v1/policies")).EnumerateArray()
            .Single(p => p.GetProperty("targetStage").GetString() == "production" && p.GetProperty("riskTier").GetString() == "prohibited");
        Assert.Equal(10, listed.GetProperty("requestExpiryDays").GetDouble());
        Assert.False(listed.TryGetProperty("requiredSignOffs", out _));
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/v1/policies/production/prohibited/versions")).StatusCode);
        Assert.NotNull((await browser.GetDocumentAsync("/approvals/policies/Production/Prohibited/versions")).QuerySelector($"[data-testid=policy-version-{stored.Version}]"));
        Assert.DoesNotContain("sign-offs", (await browser.GetDocumentAsync("/approvals/policies")).Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        var edited = await officer.PutAsync("/api/v1/policies/production/prohibited", Json(Body(stored, "Back to 14 days.", b => b["requestExpiryDays"] = 14)));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.DoesNotContain("requiredSignOffs", await portal.WithDbAsync(db => db.PromotionPolicyVersions
            .Where(p => p.TargetStage == Stage.Production && p.RiskTier == RiskTier.Prohibited && p.Version == stored.Version + 1).Select(p => p.PolicyJson).SingleAsync()));

        // A request snapshotted under such a policy is read, shown and decided with today's gates.
        var id = await portal.WithDbAsync(async db =>
        {
            var version = (await RegistryQueries.FindVersionAsync(db, "radiology-triage", "0.3.0"))!;
            var policy = (await db.PromotionPolicyVersions.AsNoTracking().Where(p => p.TargetStage == Stage.Staging && p.RiskTier == version.Model.RiskTier)
                .OrderByDescending(p => p.Version).FirstAsync()).Policy();
            var promotion = new Promotion
            {
                VersionId = version.Id, FromStage = version.Stage, TargetStage = Stage.Staging, Requester = "owner2@demo.test", Justification = "Pilot wards.",
                State = PromotionRequestState.Pending, PolicyVersion = policy.Version, PolicyJson = WithLegacySignOffs(policy),
                GatesJson = """[{"name":"Sign-offs","passed":true,"explanation":"passed: this policy requires no sign-offs"}]""",
                CreatedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddDays(14),
            };
            db.Promotions.Add(promotion);
            db.Audit.Record("promotion.requested", promotion);
            await db.SaveChangesAsync();
            return promotion.Id;
        });
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/v1/promotions/{id}")).StatusCode);
        Assert.NotNull((await browser.GetDocumentAsync($"/approvals/{id}")).QuerySelector("[data-testid=request-policy]"));
        var decided = await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var gates = (await decided.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("name").GetString()).ToList();
        Assert.Contains(GateNames.Checklists, gates);
        Assert.DoesNotContain(gates, g => g!.StartsWith("Sign-offs", StringComparison.Ordinal));
    }

    private static async Task CompleteCardAsync(HttpClient owner, string key, string version)
    {
        var source = await owner.GetFromJsonAsync<JsonElement>("/api/v1/models/sepsis-early-warning/versions/1.1.0/card");
        var response = await owner.PutAsync($"/api/v1/models/{key}/versions/{version}/card", RawJson(source.GetProperty("card").GetRawText()));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> RequestStagingAsync(HttpClient owner, string key, string version)
    {
        var response = await owner.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions",
            Json(new { targetStage = "staging", justification = "Ready for shadow traffic." }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public sealed class PolicyTestsOnSqlite(SqlitePortal portal) : PolicyTests(portal), IClassFixture<SqlitePortal>;

public sealed class PolicyTestsOnPostgreSql(PostgreSqlPortal portal) : PolicyTests(portal), IClassFixture<PostgreSqlPortal>;

/// <summary>A database whose schema was applied without the portal (as a DBA applies db/*/schema.sql): no policies yet.</summary>
public abstract class PolicySeedingTests(PortalFactory portal)
{
    [Fact]
    public async Task Migrating_a_database_whose_schema_exists_stores_the_defaults_as_version_1()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        await db.GetService<IMigrator>().MigrateAsync();
        Assert.Empty(await db.PromotionPolicyVersions.AsNoTracking().ToListAsync());

        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        var rows = await db.PromotionPolicyVersions.AsNoTracking().ToListAsync();
        Assert.Equal(PromotionPolicies.Defaults.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, r.Version));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}

/// <summary>A database seeded before ADR-031, whose Production/High version 1 is the earlier default without the checklist switch.</summary>
public abstract class PolicyDefaultFollowingTests(PortalFactory portal)
{
    [Fact]
    public async Task Preparing_it_again_adds_the_changed_default_as_an_audited_version_2_by_the_system_once()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        await db.GetService<IMigrator>().MigrateAsync();
        var earlier = PromotionPolicies.Default(Stage.Production, RiskTier.High)! with { RequireApplicableChecklistsSignedOff = false };
        var seeded = PromotionPolicyVersion.Of(earlier, PromotionPolicyStore.SeedAuthor, DateTimeOffset.UtcNow.AddDays(-30), PromotionPolicyStore.SeedNote);
        db.PromotionPolicyVersions.Add(seeded);
        db.Audit.Record("policy.seeded", seeded, new { stage = "Production", tier = "High", version = 1, after = earlier });
        await db.SaveChangesAsync();

        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        var rows = await db.PromotionPolicyVersions.AsNoTracking().ToListAsync();
        var high = rows.Where(r => r is { TargetStage: Stage.Production, RiskTier: RiskTier.High }).OrderBy(r => r.Version).ToList();
        Assert.Equal([1, 2], high.Select(r => r.Version));
        Assert.Equal((PromotionPolicyStore.SeedAuthor, PromotionPolicyStore.DefaultChangedNote, true),
            (high[1].CreatedBy, high[1].ChangeNote, high[1].Policy().RequireApplicableChecklistsSignedOff));
        Assert.All(rows.Except(high), r => Assert.Equal(1, r.Version));
        var changed = Assert.Single(await db.AuditEvents.AsNoTracking().Where(e => e.Action == "policy.changed").ToListAsync());
        Assert.Equal(PromotionPolicyStore.SeedAuthor, changed.ActorUsername);
        Assert.Contains("requireApplicableChecklistsSignedOff", changed.Payload, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class PolicyDefaultFollowingTestsOnSqlite(UnmigratedSqlitePortal portal) : PolicyDefaultFollowingTests(portal), IClassFixture<UnmigratedSqlitePortal>;

public sealed class PolicyDefaultFollowingTestsOnPostgreSql(UnmigratedPostgreSqlPortal portal) : PolicyDefaultFollowingTests(portal), IClassFixture<UnmigratedPostgreSqlPortal>;

public class UnmigratedPortal(TestDatabase database) : PortalFactory(database)
{
    protected override bool SeedDemo => false;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:MigrateOnStartup", "false");
    }
}

public sealed class UnmigratedSqlitePortal() : UnmigratedPortal(TestDatabase.Sqlite);

public sealed class UnmigratedPostgreSqlPortal() : UnmigratedPortal(TestDatabase.PostgreSql);

public sealed class PolicySeedingTestsOnSqlite(UnmigratedSqlitePortal portal) : PolicySeedingTests(portal), IClassFixture<UnmigratedSqlitePortal>;

public sealed class PolicySeedingTestsOnPostgreSql(UnmigratedPostgreSqlPortal portal) : PolicySeedingTests(portal), IClassFixture<UnmigratedPostgreSqlPortal>;
