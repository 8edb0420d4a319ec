using System.Net;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Hosting;

/// <summary>
/// Every routed page, rendered from the demo data: who may open it gets it without inline script or style (strict CSP),
/// who may not is sent to access-denied, and a page added without a row here fails the sweep.
/// </summary>
public abstract class PageSweepTests(PortalFactory portal)
{
    private const string Anonymous = "";

    /// <summary>A page's route, a URL that renders it from the demo data, a persona who may open it and one who may not (null: every signed-in user may).</summary>
    private sealed record PageCase(string Route, string Url, string Persona, string? Refused = null);

    /// <summary>Pages the demo has no data for; the named tests render and authorize them with data they create.</summary>
    private static readonly Dictionary<string, string> SweptElsewhere = new()
    {
        ["/rollbacks/{Id:guid}"] = "RollbackPageTests",
        ["/retrospectives/{Id:guid}"] = "RollbackPageTests",
    };

    private async Task<IReadOnlyList<PageCase>> CasesAsync()
    {
        var promotion = await portal.WithDbAsync(db => db.Promotions.OrderBy(p => p.CreatedAt).Select(p => p.Id).FirstAsync());
        return
        [
            new("/", "/", "viewer@demo.test"),
            new("/not-found", "/not-found", Anonymous),
            new("/error", "/error", Anonymous),
            new("/account/sign-in", "/account/sign-in", Anonymous),
            new("/account/access-denied", "/account/access-denied", "viewer@demo.test"),
            new("/models", "/models", "viewer@demo.test"),
            new("/models/new", "/models/new", "owner@demo.test", "viewer@demo.test"),
            new("/models/{Key}", "/models/sepsis-early-warning", "viewer@demo.test"),
            new("/models/{Key}/edit", "/models/churn-retail/edit", "owner@demo.test", "viewer@demo.test"),
            new("/models/{Key}/versions/new", "/models/churn-retail/versions/new", "owner@demo.test", "viewer@demo.test"),
            new("/models/{Key}/versions/{Version}", "/models/sepsis-early-warning/versions/1.1.0", "viewer@demo.test"),
            new("/models/{Key}/versions/{Version}/card", "/models/sepsis-early-warning/versions/1.2.0/card", "owner2@demo.test", "viewer@demo.test"),
            new("/models/{Key}/versions/{Version}/card/revisions", "/models/sepsis-early-warning/versions/1.1.0/card/revisions", "viewer@demo.test"),
            new("/production", "/production", "viewer@demo.test"),
            new("/models/{Key}/versions/{Version}/promote", "/models/sepsis-early-warning/versions/1.2.0/promote?target=Production", "owner2@demo.test", "viewer@demo.test"),
            new("/approvals", "/approvals", "viewer@demo.test"),
            new("/approvals/{Id:guid}", $"/approvals/{promotion}", "viewer@demo.test"),
            new("/approvals/policies", "/approvals/policies", "viewer@demo.test"),
            new("/approvals/policies/{StageText}/{TierText}/versions", "/approvals/policies/Production/High/versions", "viewer@demo.test"),
            new("/approvals/policies/{StageText}/{TierText}/edit", "/approvals/policies/Production/High/edit", "compliance@demo.test", "owner@demo.test"),
            new("/models/{Key}/rollback", "/models/sepsis-early-warning/rollback", "owner2@demo.test", "viewer@demo.test"),
            new("/compliance", "/compliance", "viewer@demo.test"),
            new("/compliance/templates", "/compliance/templates", "viewer@demo.test"),
            new("/compliance/templates/{TemplateId}", "/compliance/templates/hipaa", "viewer@demo.test"),
            new("/compliance/templates/{TemplateId}/edit", "/compliance/templates/hipaa/edit", "compliance@demo.test", "owner@demo.test"),
            new("/models/{Key}/compliance", "/models/sepsis-early-warning/compliance", "viewer@demo.test"),
            // The in-progress demo assessment, as its owner: every answer and evidence form is on the page.
            new("/models/{Key}/versions/{Version}/compliance/{TemplateId}", "/models/radiology-triage/versions/0.3.0/compliance/hipaa", "owner2@demo.test"),
            new("/models/{Key}/versions/{Version}/compliance/{TemplateId}/upgrade", "/models/sepsis-early-warning/versions/1.1.0/compliance/hipaa/upgrade",
                "owner2@demo.test", "compliance@demo.test"),
            new("/notifications", "/notifications", "viewer@demo.test"),
            new("/audit", "/audit", "auditor@demo.test", "viewer@demo.test"),
            new("/audit/verify", "/audit/verify", "auditor@demo.test", "viewer@demo.test"),
            new("/audit/events/{Sequence:long}", "/audit/events/1", "auditor@demo.test", "viewer@demo.test"),
            new("/admin/api-keys", "/admin/api-keys", "admin@demo.test", "viewer@demo.test"),
        ];
    }

    [Fact]
    public async Task Every_page_renders_without_inline_script_or_style_for_its_roles_and_refuses_the_others()
    {
        _ = portal.Server;
        var routed = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => e.RoutePattern.RawText!).Distinct().Order().ToList();
        var cases = await CasesAsync();
        Assert.True(routed.Count > 20, $"Only {routed.Count} pages were found; the enumeration is broken.");
        Assert.Equal(routed, cases.Select(c => c.Route).Concat(SweptElsewhere.Keys).Order().ToList());

        var clients = new Dictionary<string, PortalClient>();
        async Task<PortalClient> ClientAsync(string persona)
        {
            if (!clients.TryGetValue(persona, out var client))
            {
                client = persona == Anonymous ? PortalClient.Anonymous(portal) : await PortalClient.SignedInAsync(portal, persona);
                clients[persona] = client;
            }
            return client;
        }

        foreach (var page in cases)
        {
            var response = await (await ClientAsync(page.Persona)).Http.GetAsync(page.Url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page.Url} as {page.Persona}: {(int)response.StatusCode} {response.Headers.Location}");
            var inline = PortalClient.Parse(html).QuerySelectorAll("script:not([src]), [style]").Select(e => e.OuterHtml[..Math.Min(120, e.OuterHtml.Length)]);
            Assert.True(!inline.Any(), $"{page.Url} has inline script or style: {string.Join(" | ", inline)}");
            if (page.Persona == Anonymous)
            {
                continue;
            }
            var anonymous = await (await ClientAsync(Anonymous)).Http.GetAsync(page.Url);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Redirect && anonymous.Headers.Location!.OriginalString.Contains("/account/sign-in"),
                $"{page.Url} anonymously: {(int)anonymous.StatusCode} {anonymous.Headers.Location}");
            if (page.Refused is { } refused)
            {
                var denied = await (await ClientAsync(refused)).Http.GetAsync(page.Url);
                Assert.True(denied.StatusCode == HttpStatusCode.Redirect && denied.Headers.Location!.OriginalString.Contains("/account/access-denied"),
                    $"{page.Url} as {refused}: {(int)denied.StatusCode} {denied.Headers.Location}");
            }
        }
    }
}

public sealed class PageSweepTestsOnSqlite(SqlitePortal portal) : PageSweepTests(portal), IClassFixture<SqlitePortal>;

public sealed class PageSweepTestsOnPostgreSql(PostgreSqlPortal portal) : PageSweepTests(portal), IClassFixture<PostgreSqlPortal>;
