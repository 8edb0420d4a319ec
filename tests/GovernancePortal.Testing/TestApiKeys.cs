using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Testing;

/// <summary>API keys for tests, issued the way the portal issues them.</summary>
public static class TestApiKeys
{
    public static async Task<IssuedApiKey> IssueAsync(PortalFactory portal, string username, string label)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        var user = await db.Users.SingleAsync(u => u.Username == username);
        return await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(user, label, "test");
    }

    /// <summary>An HTTP client that acts as <paramref name="username"/> through a fresh API key.</summary>
    public static async Task<HttpClient> ClientAsync(PortalFactory portal, string username, string label = "tests")
    {
        var issued = await IssueAsync(portal, username, label);
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, issued.Secret);
        return client;
    }
}
