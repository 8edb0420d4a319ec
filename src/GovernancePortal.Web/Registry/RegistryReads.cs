using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

/// <summary>
/// What the registry's pages read (models, versions, cards, the people a model can belong to), so that no page
/// holds a DbContext. The API reads versions through the same <see cref="RegistryQueries.FindVersionAsync"/>.
/// </summary>
public sealed class RegistryReads(GovernanceDbContext db, ModelCardService cards)
{
    /// <summary>A version with its model and metrics; null when the key or the number is unknown.</summary>
    public Task<ModelVersion?> VersionAsync(string key, string version, CancellationToken cancellationToken = default) =>
        RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);

    public Task<Model?> ModelAsync(string key, CancellationToken cancellationToken = default) =>
        db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Key == key, cancellationToken);

    /// <summary>The model's versions, newest number first.</summary>
    public async Task<List<ModelVersion>> VersionsAsync(Guid modelId, CancellationToken cancellationToken = default) =>
        (await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == modelId).ToListAsync(cancellationToken)).OrderByDescending(v => v.Number).ToList();

    /// <summary>The current card of a version (its completeness counts the version's metrics).</summary>
    public Task<CurrentCard> CardAsync(ModelVersion version, CancellationToken cancellationToken = default) =>
        cards.CurrentAsync(version, cancellationToken);

    /// <summary>Model owners, by display name; only those in <paramref name="team"/> when given.</summary>
    public async Task<List<UserAccount>> ModelOwnersAsync(string? team = null, CancellationToken cancellationToken = default) =>
        (await db.Users.AsNoTracking().Where(u => team == null || u.Team == team).OrderBy(u => u.DisplayName).ToListAsync(cancellationToken))
            .Where(u => u.RoleList.Contains(Roles.ModelOwner)).ToList();

    /// <summary>
    /// People the portal knows whose name, username or team contains <paramref name="text"/> (all when blank), by display
    /// name, at most <paramref name="take"/>: what the forms' people pickers suggest. Only model owners when
    /// <paramref name="modelOwnersOnly"/>, only <paramref name="team"/>'s members when given.
    /// </summary>
    public async Task<List<UserAccount>> PeopleAsync(string? text, bool modelOwnersOnly = false, string? team = null, int take = 20,
        CancellationToken cancellationToken = default)
    {
        var query = db.Users.AsNoTracking();
        if (team is not null)
        {
            query = query.Where(u => u.Team == team);
        }
        if (modelOwnersOnly)
        {
            // Roles are stored comma-separated; the exact role is checked again below.
            query = query.Where(u => u.Roles.Contains(Roles.ModelOwner));
        }
        if (!string.IsNullOrWhiteSpace(text))
        {
            var needle = text.Trim().ToLower();
            query = query.Where(u => u.DisplayName.ToLower().Contains(needle) || u.Username.ToLower().Contains(needle) || u.Team.ToLower().Contains(needle));
        }
        var found = await query.OrderBy(u => u.DisplayName).ThenBy(u => u.Username).Take(take * 2).ToListAsync(cancellationToken);
        return found.Where(u => !modelOwnersOnly || u.RoleList.Contains(Roles.ModelOwner)).Take(take).ToList();
    }
}
