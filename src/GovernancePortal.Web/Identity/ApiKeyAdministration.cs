using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Identity;

/// <summary>An API key as the Admin's page lists it.</summary>
public sealed record ApiKeyRow(Guid Id, string Label, string Prefix, string ActsAs, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    public bool IsActive => RevokedAt is null;
}

/// <summary>Someone a key can act as.</summary>
public sealed record KeyHolder(string Username, string DisplayName, string Roles);

/// <summary>The outcome of asking for a key: the key shown once, or what is wrong with each field.</summary>
public sealed record KeyRequestOutcome(IssuedApiKey? Issued, IReadOnlyDictionary<string, string> Errors);

/// <summary>The Admin's API keys page: lists, issues and revokes keys through <see cref="ApiKeyService"/>, each audited as the Admin.</summary>
public sealed class ApiKeyAdministration(GovernanceDbContext db, ApiKeyService keys)
{
    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt)
            .Select(k => new ApiKeyRow(k.Id, k.Label, k.Prefix, k.User.Username, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.RevokedBy))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<KeyHolder>> HoldersAsync(CancellationToken cancellationToken = default) =>
        await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new KeyHolder(u.Username, u.DisplayName, u.Roles)).ToListAsync(cancellationToken);

    public async Task<KeyRequestOutcome> CreateAsync(string? username, string? label, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string>();
        var user = string.IsNullOrWhiteSpace(username) ? null : await db.Users.SingleOrDefaultAsync(u => u.Username == username, cancellationToken);
        if (user is null)
        {
            errors["username"] = string.IsNullOrWhiteSpace(username) ? "Choose the person the key acts as." : "Choose a person the portal knows.";
        }
        var trimmed = label?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors["label"] = "Give the key a label.";
        }
        else if (trimmed.Length > ApiKeyService.MaxLabelLength)
        {
            errors["label"] = $"Keep the label to {ApiKeyService.MaxLabelLength} characters.";
        }
        if (errors.Count > 0)
        {
            return new(null, errors);
        }
        return new(await keys.CreateAsync(user!, trimmed, actor.Username, cancellationToken, actor), errors);
    }

    public Task<bool> RevokeAsync(Guid id, AuditActor actor, CancellationToken cancellationToken = default) =>
        keys.RevokeAsync(id, actor.Username, cancellationToken, actor);
}
