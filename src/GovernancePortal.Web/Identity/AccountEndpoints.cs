using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Identity;

/// <summary>Sign-in and sign-out as form posts (antiforgery-checked) that redirect; the sign-in page is a component.</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account");
        account.MapPost("/sign-in/persona", SignInAsPersonaAsync).AllowAnonymous();
        account.MapPost("/sign-out", SignOutAsync).RequireAuthorization(Policies.SignedIn);
    }

    internal static async Task<Results<RedirectHttpResult, ProblemHttpResult>> SignInAsPersonaAsync(
        [FromForm] string username, [FromForm] string? returnUrl, HttpContext http, GovernanceDbContext db,
        IOptions<PortalAuthenticationOptions> options, IHostEnvironment environment, TimeProvider clock)
    {
        if (!options.Value.DevelopmentSignIn || !environment.IsDevelopment())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Development sign-in is not available.");
        }
        var persona = DemoPersonas.Find(username);
        if (persona is null)
        {
            return TypedResults.Redirect("/account/sign-in?error=unknown-persona");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.ObjectId == persona.ObjectId, http.RequestAborted);
        if (user is null)
        {
            user = UserAccount.For(persona);
            db.Users.Add(user);
        }
        user.Team = persona.Team;
        user.Roles = persona.Role;
        user.LastSignInAt = clock.GetUtcNow();

        var principal = Principal(persona);
        db.Audit.Record("user.signed-in", user, new { method = "development" }, HttpAuditContextAccessor.ActorOf(principal));
        await db.SaveChangesAsync(http.RequestAborted);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return TypedResults.Redirect(SafeReturnUrl(returnUrl));
    }

    internal static async Task<RedirectHttpResult> SignOutAsync(HttpContext http, GovernanceDbContext db)
    {
        var actor = HttpAuditContextAccessor.ActorOf(http.User);
        db.Audit.Record("user.signed-out", nameof(UserAccount), actor.Oid, actor: actor);
        await db.SaveChangesAsync(http.RequestAborted);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.Redirect("/account/sign-in?signedOut=1");
    }

    /// <summary>The claim shape Entra ID puts in an id token.</summary>
    public static ClaimsPrincipal Principal(Persona persona)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(PortalClaims.ObjectId, persona.ObjectId.ToString()),
            new Claim(PortalClaims.TenantId, DemoPersonas.TenantId.ToString()),
            new Claim(PortalClaims.Name, persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, persona.Username),
            new Claim(PortalClaims.Roles, persona.Role),
        ], CookieAuthenticationDefaults.AuthenticationScheme, PortalClaims.Name, PortalClaims.Roles);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Only local paths: an open redirect would let a phishing link borrow the portal's name.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\")
            ? returnUrl
            : "/";
}
