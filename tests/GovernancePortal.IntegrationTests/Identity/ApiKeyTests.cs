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
    public async Task The_keys_page_serves_the_list_to_admins_before_its_circuit_starts()
    {
        await IssueAsync("owner@demo.test", "listed-on-the-page");
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");

        var page = await admin.GetDocumentAsync("/admin/api-keys");

        var row = page.QuerySelectorAll("[data-testid=key-row]").Select(r => r.Closest("tr")!).Single(r => r.TextContent.Contains("listed-on-the-page"));
        Assert.Contains("owner@demo.test", row.TextContent);
        Assert.NotNull(row.QuerySelector("[data-testid=revoke]"));
    }

    [Fact]
    public async Task An_admin_creates_and_revokes_a_key_through_the_pages_service()
    {
        var admin = new Audit.AuditActor(DemoPersonas.Find("admin@demo.test")!.ObjectId.ToString(), "admin@demo.test", [Roles.Admin], null);
        var created = await AdministrationAsync(a => a.CreateAsync("owner@demo.test", " portal-made ", admin));
        var keyClient = PortalClient.Anonymous(portal).Http;
        keyClient.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, created.Issued!.Secret);
        Assert.Equal(HttpStatusCode.OK, (await keyClient.GetAsync("/api/v1/me")).StatusCode);

        Assert.True(await AdministrationAsync(a => a.RevokeAsync(created.Issued.Key.Id, admin)));
        Assert.False(await AdministrationAsync(a => a.RevokeAsync(created.Issued.Key.Id, admin)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await keyClient.GetAsync("/api/v1/me")).StatusCode);
        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == created.Issued.Key.Id.ToString()).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(["apikey.created", "apikey.revoked"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(("admin@demo.test", Roles.Admin), (e.ActorUsername, e.ActorRoles)));
        Assert.Equal("portal-made", created.Issued.Key.Label);
    }

    [Fact]
    public async Task Creating_a_key_without_a_label_or_for_an_unknown_person_names_each_field_and_saves_nothing()
    {
        var before = await portal.WithDbAsync(db => db.ApiKeys.CountAsync());

        var outcome = await AdministrationAsync(a => a.CreateAsync("nobody@demo.test", "  ", Audit.AuditActor.System));

        Assert.Null(outcome.Issued);
        Assert.Equal("Give the key a label.", outcome.Errors["label"]);
        Assert.Equal("Choose a person the portal knows.", outcome.Errors["username"]);
        Assert.Equal(before, await portal.WithDbAsync(db => db.ApiKeys.CountAsync()));
    }

    private async Task<T> AdministrationAsync<T>(Func<ApiKeyAdministration, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>());
    }
}

public sealed class ApiKeyTestsOnSqlite(SqlitePortal portal) : ApiKeyTests(portal), IClassFixture<SqlitePortal>;

public sealed class ApiKeyTestsOnPostgreSql(PostgreSqlPortal portal) : ApiKeyTests(portal), IClassFixture<PostgreSqlPortal>;
