using System.Net;
using System.Reflection;
using AngleSharp.Html.Dom;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Hosting;

/// <summary>
/// Every routed page, rendered from the demo data: who may open it gets it without inline script (strict script CSP; inline styles are allowed for MudBlazor, ADR-019),
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
            new("/production/as-of", "/production/as-of", "viewer@demo.test"),
            new("/models/{Key}/review", "/models/support-chat-intent/review", "viewer@demo.test"),
            new("/retirements", "/retirements", "viewer@demo.test"),
            new("/models/{Key}/versions/{Version}/retirement", "/models/fraud-card-realtime/versions/3.5.0/retirement", "viewer@demo.test"),
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
            new("/admin/sessions", "/admin/sessions", "admin@demo.test", "viewer@demo.test"),
            new("/reports", "/reports", "viewer@demo.test"),
            new("/reports/verify", "/reports/verify", "viewer@demo.test"),
            new("/reports/not-printed", "/reports/not-printed?model=credit-default-pd&version=1.2.0&reason=timeout", "viewer@demo.test"),
            new("/admin/notifications", "/admin/notifications", "admin@demo.test", "viewer@demo.test"),
            new("/admin/webhooks", "/admin/webhooks", "admin@demo.test", "compliance@demo.test"),
            // The demo has no subscriptions: an unknown one says so (WebhookDeliveryTests and the component tests cover a real one).
            new("/admin/webhooks/{Id:guid}", $"/admin/webhooks/{Guid.Empty}", "admin@demo.test", "viewer@demo.test"),
            new("/review-queue", "/review-queue", "compliance@demo.test", "owner@demo.test"),
            new("/account/notifications", "/account/notifications", "viewer@demo.test"),
            new("/account", "/account", "viewer@demo.test"),
        ];
    }

    /// <summary>Values a hand-edited, truncated or hostile URL carries: not a number, id or flag; past int; the ends of int; a fraction; nothing.</summary>
    private static readonly string[] MalformedValues = ["not-a-value", "99999999999", "2147483647", "-2147483648", "1.5", ""];

    /// <summary>Every routed page with its component, as the running portal maps them.</summary>
    private IReadOnlyList<(RoutePattern Pattern, Type Component)> RoutedPages()
    {
        _ = portal.Server;
        return portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => (e.RoutePattern, e.Metadata.GetMetadata<ComponentTypeMetadata>()!.Type))
            .DistinctBy(p => p.RoutePattern.RawText).OrderBy(p => p.RoutePattern.RawText, StringComparer.Ordinal).ToList();
    }

    /// <summary>The query parameters a page binds, by the name the URL uses.</summary>
    private static List<string> QueryParameters(Type component) =>
        component.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => (Property: p, Query: p.GetCustomAttribute<SupplyParameterFromQueryAttribute>()))
            .Where(p => p.Query is not null)
            .Select(p => p.Query!.Name ?? p.Property.Name).ToList();

    private readonly Dictionary<string, PortalClient> _clients = [];

    private async Task<PortalClient> ClientAsync(string persona)
    {
        if (!_clients.TryGetValue(persona, out var client))
        {
            client = persona == Anonymous ? PortalClient.Anonymous(portal) : await PortalClient.SignedInAsync(portal, persona);
            _clients[persona] = client;
        }
        return client;
    }

    [Fact]
    public async Task Every_page_renders_without_inline_script_for_its_roles_and_refuses_the_others()
    {
        var routed = RoutedPages().Select(p => p.Pattern.RawText!).ToList();
        var cases = await CasesAsync();
        Assert.True(routed.Count > 20, $"Only {routed.Count} pages were found; the enumeration is broken.");
        Assert.Equal(routed, cases.Select(c => c.Route).Concat(SweptElsewhere.Keys).Order(StringComparer.Ordinal).ToList());

        foreach (var page in cases)
        {
            var response = await (await ClientAsync(page.Persona)).Http.GetAsync(page.Url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page.Url} as {page.Persona}: {(int)response.StatusCode} {response.Headers.Location}");
            var inline = PortalClient.Parse(html).QuerySelectorAll("script:not([src])").Select(e => e.OuterHtml[..Math.Min(120, e.OuterHtml.Length)]);
            Assert.True(!inline.Any(), $"{page.Url} has inline script: {string.Join(" | ", inline)}");
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

    /// <summary>
    /// Every page at a URL that renders it, with a persona who may open it; pages the demo has no data for at an id that does not
    /// exist (they bind their query and route parameters all the same, and answer 404).
    /// </summary>
    private async Task<List<(PageCase Page, Type Component, HttpStatusCode Expected)>> TargetsAsync()
    {
        var cases = (await CasesAsync()).ToDictionary(c => c.Route);
        return RoutedPages().Select(p => cases.TryGetValue(p.Pattern.RawText!, out var page)
            ? (page, p.Component, HttpStatusCode.OK)
            : (new PageCase(p.Pattern.RawText!, string.Concat(p.Pattern.PathSegments.Select(s =>
                "/" + (s.Parts[0] is RoutePatternLiteralPart literal ? literal.Content : Guid.NewGuid().ToString()))), "viewer@demo.test"),
                p.Component, HttpStatusCode.NotFound)).ToList();
    }

    /// <summary>
    /// Every query parameter of every page, found on the page components (so a new page is covered without a row here), set to each
    /// malformed value: the page still renders, or answers 404 when the parameter names something that is not there. A value that is
    /// plainly not what the parameter takes is ignored (the page reads as without it), told (a status message), or shown back in a
    /// field as the text it is (a free-text filter).
    /// </summary>
    [Fact]
    public async Task Malformed_query_values_are_ignored_or_told_never_a_server_error()
    {
        var targets = (await TargetsAsync()).Select(t => (t.Page, t.Expected, Parameters: QueryParameters(t.Component))).Where(t => t.Parameters.Count > 0).ToList();
        Assert.True(targets.Sum(t => t.Parameters.Count) >= 30, $"Only {targets.Sum(t => t.Parameters.Count)} query parameters were found; the reflection is broken.");

        var failures = new List<string>();
        foreach (var (page, expected, parameters) in targets)
        {
            var client = await ClientAsync(page.Persona);
            foreach (var name in parameters)
            {
                var absent = await RenderAsync(client, WithQuery(page.Url, name, null));
                foreach (var value in MalformedValues)
                {
                    var url = WithQuery(page.Url, name, value);
                    var response = await client.Http.GetAsync(url);
                    var html = await response.Content.ReadAsStringAsync();
                    // Not found is a clear answer too, for a parameter that names something (an item to edit).
                    if (response.StatusCode != expected && response.StatusCode != HttpStatusCode.NotFound)
                    {
                        failures.Add($"{url} as {page.Persona}: {(int)response.StatusCode} {response.Headers.Location} {Excerpt(html)}");
                        continue;
                    }
                    if (value != MalformedValues[0] || absent is null || response.StatusCode != HttpStatusCode.OK)
                    {
                        continue;
                    }
                    var shown = PortalClient.Parse(html);
                    if (Visible(shown) != Visible(absent) && !Tells(shown, absent) && !EchoesInField(shown, value))
                    {
                        failures.Add($"{url} as {page.Persona}: the page neither ignores '{value}' nor says anything about it: {Excerpt(Visible(shown))}");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Every route parameter of every page set to values that are no key, id or number the portal has: 404, never a server error
    /// (a typed route parameter without a constraint would throw while binding, as a typed query parameter does).
    /// </summary>
    [Fact]
    public async Task Malformed_route_values_are_not_found_never_a_server_error()
    {
        var patterns = RoutedPages().ToDictionary(p => p.Pattern.RawText!, p => p.Pattern);
        var failures = new List<string>();
        var checkedParameters = 0;
        foreach (var (page, _, _) in await TargetsAsync())
        {
            var pattern = patterns[page.Route];
            var client = await ClientAsync(page.Persona);
            var at = page.Url.IndexOf('?');
            var (path, query) = at < 0 ? (page.Url, "") : (page.Url[..at], page.Url[at..]);
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(pattern.PathSegments.Count, segments.Length);
            for (var i = 0; i < segments.Length; i++)
            {
                if (pattern.PathSegments[i].Parts[0] is not RoutePatternParameterPart)
                {
                    continue;
                }
                checkedParameters++;
                foreach (var value in new[] { "not-a-value", "99999999999999999999", "-1" })
                {
                    var malformed = "/" + string.Join('/', segments.Select((s, j) => j == i ? value : s)) + query;
                    var response = await client.Http.GetAsync(malformed);
                    if (response.StatusCode != HttpStatusCode.NotFound)
                    {
                        failures.Add($"{malformed} as {page.Persona}: {(int)response.StatusCode} {response.Headers.Location} {Excerpt(await response.Content.ReadAsStringAsync())}");
                    }
                }
            }
        }
        Assert.True(checkedParameters >= 15, $"Only {checkedParameters} route parameters were found; the enumeration is broken.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string WithQuery(string url, string name, string? value)
    {
        var at = url.IndexOf('?');
        var kept = QueryHelpers.ParseQuery(at < 0 ? "" : url[at..])
            .Where(q => !string.Equals(q.Key, name, StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)));
        return QueryHelpers.AddQueryString(at < 0 ? url : url[..at], value is null ? kept : kept.Append(KeyValuePair.Create(name, (string?)value)));
    }

    private static async Task<IHtmlDocument?> RenderAsync(PortalClient client, string url)
    {
        var response = await client.Http.GetAsync(url);
        return response.StatusCode == HttpStatusCode.OK ? PortalClient.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    /// <summary>What a reader sees of the page's own content, whitespace collapsed.</summary>
    private static string Visible(IHtmlDocument page) =>
        string.Join(' ', (page.QuerySelector("main") ?? page.Body!).TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A status message or notice the page without the parameter does not show.</summary>
    private static bool Tells(IHtmlDocument page, IHtmlDocument absent)
    {
        const string Messages = "[data-testid=status-message], [role=alert], [role=status]";
        return page.QuerySelectorAll(Messages).Select(m => m.TextContent.Trim()).Except(absent.QuerySelectorAll(Messages).Select(m => m.TextContent.Trim())).Any();
    }

    private static bool EchoesInField(IHtmlDocument page, string value) =>
        page.QuerySelectorAll("main input:not([type=hidden]), main textarea").Any(f => (f.GetAttribute("value") ?? f.TextContent) == value);

    private static string Excerpt(string text) => text[..Math.Min(300, text.Length)];
}

public sealed class PageSweepTestsOnSqlite(SqlitePortal portal) : PageSweepTests(portal), IClassFixture<SqlitePortal>;

public sealed class PageSweepTestsOnPostgreSql(PostgreSqlPortal portal) : PageSweepTests(portal), IClassFixture<PostgreSqlPortal>;
