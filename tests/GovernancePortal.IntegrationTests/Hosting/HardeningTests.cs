using System.Net;
using System.Text;
using System.Text.Json;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Registry.RegistryTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Hosting;

/// <summary>The smaller findings of issue 14, each tried the way an attacker tried it.</summary>
public abstract class HardeningTests(PortalFactory portal)
{
    [Fact]
    public async Task Sign_out_without_antiforgery_token_is_refused_and_the_session_stays()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var response = await client.Http.PostAsync("/account/sign-out", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_report_form_post_with_a_missing_or_foreign_antiforgery_token_is_400_and_prints_nothing()
    {
        const string versionPage = "/models/radiology-triage/versions/0.3.0";
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var other = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var foreignToken = (await other.GetDocumentAsync(versionPage))
            .QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var before = await portal.WithDbAsync(db => db.Reports.CountAsync());

        foreach (var token in new[] { null, foreignToken })
        {
            var fields = new List<KeyValuePair<string, string>>();
            if (token is not null)
            {
                fields.Add(new("__RequestVerificationToken", token));
            }
            var response = await owner.Http.PostAsync(versionPage + "/reports/dossier", new FormUrlEncodedContent(fields));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(before, await portal.WithDbAsync(db => db.Reports.CountAsync()));
    }

    [Fact]
    public async Task Api_export_and_download_responses_are_not_stored()
    {
        var api = await ApiClientAsync(portal, "auditor@demo.test");
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");

        var responses = new[]
        {
            await api.GetAsync("/api/v1/me"),
            await api.GetAsync("/api/v1/models/credit-default-pd/versions/1.2.0/card"),
            await api.GetAsync("/api/v1/no-such-thing"),
            await auditor.Http.GetAsync("/models/credit-default-pd/versions/1.2.0/card.mct.json"),
            await auditor.Http.GetAsync("/models/credit-default-pd/versions/1.2.0/card.md"),
            await auditor.Http.GetAsync("/audit/export.csv"),
            await auditor.Http.GetAsync("/audit/export.jsonl"),
        };

        Assert.All(responses, r => Assert.True(r.Headers.CacheControl?.NoStore == true,
            $"{r.RequestMessage!.RequestUri!.PathAndQuery} answered {(int)r.StatusCode} with Cache-Control: {r.Headers.CacheControl}"));
    }

    [Fact]
    public async Task OpenApi_document_can_be_read_with_an_api_key()
    {
        var api = await ApiClientAsync(portal, "viewer@demo.test");

        var response = await api.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("paths", out _));
        var anonymous = PortalClient.Anonymous(portal).Http;
        anonymous.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, "gp_not-a-real-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Json_with_duplicate_member_names_is_refused_naming_the_member()
    {
        var api = await ApiClientAsync(portal, "owner@demo.test");
        var body = ModelBody("duplicate-members").ToJsonString();
        body = body.Replace("\"name\":\"Loan pricing\"", "\"name\":\"Loan pricing\",\"name\":\"Something else\"", StringComparison.Ordinal);

        var response = await api.PostAsync("/api/v1/models", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("name", (await BodyAsync(response)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.False(await portal.WithDbAsync(db => db.Models.AnyAsync(m => m.Key == "duplicate-members")));
    }

    [Theory]
    [InlineData("invisible-only", "\u200B\u200B\u200B")]
    [InlineData("braille-blank", "\u2800\u2800")]
    [InlineData("hangul-filler", "\u3164")]
    [InlineData("joiners-and-marks", "\u200D\u200E\u2060\uFEFF")]
    [InlineData("bidi-override", "Loan \u202Egnicirp")]
    [InlineData("bidi-isolate", "Loan \u2066pricing\u2069")]
    public async Task Names_made_of_invisible_characters_or_with_bidi_controls_are_refused(string key, string name)
    {
        var api = await ApiClientAsync(portal, "owner@demo.test");
        var body = ModelBody(key);
        body["name"] = name;

        var response = await api.PostAsync("/api/v1/models", Json(body));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}");
        Assert.Contains("name", (await BodyAsync(response)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.False(await portal.WithDbAsync(db => db.Models.AnyAsync(m => m.Key == key)));
    }

    [Fact]
    public async Task Zero_zero_zero_is_refused_as_a_first_version()
    {
        var api = await ApiClientAsync(portal, "owner@demo.test");
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/models", Json(ModelBody("zero-first")))).StatusCode);

        var response = await api.PostAsync("/api/v1/models/zero-first/versions", Json(VersionBody("0.0.0", "incompatibleDataChange")));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}");
        Assert.Contains("version", (await BodyAsync(response)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.False(await portal.WithDbAsync(db => db.ModelVersions.AnyAsync(v => v.Model.Key == "zero-first")));
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/models/zero-first/versions", Json(VersionBody("0.0.1", "incompatibleDataChange")))).StatusCode);
    }
}

public sealed class HardeningTestsOnSqlite(SqlitePortal portal) : HardeningTests(portal), IClassFixture<SqlitePortal>;

public sealed class HardeningTestsOnPostgreSql(PostgreSqlPortal portal) : HardeningTests(portal), IClassFixture<PostgreSqlPortal>;

/// <summary>On a real Kestrel listener: the test server never writes a Server header, so only this can see one.</summary>
public sealed class ServerHeaderTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(TestDatabase.Sqlite);

    public async Task InitializeAsync()
    {
        await _portal.InitializeAsync();
        _portal.UseKestrel(0);
        _portal.StartServer();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_portal).DisposeAsync();

    [Fact]
    public async Task Responses_name_no_server()
    {
        using var client = _portal.CreateClient();

        var responses = new[] { await client.GetAsync("/health/live"), await client.GetAsync("/account/sign-in"), await client.GetAsync("/api/v1/me") };

        Assert.All(responses, r => Assert.Empty(r.Headers.Server));
    }
}
