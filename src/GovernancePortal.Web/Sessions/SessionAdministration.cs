using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Sessions;

public sealed record SessionRow(Guid Id, string SignInMethod, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
    string? ClientAddress, string? UserAgent);

public sealed record PersonSessions(Guid ObjectId, string Username, string DisplayName, IReadOnlyList<SessionRow> Sessions);

/// <summary>Lists, checks, ends and sweeps sessions; every ending a person or an Admin asks for is audited in its transaction.</summary>
public sealed class SessionAdministration(GovernanceDbContext db, TimeProvider clock, IOptionsMonitor<PortalSessionOptions> options)
{
    public const string RevokedAction = "session.revoked";
    public const string RevokedAllAction = "session.revoked-all";

    private DbSet<UserSession> Sessions => db.Set<UserSession>();

    /// <summary>The sessions still usable now, as a query: <see cref="SessionRules.StateAt"/> in SQL, for updates and deletes in one statement.</summary>
    private IQueryable<UserSession> Active(DateTimeOffset now)
    {
        var o = options.CurrentValue;
        var createdAfter = now - o.AbsoluteLifetime;
        var seenAfter = now - o.IdleTimeout;
        return Sessions.Where(s => s.ExpiresAt > now && s.CreatedAt > createdAfter && s.LastSeenAt > seenAfter);
    }

    /// <summary>Active sessions per person, people by name, each person's most recently seen first.</summary>
    public async Task<IReadOnlyList<PersonSessions>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var rows = await Active(now).AsNoTracking().ToListAsync(cancellationToken);
        var o = options.CurrentValue;
        return rows.GroupBy(s => s.ObjectId)
            .Select(g =>
            {
                var latest = g.MaxBy(s => s.CreatedAt)!;
                return new PersonSessions(g.Key, latest.Username, latest.DisplayName, g.OrderByDescending(s => s.LastSeenAt)
                    .Select(s => new SessionRow(s.Id, s.SignInMethod, s.CreatedAt, s.LastSeenAt, SessionRules.EndsAt(s.CreatedAt, s.ExpiresAt, o.Limits),
                        s.ClientAddress, s.UserAgent))
                    .ToList());
            })
            .OrderBy(p => p.DisplayName, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Username, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether the session <paramref name="user"/> was signed in with still exists and is usable (revalidation of open pages).</summary>
    public async Task<bool> IsActiveAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return true;
        }
        if (SessionClaims.Of(user) is not { } id)
        {
            return false;
        }
        var session = await Sessions.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new { s.CreatedAt, s.LastSeenAt, s.ExpiresAt }).SingleOrDefaultAsync(cancellationToken);
        return session is not null
            && SessionRules.StateAt(clock.GetUtcNow(), session.CreatedAt, session.LastSeenAt, session.ExpiresAt, options.CurrentValue.Limits) == SessionState.Active;
    }

    /// <summary>Records activity on an open page (throttled by the caller); an ended session is not brought back.</summary>
    public async Task RecordSeenAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await Active(now).Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken);
    }

    /// <summary>Marks the session <paramref name="user"/> signed in with for deletion in the caller's SaveChanges (sign-out, with its event).</summary>
    public async Task EndCurrentAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (SessionClaims.Of(user) is { } id && await Sessions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken) is { } session)
        {
            Sessions.Remove(session);
        }
    }

    /// <summary>Ends one session; false when it had already ended.</summary>
    public async Task<bool> RevokeAsync(Guid id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var session = await Sessions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null)
        {
            return false;
        }
        Sessions.Remove(session);
        db.Audit.Record(RevokedAction, nameof(UserSession), id.ToString(), Describe(session), actor);
        return await SaveAsync(cancellationToken);
    }

    /// <summary>Ends every session of one person; the number ended (0 when there was none, and then nothing is recorded).</summary>
    public async Task<int> RevokeAllAsync(Guid objectId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var sessions = await Sessions.Where(s => s.ObjectId == objectId).ToListAsync(cancellationToken);
        if (sessions.Count == 0)
        {
            return 0;
        }
        Sessions.RemoveRange(sessions);
        var person = sessions.MaxBy(s => s.CreatedAt)!;
        db.Audit.Record(RevokedAllAction, nameof(UserAccount), objectId.ToString(), new
        {
            user = person.Username,
            count = sessions.Count,
            sessions = sessions.OrderBy(s => s.CreatedAt).Select(s => s.Id.ToString()).ToArray(),
        }, actor);
        return await SaveAsync(cancellationToken) ? sessions.Count : 0;
    }

    /// <summary>Deletes the rows of sessions that have ended by time (catch-up sweep; the store already refuses them).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var active = Active(now).Select(s => s.Id);
        return await Sessions.Where(s => !active.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    private static object Describe(UserSession session) => new
    {
        user = session.Username,
        method = session.SignInMethod,
        started = session.CreatedAt,
        lastSeen = session.LastSeenAt,
        address = session.ClientAddress,
    };

    /// <summary>Another Admin (or the person signing out) deleted a row first: nothing was ended here, and nothing is recorded.</summary>
    private Task<bool> SaveAsync(CancellationToken cancellationToken) => db.TrySaveChangesAsync(cancellationToken);
}
