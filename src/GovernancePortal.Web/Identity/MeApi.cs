using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovernancePortal.Identity;

public sealed record MeResponse(string ObjectId, string Username, string Name, IReadOnlyList<string> Roles, string? ApiKey);

/// <summary><c>GET /api/v1/me</c>: lets a pipeline check which person and roles its key acts as.</summary>
public static class MeApi
{
    public static RouteGroupBuilder MapMeApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", GetMe).RequireAuthorization(Policies.Reader).WithName("GetMe").WithTags("Identity");
        return api;
    }

    internal static Ok<MeResponse> GetMe(ClaimsPrincipal user) => TypedResults.Ok(new MeResponse(
        user.FindFirstValue(PortalClaims.ObjectId) ?? "",
        user.FindFirstValue(PortalClaims.PreferredUsername) ?? "",
        user.FindFirstValue(PortalClaims.Name) ?? "",
        user.FindAll(PortalClaims.Roles).Select(c => c.Value).ToList(),
        user.FindFirstValue(PortalClaims.ApiKeyLabel)));
}
