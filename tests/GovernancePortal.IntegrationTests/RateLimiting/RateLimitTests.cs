using System.Net;
using GovernancePortal.Compliance;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.RateLimiting;

/// <summary>The portal with small limits (and the shipped one for wrong API keys), each test from client addresses of its own.</summary>
public class RateLimitedPortal(TestDatabase database) : PortalFactory(database)
{
    public const int SignIn = 3;
    public const int Api = 5;
    public const int Uploads = 2;
    public static readonly int UnauthenticatedApi = new RateLimitOptions().UnauthenticatedApi.PermitLimit;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (name, limit) in new[] { ("SignIn", SignIn), ("Api", Api), ("UnauthenticatedApi", UnauthenticatedApi), ("Uploads", Uploads) })
        {
            builder.UseSetting($"RateLimits:{name}:PermitLimit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // An hour: no window ends while a test runs, so the counts are exact.
            builder.UseSetting($"RateLimits:{name}:WindowSeconds", "3600");
        }
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddresses>());
    }
}

public sealed class SqliteRateLimitedPortal() : RateLimitedPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlRateLimitedPortal() : RateLimitedPortal(TestDatabase.PostgreSql);

public abstract class RateLimitTests(RateLimitedPortal portal)
{
    private HttpClient Client(string address) =>
        ClientAddresses.From(portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), address);

    private async Task<HttpClient> KeyClientAsync(string address, string username, string label)
    {
        var client = Client(address);
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, (await TestApiKeys.IssueAsync(portal, username, label)).Secret);
        return client;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 3600 }, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal(429, (await ApiBodies.BodyAsync(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_burst_of_300_wrong_api_keys_is_answered_429_after_the_limit()
    {
        var attacker = Client("198.51.100.7");

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/models");
            request.Headers.Add(ApiKeyService.HeaderName, $"gp_guess{i:D4}");
            return attacker.SendAsync(request);
        }));

        Assert.Equal(RateLimitedPortal.UnauthenticatedApi, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(300 - RateLimitedPortal.UnauthenticatedApi, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        await AssertTooManyAsync(responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        // Another address is not punished for it, nor is a valid key from the same one.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client("198.51.100.8").GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await KeyClientAsync("198.51.100.7", "viewer@demo.test", "burst")).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Api_calls_are_limited_per_key()
    {
        var pipeline = await KeyClientAsync("203.0.113.10", "owner@demo.test", "pipeline-a");
        var other = await KeyClientAsync("203.0.113.10", "owner@demo.test", "pipeline-b");

        for (var i = 0; i < RateLimitedPortal.Api; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync("/api/v1/me")).StatusCode);
        }
        await AssertTooManyAsync(await pipeline.GetAsync("/api/v1/me"));
        // Refused before authorization: a flood of forbidden calls stops here too.
        await AssertTooManyAsync(await pipeline.GetAsync("/api/v1/audit/verify"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_address()
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i <= RateLimitedPortal.SignIn; i++)
        {
            var browser = new PortalClient(Client("192.0.2.20"));
            var page = await browser.GetDocumentAsync("/account/sign-in");
            responses.Add(await browser.PostFormAsync("/account/sign-in/persona", page, new() { ["username"] = "viewer@demo.test" }));
        }

        Assert.All(responses[..^1], r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        await AssertTooManyAsync(responses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Client("192.0.2.20").GetAsync("/account/sign-in/entra")).StatusCode);
        var elsewhere = new PortalClient(Client("192.0.2.21"));
        await elsewhere.SignInAsync("viewer@demo.test");
    }

    [Fact]
    public async Task Uploads_are_limited_per_person_whichever_key_they_use()
    {
        var first = await KeyClientAsync("203.0.113.30", "owner2@demo.test", "uploads-a");
        var second = await KeyClientAsync("203.0.113.31", "owner2@demo.test", "uploads-b");
        var someoneElse = await KeyClientAsync("203.0.113.30", "owner@demo.test", "uploads-c");

        // An unknown model: the upload is counted before anything is looked up.
        for (var i = 0; i < RateLimitedPortal.Uploads; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await ChecklistCalls.UploadAsync(first, "no-such-model", "1.0.0", "item", ChecklistCalls.Pdf, "e.pdf")).StatusCode);
        }

        await AssertTooManyAsync(await ChecklistCalls.UploadAsync(second, "no-such-model", "1.0.0", "item", ChecklistCalls.Pdf, "e.pdf"));
        Assert.Equal(HttpStatusCode.NotFound, (await ChecklistCalls.UploadAsync(someoneElse, "no-such-model", "1.0.0", "item", ChecklistCalls.Pdf, "e.pdf")).StatusCode);
    }
}

public sealed class RateLimitTestsOnSqlite(SqliteRateLimitedPortal portal) : RateLimitTests(portal), IClassFixture<SqliteRateLimitedPortal>;

public sealed class RateLimitTestsOnPostgreSql(PostgreSqlRateLimitedPortal portal) : RateLimitTests(portal), IClassFixture<PostgreSqlRateLimitedPortal>;
