using System.Security.Claims;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Sessions;

/// <summary>
/// The cookie handler's session store (ADR-024): the ticket lives in the portal's database and the cookie carries only
/// the session's id, so deleting the row ends the session wherever its cookie was copied to. Each call works in a scope
/// of its own, so a request's unsaved changes never ride along with a session write.
/// </summary>
public sealed class DatabaseTicketStore(IServiceScopeFactory scopes, TimeProvider clock, IOptionsMonitor<PortalSessionOptions> options,
    IOptions<PortalAuthenticationOptions> authentication) : ITicketStore
{
    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);
    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);
    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);
    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var session = NewSession(Guid.NewGuid(), ticket, httpContext);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        db.Set<UserSession>().Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id.ToString();
    }

    /// <summary>
    /// The handler renews only when someone signs in over a session that is still valid (sliding expiration is off and the
    /// Entra callback never sees the old session): the development sign-in takes over the row under the same id, with its
    /// own person, ticket and lifetime.
    /// </summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var id = Guid.Parse(key);
        var renewed = NewSession(id, ticket, httpContext);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        var session = await db.Set<UserSession>().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null)
        {
            db.Set<UserSession>().Add(renewed);
        }
        else
        {
            db.Entry(session).CurrentValues.SetValues(renewed);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(key, out var id))
        {
            return null;
        }
        await using var scope = scopes.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>().Set<UserSession>();
        if (IsEntraCallback(httpContext))
        {
            // A sign-in must not take over the session the browser already has (the handler would renew it under the
            // same id, so an id planted in the browser before sign-in would become the person's): the old session
            // ends here, and the sign-in stores a new one.
            await sessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
            return null;
        }
        var session = await sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        var now = clock.GetUtcNow();
        if (session is null || SessionRules.StateAt(now, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, options.CurrentValue.Limits) != SessionState.Active)
        {
            // An ended session is refused here; its row is left to the sweep.
            return null;
        }
        if (SessionRules.ShouldRecordSeen(session.LastSeenAt, now))
        {
            await sessions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken);
        }
        return TicketSerializer.Default.Deserialize(session.Ticket);
    }

    /// <summary>Sign-out deletes the row itself, with its audit event (<see cref="SessionAdministration.EndCurrentAsync"/>); this catches the rest.</summary>
    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(key, out var id))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GovernanceDbContext>().Set<UserSession>()
            .Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The Entra callback, where Microsoft.Identity.Web's handler signs the person in; it reads the cookie first there.</summary>
    private bool IsEntraCallback(HttpContext? http) =>
        http is not null && authentication.Value.Entra.IsConfigured
        && http.Request.Path.Equals(authentication.Value.Entra.CallbackPath, StringComparison.OrdinalIgnoreCase);

    private UserSession NewSession(Guid id, AuthenticationTicket ticket, HttpContext? http)
    {
        var principal = ticket.Principal;
        var oid = principal.FindFirstValue(PortalClaims.ObjectId);
        if (!Guid.TryParse(oid, out var objectId))
        {
            throw new InvalidOperationException("A portal session needs a person with an object id (oid) that is a GUID.");
        }
        // The session's id travels inside the stored principal, so a circuit started from it can check it later.
        var identity = (ClaimsIdentity)principal.Identity!;
        foreach (var old in identity.FindAll(SessionClaims.SessionId).ToList())
        {
            identity.RemoveClaim(old);
        }
        identity.AddClaim(new Claim(SessionClaims.SessionId, id.ToString()));

        var now = clock.GetUtcNow();
        var created = ticket.Properties.IssuedUtc ?? now;
        var lifetime = options.CurrentValue.AbsoluteLifetime;
        return new UserSession
        {
            Id = id,
            ObjectId = objectId,
            Username = Cut(principal.FindFirstValue(PortalClaims.PreferredUsername), 256) ?? "",
            DisplayName = Cut(principal.FindFirstValue(PortalClaims.Name), 256) ?? "",
            SignInMethod = principal.FindFirstValue(PortalClaims.SignInMethod) ?? SessionClaims.DevelopmentSignIn,
            Ticket = TicketSerializer.Default.Serialize(ticket),
            CreatedAt = created,
            LastSeenAt = now,
            ExpiresAt = SessionRules.EndsAt(created, ticket.Properties.ExpiresUtc ?? created + lifetime, options.CurrentValue.Limits),
            ClientAddress = Cut(http?.Connection.RemoteIpAddress?.ToString(), 64),
            UserAgent = Cut(http?.Request.Headers.UserAgent.ToString(), SessionRules.MaxUserAgent) is { Length: > 0 } agent ? agent : null,
        };
    }

    private static string? Cut(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}

public static class SessionClaims
{
    /// <summary>The portal session a signed-in principal belongs to (not Entra's own <c>sid</c>).</summary>
    public const string SessionId = "portal_session";

    public const string DevelopmentSignIn = "development";

    public static Guid? Of(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(SessionId), out var id) ? id : null;

    /// <summary>Keeps <see cref="CookieAuthenticationOptions"/> pointed at the store (kept here so Identity need not know).</summary>
    internal static void UseSessionStore(CookieAuthenticationOptions cookie, ITicketStore store, PortalSessionOptions options)
    {
        cookie.SessionStore = store;
        // The ticket's own expiry is the absolute lifetime; idleness is judged by the store, so the handler never slides it.
        cookie.ExpireTimeSpan = options.AbsoluteLifetime;
        cookie.SlidingExpiration = false;
    }
}
