using System.Security.Claims;
using GovernancePortal.Identity;

namespace GovernancePortal.Audit;

/// <summary>The actor and request an audit event is attributed to.</summary>
public sealed record AuditContext(AuditActor Actor, string? CorrelationId, string? ClientAddress);

public interface IAuditContextAccessor
{
    AuditContext Current { get; }
}

/// <summary>Reads the signed-in person (or API key) from the current request; outside a request the actor is the system.</summary>
public sealed class HttpAuditContextAccessor(IHttpContextAccessor httpContextAccessor) : IAuditContextAccessor
{
    /// <summary>Set by an interactive page for a scope of its own: a circuit has no request to read the person from.</summary>
    public AuditActor? CircuitActor { get; set; }

    public AuditContext Current
    {
        get
        {
            if (CircuitActor is { } circuit)
            {
                return new AuditContext(circuit, null, null);
            }
            var http = httpContextAccessor.HttpContext;
            if (http is null)
            {
                return new AuditContext(AuditActor.System, null, null);
            }
            var actor = http.User.Identity?.IsAuthenticated == true ? ActorOf(http.User) : AuditActor.System;
            return new AuditContext(actor, http.TraceIdentifier, http.Connection.RemoteIpAddress?.ToString());
        }
    }

    public static AuditActor ActorOf(ClaimsPrincipal user) => new(
        user.FindFirstValue(PortalClaims.ObjectId) ?? "unknown",
        user.FindFirstValue(PortalClaims.PreferredUsername) ?? "unknown",
        user.FindAll(PortalClaims.Roles).Select(c => c.Value).Order(StringComparer.Ordinal).ToArray(),
        user.FindFirstValue(PortalClaims.ApiKeyLabel));
}
