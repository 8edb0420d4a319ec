using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Hosting;
using GovernancePortal.RateLimiting;
using GovernancePortal.Sessions;
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
        account.MapPost("/sign-in/persona", SignInAsPersonaAsync).AllowAnonymous().RequireRateLimiting(PortalRateLimiting.SignIn);
        // A GET so that a plain link starts the sign-in without JavaScript; it changes nothing until the callback.
        account.MapGet("/sign-in/entra", SignInWithEntraAsync).AllowAnonymous().RequireRateLimiting(PortalRateLimiting.SignIn);
        account.MapPost("/sign-out", SignOutAsync).RequireAuthorization(Policies.SignedIn).RequireAntiforgeryToken();
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

    internal static async Task<IResult> SignInWithEntraAsync(string? returnUrl, HttpContext http, ILoggerFactory loggers,
        IOptions<PortalAuthenticationOptions> options)
    {
        if (!options.Value.Entra.IsConfigured)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Entra ID sign-in is not configured.");
        }
        try
        {
            await http.ChallengeAsync(IdentityServices.EntraScheme, new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) });
            return Results.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Discovery failed (Entra or the network is down): say so rather than answer 500.
            loggers.CreateLogger(typeof(AccountEndpoints)).LogError(ex, "Could not start the Entra ID sign-in.");
            return TypedResults.Redirect("/account/sign-in?error=entra-unavailable");
        }
    }

    public const string SignedOutPath = "/account/sign-in?signedOut=1";

    internal static async Task<IResult> SignOutAsync(HttpContext http, GovernanceDbContext db, SessionAdministration sessions,
        ILoggerFactory loggers, IOptions<PortalAuthenticationOptions> options)
    {
        var actor = HttpAuditContextAccessor.ActorOf(http.User);
        // The session row goes with the event, in one transaction: a copy of the cookie is refused from here on.
        await sessions.EndCurrentAsync(http.User, http.RequestAborted);
        db.Audit.Record("user.signed-out", nameof(UserAccount), actor.Oid, actor: actor);
        await db.SaveChangesAsync(http.RequestAborted);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (http.User.FindFirstValue(PortalClaims.SignInMethod) == EntraAuthentication.SignInMethod && options.Value.Entra.IsConfigured)
        {
            try
            {
                // Without ending the Entra session too, the next "Sign in" would silently sign the same person back in.
                await http.SignOutAsync(IdentityServices.EntraScheme, new AuthenticationProperties { RedirectUri = SignedOutPath });
                return Results.Empty;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                loggers.CreateLogger(typeof(AccountEndpoints)).LogWarning(ex, "Could not reach Entra ID to end its session; the portal session is ended.");
            }
        }
        return TypedResults.Redirect(SignedOutPath);
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
