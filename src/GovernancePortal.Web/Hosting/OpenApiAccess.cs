using GovernancePortal.Identity;
using Microsoft.AspNetCore.Authorization;

namespace GovernancePortal.Hosting;

/// <summary>
/// The OpenAPI document outside <c>/api</c>, readable by the people who browse to it (cookie) and by the pipelines it
/// describes (API key): the portal's default scheme picks the cookie for every path outside <c>/api</c>.
/// </summary>
public static class OpenApiAccess
{
    public const string Scheme = "OpenApiReader";

    public static void AddOpenApiAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddAuthentication().AddPolicyScheme(Scheme, "API key when one is sent, otherwise the portal's own", o =>
            o.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(ApiKeyService.HeaderName)
                ? ApiKeyAuthenticationHandler.SchemeName
                : IdentityServices.PortalScheme);
    }

    public static void MapOpenApiDocument(this WebApplication app) =>
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(new AuthorizeAttribute(Policies.Reader) { AuthenticationSchemes = Scheme });
}
