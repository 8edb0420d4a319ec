using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GovernancePortal.Approvals;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>The promotion gate "every applicable checklist signed off", switched on in a policy and judged from real assessments.</summary>
public abstract class ChecklistGateTests(PortalFactory portal)
{
    private const string HipaaGate = "Checklists: HIPAA";

    private static async Task<Dictionary<string, JsonElement>> GatesAsync(HttpResponseMessage response)
    {
        var body = await BodyAsync(response);
        return body.GetProperty("gates").EnumerateArray().ToDictionary(g => g.GetProperty("name").GetString()!, g => g);
    }

    private static Task<HttpResponseMessage> RequestAsync(HttpClient owner, string key, string target) =>
        owner.PostAsync($"/api/v1/models/{key}/versions/1.0.0/promotions", Json(new { targetStage = target, justification = "Ready for the ward pilot." }));

    /// <summary>Turns the switch on for one stage × tier through the API, as an officer would.</summary>
    private async Task RequireChecklistsAsync(HttpClient officer, Stage stage, RiskTier tier)
    {
        var current = await PolicyTests.CurrentAsync(portal, stage, tier);
        var body = PolicyTests.Body(current, "Checklists must be signed off before this stage.", b => b["requireApplicableChecklistsSignedOff"] = true);
        await OkAsync(await officer.PutAsync($"/api/v1/policies/{stage}/{tier}".ToLowerInvariant(), Json(body)));
    }

    [Fact]
    public async Task The_gate_names_missing_items_until_the_assessment_is_signed_off_and_only_where_the_policy_asks()
    {
        var owner = await ApiAsync(portal, "owner2@demo.test");
        var officer = await ApiAsync(portal, "compliance@demo.test");
        var key = await PhiModelAsync(owner, "gate-sepsis-triage");

        // Before the switch: one informational line, nothing blocked by checklists.
        var before = await GatesAsync(await RequestAsync(owner, key, "staging"));
        Assert.Equal("passed: this policy does not require checklist sign-offs", before["Checklists"].GetProperty("explanation").GetString());

        await RequireChecklistsAsync(officer, Stage.Staging, RiskTier.High);
        var blocked = await RequestAsync(owner, key, "staging");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, blocked.StatusCode);
        var hipaa = (await GatesAsync(blocked))[HipaaGate];
        Assert.False(hipaa.GetProperty("passed").GetBoolean());
        var explanation = hipaa.GetProperty("explanation").GetString()!;
        Assert.True(Regex.IsMatch(explanation, @"^blocked: HIPAA is not signed off; missing: HIPAA item hipaa-[a-z0-9-]+ \(45 CFR §.+?\): unanswered; "),
            explanation);
        // Every missing item is named in the explanation and listed on its own in the gate's "missing".
        var missing = hipaa.GetProperty("missing").EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.True(missing.Count > 30, explanation);
        Assert.All(missing, m => Assert.Contains(m, explanation));
        Assert.EndsWith(missing[^1], explanation);

        await SignedOffAsync(owner, officer, key, "1.0.0");
        var afterSignOff = await GatesAsync(await RequestAsync(owner, key, "staging"));
        Assert.Equal("passed: HIPAA is signed off", afterSignOff[HipaaGate].GetProperty("explanation").GetString());

