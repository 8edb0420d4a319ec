using System.Net;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Hosting;

/// <summary>
/// Each role is offered only what it may open: every link and get-form on the pages a person of that role reaches is
/// followed as that person, and none ends in "access denied".
/// </summary>
public abstract class OfferedLinksTests(PortalFactory portal)
{
    public static TheoryData<string> Personas =>
        ["viewer@demo.test", "owner@demo.test", "owner2@demo.test", "compliance@demo.test", "auditor@demo.test", "admin@demo.test"];

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Every_link_a_person_is_offered_opens_for_them(string persona)
    {
        var client = await PortalClient.SignedInAsync(portal, persona);
        var promotion = await portal.WithDbAsync(db => db.Promotions.OrderBy(p => p.CreatedAt).Select(p => p.Id).FirstAsync());
        string[] pages =
        [
            "/", "/models", "/models/sepsis-early-warning", "/models/sepsis-early-warning/versions/1.1.0", "/models/radiology-triage/versions/0.3.0",
            "/models/radiology-triage/versions/0.3.0/compliance/hipaa", "/models/sepsis-early-warning/versions/1.1.0/compliance/hipaa",
            "/models/sepsis-early-warning/compliance", "/production", "/approvals", $"/approvals/{promotion}", "/approvals/policies", "/compliance",
            "/compliance/templates", "/compliance/templates/hipaa", "/notifications", "/models/sepsis-early-warning/versions/1.1.0/card/revisions",
            // The trail links each event to its subject; an auditor must be able to open every one.
            "/audit", "/audit?action=promotion.approved", "/audit?entityType=Assessment", "/audit?entityType=ModelCardRevision", "/audit?entityType=RetirementPlan",
            "/audit?entityType=PromotionPolicyVersion", "/audit?entityType=ChecklistTemplateVersion", "/audit/verify", "/admin/api-keys",
        ];
        var offered = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            var response = await client.Http.GetAsync(page);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                continue; // a page this role may not open is not one it reaches (the page sweep checks who may)
            }
            var document = PortalClient.Parse(await response.Content.ReadAsStringAsync());
            var targets = document.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!)
                .Concat(document.QuerySelectorAll("form:not([method=post])[action]").Select(f => f.GetAttribute("action")!));
            foreach (var target in targets.Where(t => t.StartsWith('/') && !t.StartsWith("/account/", StringComparison.Ordinal)))
            {
                offered.TryAdd(target.Split('#')[0], page);
            }
        }

        var refused = new List<string>();
        foreach (var (target, on) in offered)
        {
            var response = await client.Http.GetAsync(target);
            if (response.StatusCode == HttpStatusCode.Forbidden || response.Headers.Location?.AbsolutePath() == "/account/access-denied")
            {
                refused.Add($"{target} (offered on {on})");
            }
        }
        Assert.True(offered.Count > 20, $"only {offered.Count} links found");
        Assert.True(refused.Count == 0, $"{persona} is offered what they may not open:\n{string.Join("\n", refused)}");
    }
}

file static class LocationPath
{
    public static string AbsolutePath(this Uri uri) => uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];
}

public sealed class OfferedLinksTestsOnSqlite(SqlitePortal portal) : OfferedLinksTests(portal), IClassFixture<SqlitePortal>;

public sealed class OfferedLinksTestsOnPostgreSql(PostgreSqlPortal portal) : OfferedLinksTests(portal), IClassFixture<PostgreSqlPortal>;
