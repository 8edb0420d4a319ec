using System.Net;
using System.Net.Http.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Identity;

public abstract class ApiKeyTests(PortalFactory portal)
{
    private Task<IssuedApiKey> IssueAsync(string username, string label) => TestApiKeys.IssueAsync(portal, username, label);

    [Fact]
    public async Task An_api_key_acts_as_its_user_with_that_users_roles()
    {
        var issued = await IssueAsync("owner@demo.test", "credit-pipeline");
        var client = PortalClient.Anonymous(portal).Http;
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, issued.Secret);

        var me = await client.GetFromJsonAsync<MeResponse>("/api/v1/me");

        Assert.Equal("owner@demo.test", me!.Username);
        Assert.Equal([Roles.ModelOwner], me.Roles);
        Assert.Equal("credit-pipeline", me.ApiKey);
    }

    [Fact]
    public async Task Every_issued_key_authenticates_whatever_characters_its_secret_holds()
    {
        // Base64url secrets often contain '_' and '-', the characters that once broke parsing.
        for (var i = 0; i < 24; i++)
        {
            var issued = await IssueAsync("viewer@demo.test", $"many-{i}");
            var client = PortalClient.Anonymous(portal).Http;
            client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, issued.Secret);

            Assert.True((await client.GetAsync("/api/v1/me")).IsSuccessStatusCode, $"Key {issued.Secret} was refused.");
        }
    }

    [Fact]
    public async Task Only_a_hash_of_the_key_is_stored()
    {
        var issued = await IssueAsync("owner2@demo.test", "hash-check");

        var stored = await portal.WithDbAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == issued.Key.Id));

        Assert.DoesNotContain(issued.Secret.Split('_', 3)[2], stored.SecretHash);
        Assert.Equal(64, stored.SecretHash.Length);
        var payload = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "apikey.created" && e.EntityId == issued.Key.Id.ToString()).Select(e => e.Payload).SingleAsync());
        Assert.DoesNotContain(stored.SecretHash, payload);
        Assert.Contains("[redacted]", payload);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("gp_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public async Task An_unknown_or_malformed_key_gets_401(string key)
    {
        var client = PortalClient.Anonymous(portal).Http;
        client.DefaultRequestHeaders.TryAddWithoutValidation(ApiKeyService.HeaderName, key);

        var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_gets_401()
    {
        var issued = await IssueAsync("viewer@demo.test", "to-revoke");
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiKeyService>().RevokeAsync(issued.Key.Id, "admin@demo.test"));
        }
        var client = PortalClient.Anonymous(portal).Http;
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, issued.Secret);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task A_key_does_not_open_the_pages_and_a_cookie_does_not_open_the_api()
    {
        var issued = await IssueAsync("admin@demo.test", "no-pages");
        var keyClient = PortalClient.Anonymous(portal).Http;
        keyClient.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, issued.Secret);
        var cookieClient = await PortalClient.SignedInAsync(portal, "admin@demo.test");

        Assert.Equal(HttpStatusCode.Redirect, (await keyClient.GetAsync("/admin/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cookieClient.Http.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task An_admin_creates_and_revokes_a_key_in_the_portal()
    {
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var page = await admin.GetDocumentAsync("/admin/api-keys");

        var created = await admin.PostFormAsync("/admin/api-keys", page, new()
        {
            ["_handler"] = "create-key",
            ["Input.Username"] = "owner@demo.test",
            ["Input.Label"] = "portal-made",
        });
        var createdPage = PortalClient.Parse(await created.Content.ReadAsStringAsync());
        var secret = createdPage.QuerySelector("[data-testid=issued-secret]")!.TextContent;
        var keyClient = PortalClient.Anonymous(portal).Http;
        keyClient.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, secret);
        Assert.Equal(HttpStatusCode.OK, (await keyClient.GetAsync("/api/v1/me")).StatusCode);

        var keyId = await portal.WithDbAsync(db => db.ApiKeys.Where(k => k.Label == "portal-made").Select(k => k.Id).SingleAsync());
        var confirm = await admin.GetDocumentAsync($"/admin/api-keys?revoke={keyId}");
        Assert.NotNull(confirm.QuerySelector(".confirm-panel"));
        var revoked = await admin.PostFormAsync($"/admin/api-keys?revoke={keyId}", confirm, new() { ["_handler"] = "revoke-key" });

        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        var after = await admin.GetDocumentAsync("/admin/api-keys");
        Assert.Contains("Key 'portal-made' revoked.", after.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyClient.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Creating_a_key_without_a_label_shows_the_form_error_and_saves_nothing()
    {
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var page = await admin.GetDocumentAsync("/admin/api-keys");
        var before = await portal.WithDbAsync(db => db.ApiKeys.CountAsync());

        var response = await admin.PostFormAsync("/admin/api-keys", page, new()
        {
            ["_handler"] = "create-key",
            ["Input.Username"] = "owner@demo.test",
            ["Input.Label"] = "",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = PortalClient.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Give the key a label.", html.QuerySelector(".field-error, .validation-message")!.TextContent);
        Assert.Equal(before, await portal.WithDbAsync(db => db.ApiKeys.CountAsync()));
    }
}

public sealed class ApiKeyTestsOnSqlite(SqlitePortal portal) : ApiKeyTests(portal), IClassFixture<SqlitePortal>;

public sealed class ApiKeyTestsOnPostgreSql(PostgreSqlPortal portal) : ApiKeyTests(portal), IClassFixture<PostgreSqlPortal>;