        // Every applicable template has its own line; the request opens only when all of them pass.
        var others = afterSignOff.Where(g => g.Key.StartsWith("Checklists: ", StringComparison.Ordinal) && g.Key != HipaaGate).ToList();
        foreach (var (name, gate) in others)
        {
            Assert.False(gate.GetProperty("passed").GetBoolean(), name);
        }
        foreach (var template in others.Select(g => g.Key))
        {
            var id = (await OkAsync(await owner.GetAsync($"/api/v1/models/{key}/versions/1.0.0/assessments"))).EnumerateArray()
                .Single(a => "Checklists: " + a.GetProperty("title").GetString() == template).GetProperty("template").GetString()!;
            await SignedOffAsync(owner, officer, key, "1.0.0", id);
        }
        // The model card is still empty, so the request stays blocked, but no longer by a checklist.
        var final = await GatesAsync(await RequestAsync(owner, key, "staging"));
        Assert.All(final.Where(g => g.Key.StartsWith("Checklists", StringComparison.Ordinal)), g => Assert.True(g.Value.GetProperty("passed").GetBoolean(), g.Key));
        Assert.Equal(["Model card completeness"], final.Where(g => !g.Value.GetProperty("passed").GetBoolean()).Select(g => g.Key));
    }

    /// <summary>Staging/Limited is this test's own policy; the switch stays off, so only the named templates are judged.</summary>
    [Fact]
    public async Task Named_templates_block_until_signed_off_where_they_apply_and_pass_where_they_do_not()
    {
        var owner = await ApiAsync(portal, "owner2@demo.test");
        var officer = await ApiAsync(portal, "compliance@demo.test");
        var model = RegistryTestData.ModelBody("gate-named-triage");
        model["owner"] = "owner2@demo.test";
        model["team"] = "Clinical AI";
        model["riskTier"] = "limited";
        model["dataCategories"] = new System.Text.Json.Nodes.JsonArray("protectedHealthInformation");
        await OkAsync(await owner.PostAsync("/api/v1/models", Json(model)));
        await OkAsync(await owner.PostAsync("/api/v1/models/gate-named-triage/versions", Json(RegistryTestData.VersionBody("1.0.0", "improvedModel"))));
        var current = await PolicyTests.CurrentAsync(portal, Stage.Staging, RiskTier.Limited);
        Assert.False(current.RequireApplicableChecklistsSignedOff);
        await OkAsync(await officer.PutAsync("/api/v1/policies/staging/limited", Json(PolicyTests.Body(current, "HIPAA and GDPR where they apply.",
            b => b["requiredChecklistTemplates"] = new[] { "hipaa", "gdpr" }))));

        var blocked = await GatesAsync(await RequestAsync(owner, "gate-named-triage", "staging"));
        // HIPAA applies (PHI) and blocks naming its items; GDPR does not (no EU data subjects) and says so; unnamed templates get no line.
        Assert.Equal(["Checklists: GDPR", HipaaGate], blocked.Keys.Where(k => k.StartsWith("Checklists", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.False(blocked[HipaaGate].GetProperty("passed").GetBoolean());
        Assert.Matches(@"^blocked: HIPAA is not signed off; missing: HIPAA item hipaa-[a-z0-9-]+ \(45 CFR §.+?\): unanswered; ", blocked[HipaaGate].GetProperty("explanation").GetString());
        Assert.True(blocked["Checklists: GDPR"].GetProperty("passed").GetBoolean());
        Assert.StartsWith("passed: GDPR is named by this policy and does not apply to this model. GDPR does not apply: ", blocked["Checklists: GDPR"].GetProperty("explanation").GetString());

        await SignedOffAsync(owner, officer, "gate-named-triage", "1.0.0");
        var signed = await GatesAsync(await RequestAsync(owner, "gate-named-triage", "staging"));
        Assert.Equal("passed: HIPAA is signed off", signed[HipaaGate].GetProperty("explanation").GetString());
        Assert.All(signed.Where(g => g.Key.StartsWith("Checklists", StringComparison.Ordinal)), g => Assert.True(g.Value.GetProperty("passed").GetBoolean(), g.Key));
    }
}

public sealed class ChecklistGateTestsOnSqlite(SqlitePortal portal) : ChecklistGateTests(portal), IClassFixture<SqlitePortal>;

public sealed class ChecklistGateTestsOnPostgreSql(PostgreSqlPortal portal) : ChecklistGateTests(portal), IClassFixture<PostgreSqlPortal>;
