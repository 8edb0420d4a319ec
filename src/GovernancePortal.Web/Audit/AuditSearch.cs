using GovernancePortal.Querying;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Audit;

/// <summary>The auditor's filters, as the URL carries them. Dates are whole UTC days, inclusive.</summary>
public sealed record AuditQuery(DateOnly? From, DateOnly? To, string? Actor, string? Action, string? EntityType, string? EntityId, string? Text)
{
    public static readonly AuditQuery None = new(null, null, null, null, null, null, null);

    /// <summary>The same filters as query-string pairs, for links to exports and pages.</summary>
    public Dictionary<string, object?> ToQueryParameters() => new()
    {
        ["from"] = From?.ToString("yyyy-MM-dd"),
        ["to"] = To?.ToString("yyyy-MM-dd"),
        ["actor"] = Blank(Actor),
        ["action"] = Blank(Action),
        ["entityType"] = Blank(EntityType),
        ["entityId"] = Blank(EntityId),
        ["q"] = Blank(Text),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Filters the audit trail for the auditor's pages, the API and exports, newest first.</summary>
public sealed class AuditSearch(GovernanceDbContext db)
{
    public IQueryable<AuditEvent> Filter(AuditQuery query)
    {
        var events = db.AuditEvents.AsNoTracking();
        if (query.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.Timestamp >= start);
        }
        if (query.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.Timestamp < end);
        }
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim().ToLowerInvariant();
            events = events.Where(e => e.ActorUsername.ToLower() == actor || e.ActorOid == query.Actor.Trim());
        }
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            events = action.EndsWith('*')
                ? events.Where(e => e.Action.StartsWith(action.TrimEnd('*')))
                : events.Where(e => e.Action == action);
        }
        if (!string.IsNullOrWhiteSpace(query.EntityType))
        {
            events = events.Where(e => e.EntityType == query.EntityType.Trim());
        }
        if (!string.IsNullOrWhiteSpace(query.EntityId))
        {
            events = events.Where(e => e.EntityId == query.EntityId.Trim());
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLowerInvariant();
            events = events.Where(e => e.Payload.ToLower().Contains(text) || e.Action.Contains(text)
                || e.EntityId.ToLower().Contains(text) || e.ActorUsername.ToLower().Contains(text));
        }
        return events.OrderByDescending(e => e.Sequence);
    }

    public Task<PagedResult<AuditEvent>> PageAsync(AuditQuery query, TableState state, CancellationToken cancellationToken = default) =>
        Filter(query).ToPagedAsync(state, cancellationToken);

    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken = default) =>
        await db.AuditEvents.Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken cancellationToken = default) =>
        await db.AuditEvents.Select(e => e.EntityType).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
}
