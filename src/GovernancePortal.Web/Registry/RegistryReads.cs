using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

/// <summary>
/// What the registry's pages read (models, versions, their evidence, the people a model can belong to), so that no page
/// holds a DbContext. The API reads versions through the same <see cref="RegistryQueries.FindVersionAsync"/>.
/// </summary>
public sealed class RegistryReads(GovernanceDbContext db, ModelCardService cards, ChecklistService checklists)
{
    /// <summary>A version with its model and metrics; null when the key or the number is unknown.</summary>
    public Task<ModelVersion?> VersionAsync(string key, string version, CancellationToken cancellationToken = default) =>
        RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);

    public Task<Model?> ModelAsync(string key, CancellationToken cancellationToken = default) =>
        db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Key == key, cancellationToken);

    /// <summary>The model's versions, newest number first.</summary>
    public async Task<List<ModelVersion>> VersionsAsync(Guid modelId, CancellationToken cancellationToken = default) =>
        (await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == modelId).ToListAsync(cancellationToken)).OrderByDescending(v => v.Number).ToList();

    /// <summary>Metrics against Production now, checklists, card, lineage and stage history of a version (loaded with its model and metrics).</summary>
    public Task<VersionEvidence> EvidenceAsync(ModelVersion version, CancellationToken cancellationToken = default) =>
        VersionEvidence.LoadAsync(db, cards, checklists, version, cancellationToken);

    /// <summary>Model owners, by display name; only those in <paramref name="team"/> when given.</summary>
    public async Task<List<UserAccount>> ModelOwnersAsync(string? team = null, CancellationToken cancellationToken = default) =>
        (await db.Users.AsNoTracking().Where(u => team == null || u.Team == team).OrderBy(u => u.DisplayName).ToListAsync(cancellationToken))
            .Where(u => u.RoleList.Contains(Roles.ModelOwner)).ToList();
}
