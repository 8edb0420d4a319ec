using System.Net;
using GovernancePortal.Identity;
using GovernancePortal.Testing;

namespace GovernancePortal.Hosting;

public abstract class ShellTests(PortalFactory portal)
{
    [Fact]
    public async Task Anonymous_page_request_redirects_to_sign_in()
    {
        var client = PortalClient.Anonymous(portal);

        var response = await client.Http.GetAsync("/models?risk=High");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/account/sign-in?ReturnUrl=%2Fmodels%3Frisk%3DHigh", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Anonymous_api_request_gets_401_problem_details()
    {
        var client = PortalClient.Anonymous(portal);

        var response = await client.Http.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("owner@demo.test", "Olivia Owner", Roles.ModelOwner, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports" })]
    [InlineData("owner2@demo.test", "Omar Okafor", Roles.ModelOwner, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports" })]
    [InlineData("compliance@demo.test", "Chloe Compliance", Roles.ComplianceOfficer, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Review queue", "Reports", "Audit" })]
    [InlineData("compliance2@demo.test", "Carlos Castillo", Roles.ComplianceOfficer, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Review queue", "Reports", "Audit" })]
    [InlineData("viewer@demo.test", "Vera Viewer", Roles.Viewer, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports" })]
    [InlineData("auditor@demo.test", "Arthur Auditor", Roles.Auditor, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports", "Audit" })]
    [InlineData("admin@demo.test", "Ada Admin", Roles.Admin, new[] { "Overview", "Models", "Production now", "Retirements", "Approvals", "Compliance", "Reports", "Admin", "Sessions", "Delivery", "Webhooks" })]
    public async Task Each_persona_signs_in_and_sees_the_shell_with_name_roles_and_navigation(
        string username, string name, string role, string[] navigation)
    {
        var client = await PortalClient.SignedInAsync(portal, username);

        var page = await client.GetDocumentAsync("/");

        Assert.Equal(name, page.QuerySelector("[data-testid=user-name]")!.TextContent);
        Assert.Equal([role], page.QuerySelectorAll("[data-testid=user-role]").Select(e => e.TextContent));
        Assert.Equal(navigation, page.QuerySelectorAll("nav.app-nav a").Select(a => a.TextContent.Trim()));
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("[data-testid=build-version]")!.TextContent));
        Assert.Equal("12", page.QuerySelector("[data-testid=stat-models]")!.TextContent);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var home = await client.GetDocumentAsync("/");

        var response = await client.PostFormAsync("/account/sign-out", home, []);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in?signedOut=1", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_without_antiforgery_token_is_refused()
    {
        var client = PortalClient.Anonymous(portal);

        var response = await client.Http.PostAsync("/account/sign-in/persona",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "admin@demo.test" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
        Assert.DoesNotContain(cookies, c => c.StartsWith("gp.auth"));
    }

    [Fact]
    public async Task Sign_in_never_redirects_off_site()
    {
        var client = PortalClient.Anonymous(portal);
        var page = await client.GetDocumentAsync("/account/sign-in");

        var response = await client.PostFormAsync("/account/sign-in/persona", page,
            new() { ["username"] = "viewer@demo.test", ["returnUrl"] = "//evil.example/phish" });

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_viewer_is_refused_the_admin_area()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var response = await client.Http.GetAsync("/admin/api-keys");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/account/access-denied", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Unknown_page_gets_a_404_page()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var response = await client.Http.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy_and_security_headers()
    {
        var client = PortalClient.Anonymous(portal);

        var response = await client.Http.GetAsync("/account/sign-in");

        var csp = response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);
        // Scripts stay strict; styles may be inline because MudBlazor writes style attributes and its theme (ADR-019).
        Assert.Equal("'self'", csp["script-src"]);
        Assert.Equal("'self' 'unsafe-inline'", csp["style-src"]);
        Assert.Equal("'self'", csp["default-src"]);
        Assert.DoesNotContain(csp.Values, v => v.Contains("unsafe-eval"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Empty(PortalClient.Parse(html).QuerySelectorAll("script:not([src])"));
    }

    [Fact]
    public async Task The_framework_script_is_served_and_every_page_loads_it_from_a_file()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var script = await client.Http.GetAsync("/_framework/blazor.web.js");
        var home = await client.GetDocumentAsync("/");
        var signIn = await PortalClient.Anonymous(portal).GetDocumentAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        foreach (var page in new[] { home, signIn })
        {
            Assert.Single(page.QuerySelectorAll("script[src*='blazor.web']"));
            Assert.Empty(page.QuerySelectorAll("script:not([src])"));
        }
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        var client = PortalClient.Anonymous(portal);

        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/live")).StatusCode);
        var ready = await client.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}

public sealed class ShellTestsOnSqlite(SqlitePortal portal) : ShellTests(portal), IClassFixture<SqlitePortal>;

public sealed class ShellTestsOnPostgreSql(PostgreSqlPortal portal) : ShellTests(portal), IClassFixture<PostgreSqlPortal>;
