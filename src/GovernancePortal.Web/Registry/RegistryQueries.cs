using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

public static class RegistryQueries
{
    /// <summary>A version by its model's key and its number as text, with its model and metrics; null when either is unknown.</summary>
    public static async Task<ModelVersion?> FindVersionAsync(GovernanceDbContext db, string key, string versionText, CancellationToken cancellationToken = default)
    {
        if (!VersionNumber.TryParse(versionText, out var number))
        {
            return null;
        }
        var (major, minor, pipeline) = (number.Value.Major, number.Value.Minor, number.Value.Pipeline);
        var version = await db.ModelVersions.AsNoTracking().Include(v => v.Model).Include(v => v.Metrics)
            .SingleOrDefaultAsync(v => v.Model.Key == key && v.Major == major && v.Minor == minor && v.Pipeline == pipeline, cancellationToken);
        return version is null ? null : await WithRetirementAsync(db, version, cancellationToken);
    }

    /// <summary>Sets <see cref="ModelVersion.RetirementPlanned"/> from the version's retirement plan (one not cancelled).</summary>
    public static async Task<ModelVersion> WithRetirementAsync(GovernanceDbContext db, ModelVersion version, CancellationToken cancellationToken = default)
    {
        version.RetirementPlanned = (await PlannedAsync(db, [version.Id], cancellationToken)).Contains(version.Id);
        return version;
    }

    /// <summary>Which of the versions have a retirement plan that is not cancelled.</summary>
    public static async Task<HashSet<Guid>> PlannedAsync(GovernanceDbContext db, IReadOnlyCollection<Guid> versionIds, CancellationToken cancellationToken = default) =>
        (await db.RetirementPlans.AsNoTracking().Where(p => versionIds.Contains(p.VersionId) && p.State != Retirement.RetirementState.Cancelled)
            .Select(p => p.VersionId).ToListAsync(cancellationToken)).ToHashSet();
}
