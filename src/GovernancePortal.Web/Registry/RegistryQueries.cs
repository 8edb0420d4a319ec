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
        return await db.ModelVersions.AsNoTracking().Include(v => v.Model).Include(v => v.Metrics)
            .SingleOrDefaultAsync(v => v.Model.Key == key && v.Major == major && v.Minor == minor && v.Pipeline == pipeline, cancellationToken);
    }
}
