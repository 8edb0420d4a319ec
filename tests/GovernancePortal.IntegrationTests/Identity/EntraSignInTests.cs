using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Identity;

/// <summary>Entra ID sign-in (code + PKCE + nonce) and Entra bearer tokens against a real OIDC provider.</summary>
public abstract class EntraSignInTests(EntraPortal portal) : IDisposable
{
    private readonly EntraBrowser _browser = new(portal);

    private static bool HasSession(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("gp.auth=", StringComparison.Ordinal));

    private Task<List<Audit.AuditEvent>> EventsAsync(string action, long after) => portal.WithDbAsync(db =>
        db.AuditEvents.AsNoTracking().Where(e => e.Action == action && e.Sequence > after).OrderBy(e => e.Sequence).ToListAsync());

    private Task<long> LastSequenceAsync() => portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => (long?)e.Sequence) ?? Task.FromResult<long?>(0))
        .ContinueWith(t => t.Result ?? 0);

    [Fact]
    public async Task The_sign_in_page_offers_Entra_as_a_plain_link_and_no_demo_personas()
    {
        var page = await _browser.Portal.GetDocumentAsync("/account/sign-in?returnUrl=%2Fmodels");

        var link = page.QuerySelector("a[data-testid=sign-in-entra]");
        Assert.NotNull(link);
        Assert.Equal("/account/sign-in/entra?returnUrl=%2Fmodels", link.GetAttribute("href"));
        Assert.Empty(page.QuerySelectorAll("[data-testid^=persona-]"));
    }

    [Fact]
    public async Task A_code_and_pkce_sign_in_ends_signed_in_with_the_tokens_roles_and_is_audited()
    {
        var before = await LastSequenceAsync();

        var response = await _browser.SignInAsync(OidcProvider.Owner.Username, "/models");

        var request = QueryHelpers.ParseQuery(_browser.AuthorizationRequest!.Query);
        Assert.StartsWith(portal.Provider.Issuer + "/auth?", _browser.AuthorizationRequest.ToString());
        Assert.Equal("code", request["response_type"]);
        Assert.Equal("S256", request["code_challenge_method"]);
        Assert.Equal(43, request["code_challenge"].ToString().Length);
        Assert.True(request["nonce"].ToString().Length >= 32);
        Assert.Equal("openid profile email", request["scope"]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/models", response.Headers.Location?.OriginalString);
        Assert.True(HasSession(response));
        // The ModelOwner role came from the token: the owner's page opens, the admin area refuses.
        Assert.Equal(HttpStatusCode.OK, (await _browser.Portal.Http.GetAsync("/models")).StatusCode);
        Assert.Equal("/account/access-denied", (await _browser.Portal.Http.GetAsync("/admin/api-keys")).Headers.Location?.AbsolutePath);

        var user = await portal.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.ObjectId == OidcProvider.Owner.Oid));
        Assert.Equal(OidcProvider.Owner.Username, user.Username);
        Assert.Equal("Erin Owner", user.DisplayName);
        Assert.Equal(OidcProvider.TenantId, user.TenantId);
        Assert.Equal(Roles.ModelOwner, user.Roles);
        Assert.NotNull(user.LastSignInAt);
        var signedIn = Assert.Single(await EventsAsync("user.signed-in", before));
        Assert.Equal(OidcProvider.Owner.Oid.ToString(), signedIn.ActorOid);
        Assert.Equal(OidcProvider.Owner.Username, signedIn.ActorUsername);
        Assert.Equal(Roles.ModelOwner, signedIn.ActorRoles);
        Assert.Equal(user.Id.ToString(), signedIn.EntityId);
        Assert.Equal("entra", JsonNode.Parse(signedIn.Payload)!["details"]!["method"]!.GetValue<string>());
    }

    [Fact]
    public async Task Roles_the_portal_does_not_know_are_dropped()
    {
        var response = await _browser.SignInAsync(OidcProvider.Auditor.Username);

        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var user = await portal.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.ObjectId == OidcProvider.Auditor.Oid));
        Assert.Equal(Roles.Auditor, user.Roles);
    }

    [Fact]
    public async Task A_person_without_an_app_role_is_signed_in_but_told_they_have_no_role_and_refused_every_page()
    {
        var response = await _browser.SignInAsync(OidcProvider.NoRole.Username, "/models");

        Assert.True(HasSession(response));
        Assert.Equal("/account/access-denied", response.Headers.Location?.OriginalString);
        var page = await _browser.Portal.GetDocumentAsync("/account/access-denied");
        Assert.Contains("no role in the Governance Portal", page.Body!.TextContent);
        Assert.Contains(OidcProvider.NoRole.Username, page.QuerySelector("[data-testid=no-role]")!.TextContent);
        Assert.Equal("/account/access-denied", (await _browser.Portal.Http.GetAsync("/models")).Headers.Location?.AbsolutePath);
        var user = await portal.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.ObjectId == OidcProvider.NoRole.Oid));
        Assert.Equal("", user.Roles);
    }

    [Fact]
    public async Task An_external_return_url_is_replaced_by_the_overview()
    {
        var response = await _browser.SignInAsync(OidcProvider.Owner.Username, "//evil.example/phish");

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, long before, string reason, string error = "entra-failed")
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/sign-in?error={error}", response.Headers.Location?.OriginalString);
        Assert.False(HasSession(response));
        Assert.Empty(await EventsAsync("user.signed-in", before));
        var failed = Assert.Single(await EventsAsync("user.sign-in-failed", before));
        Assert.Equal("system", failed.ActorOid);
        Assert.Contains(reason, failed.Payload);
        var page = await _browser.Portal.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Contains(error == "entra-denied" ? "did not sign you in" : "no session was started", page.Body!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await _browser.Portal.Http.GetAsync("/models")).StatusCode);
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("absent")]
    public async Task A_tampered_or_absent_state_is_refused(string how)
    {
        var before = await LastSequenceAsync();
        var callback = await _browser.AuthorizeAsync(OidcProvider.Owner.Username);
        var query = QueryHelpers.ParseQuery(callback.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        if (how == "absent")
        {
            query.Remove("state");
        }
        else
        {
            var state = query["state"]!;
            query["state"] = state[..^4] + (state.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        }

        var response = await _browser.Portal.Http.GetAsync(QueryHelpers.AddQueryString(callback.AbsolutePath, query));

        await AssertRefusedAsync(response, before, "state");
    }

    [Fact]
    public async Task A_callback_in_another_browser_is_refused_for_want_of_the_correlation_cookie()
    {
        var before = await LastSequenceAsync();
        var callback = await _browser.AuthorizeAsync(OidcProvider.Owner.Username);
        var other = PortalClient.Anonymous(portal);

        var response = await other.Http.GetAsync(callback.PathAndQuery);

        Assert.Equal("/account/sign-in?error=entra-failed", response.Headers.Location?.OriginalString);
        Assert.False(HasSession(response));
        Assert.Contains("Correlation failed", Assert.Single(await EventsAsync("user.sign-in-failed", before)).Payload);
    }

    public static TheoryData<string, string> BadIdTokens => new()
    {
        { "wrong-nonce", "nonce" },
        { "no-nonce", "nonce" },
        { "other-audience", "audience" },
        { "other-issuer", "issuer" },
        { "expired", "expired" },
        { "other-tenant", "another tenant" },
        { "unpublished-key", "signature" },
    };

    [Theory]
    [MemberData(nameof(BadIdTokens))]
    public async Task An_id_token_that_does_not_validate_is_refused_with_a_clear_message_and_no_session(string tampering, string reason)
    {
        var before = await LastSequenceAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        portal.Tamperer.SignWithNextKey = tampering == "unpublished-key";
        portal.Tamperer.Claims = tampering switch
        {
            "wrong-nonce" => c => c["nonce"] = "not-the-nonce-this-sign-in-sent",
            "no-nonce" => c => c.Remove("nonce"),
            "other-audience" => c => c["aud"] = "another-application",
            "other-issuer" => c => c["iss"] = "https://login.microsoftonline.com/another-tenant/v2.0",
            "expired" => c => { c["iat"] = now - 7200; c["exp"] = now - 3600; },
            "other-tenant" => c => c["tid"] = Guid.NewGuid().ToString(),
            _ => null,
        };
        try
        {
            var response = await _browser.SignInAsync(OidcProvider.Owner.Username);

            await AssertRefusedAsync(response, before, reason);
        }
        finally
        {
            portal.Tamperer.Reset();
        }
    }

    [Fact]
    public async Task Cancelling_at_the_provider_ends_on_the_sign_in_page_saying_so()
    {
        var before = await LastSequenceAsync();

        var response = await _browser.SignInAsync(username: null);

        await AssertRefusedAsync(response, before, "access_denied", "entra-denied");
    }

    [Fact]
    public async Task Sign_out_ends_the_portal_session_and_sends_the_browser_to_end_the_Entra_session()
    {
        await _browser.SignInAsync(OidcProvider.Owner.Username);
        var models = await _browser.Portal.Http.GetAsync("/models");
        // Sign-out posts and then redirects to the provider, which browsers allow only if form-action names it.
        Assert.Contains($"form-action 'self' {portal.Provider.Issuer};", models.Headers.GetValues("Content-Security-Policy").Single());
        var page = PortalClient.Parse(await models.Content.ReadAsStringAsync());
        // The session is a row on the server (ADR-024); sign-out deletes this browser's.
        Task<int> EntraSessionsAsync() => portal.WithDbAsync(db => db.Set<Sessions.UserSession>()
            .CountAsync(s => s.ObjectId == OidcProvider.Owner.Oid && s.SignInMethod == EntraAuthentication.SignInMethod));
        var open = await EntraSessionsAsync();
        Assert.True(open >= 1);

        var response = await _browser.Portal.PostFormAsync("/account/sign-out", page, []);

        var location = response.Headers.Location!;
        Assert.StartsWith(portal.Provider.Issuer + "/session/end?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(OidcProvider.PortalClientId, query["client_id"]);
        Assert.Equal("http://localhost/account/sign-in?signedOut=1", query["post_logout_redirect_uri"]);
        Assert.Equal(HttpStatusCode.Redirect, (await _browser.Portal.Http.GetAsync("/models")).StatusCode);
        Assert.Equal(open - 1, await EntraSessionsAsync());
    }

    private HttpClient ApiClient(string? bearer)
    {
        var client = PortalClient.Anonymous(portal).Http;
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    [Fact]
    public async Task A_bearer_token_from_Entra_calls_the_api_as_its_application_with_its_roles()
    {
        var token = await portal.Provider.ClientCredentialsTokenAsync(OidcProvider.ReaderPipeline);

        var me = await ApiClient(token).GetFromJsonAsync<MeResponse>("/api/v1/me");

        Assert.Equal(OidcProvider.ReaderPipeline.Oid.ToString(), me!.ObjectId);
        Assert.Equal("app:pipeline-reader", me.Username);
        Assert.Equal([Roles.Viewer], me.Roles);
        Assert.Null(me.ApiKey);
    }

    [Fact]
    public async Task A_bearer_token_without_the_needed_role_gets_403_problem_details_and_the_refusal_names_the_application()
    {
        await portal.RecordRefusalsAsync();
        var before = await LastSequenceAsync();
        var reader = await portal.Provider.ClientCredentialsTokenAsync(OidcProvider.ReaderPipeline);
        var unassigned = await portal.Provider.ClientCredentialsTokenAsync(OidcProvider.UnassignedPipeline);

        var register = await ApiClient(reader).PostAsJsonAsync("/api/v1/models", new { });
        var me = await ApiClient(unassigned).GetAsync("/api/v1/me");

        foreach (var response in new[] { register, me })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(403, (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());
        }
        await portal.RecordRefusalsAsync();
        var refused = await EventsAsync("authorization.refused", before);
        Assert.Equal(["app:pipeline-reader", "app:pipeline-unassigned"], refused.Select(e => e.ActorUsername));
        Assert.Equal(OidcProvider.UnassignedPipeline.Oid.ToString(), refused[1].ActorOid);
    }

    [Fact]
    public async Task Without_a_token_or_with_a_bad_one_the_api_answers_401()
    {
        var forged = await portal.Provider.SignAsync(new JsonObject
        {
            ["iss"] = portal.Provider.Issuer, ["aud"] = "api://another-application", ["tid"] = OidcProvider.TenantId.ToString(),
            ["oid"] = Guid.NewGuid().ToString(), ["roles"] = new JsonArray("Admin"),
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
        });

        foreach (var bearer in new string?[] { null, "not-a-token", forged })
        {
            var response = await ApiClient(bearer).GetAsync("/api/v1/me");

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    public void Dispose() => _browser.Dispose();
}

public sealed class EntraSignInTestsOnSqlite(SqliteEntraPortal portal) : EntraSignInTests(portal), IClassFixture<SqliteEntraPortal>;

public sealed class EntraSignInTestsOnPostgreSql(PostgreSqlEntraPortal portal) : EntraSignInTests(portal), IClassFixture<PostgreSqlEntraPortal>;

/// <summary>
/// Entra rolls its signing keys: a token signed with a key the cached metadata does not know makes the portal fetch the
/// keys again. A portal of its own, because the metadata refresh is rate-limited per portal.
/// </summary>
public sealed class EntraKeyRolloverTests(SqliteEntraPortal portal) : IClassFixture<SqliteEntraPortal>, IDisposable
{
    private readonly EntraBrowser _browser = new(portal);

    [Fact]
    public async Task A_token_signed_with_a_newly_published_key_is_accepted_after_one_metadata_refresh()
    {
        // The first sign-in caches the metadata, which knows only the current key.
        Assert.Equal("/", (await _browser.SignInAsync(OidcProvider.Owner.Username)).Headers.Location?.OriginalString);
        await portal.Provider.PublishNextKeyAsync();
        portal.Tamperer.SignWithNextKey = true;
        try
        {
            using var second = new EntraBrowser(portal);
            var response = await second.SignInAsync(OidcProvider.Auditor.Username);

            Assert.Equal("/", response.Headers.Location?.OriginalString);
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gp.auth=", StringComparison.Ordinal));
        }
        finally
        {
            portal.Tamperer.Reset();
        }
    }

    public void Dispose() => _browser.Dispose();
}

/// <summary>A certificate works as the app's credential: the provider takes only a client assertion signed with it.</summary>
public sealed class EntraCertificateCredentialTests(CertificateEntraPortal portal) : IClassFixture<CertificateEntraPortal>, IDisposable
{
    private readonly EntraBrowser _browser = new(portal);

    [Fact]
    public async Task A_sign_in_completes_with_a_certificate_instead_of_a_client_secret()
    {
        var response = await _browser.SignInAsync(OidcProvider.Owner.Username, "/models");

        Assert.Equal("/models", response.Headers.Location?.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gp.auth=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await _browser.Portal.Http.GetAsync("/models")).StatusCode);
    }

    public void Dispose() => _browser.Dispose();
}
