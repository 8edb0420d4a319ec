using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Retirement;

/// <summary>What the plan form suggests: the newest other version of the model, the usual successor.</summary>
public sealed class RetirementLookups(GovernanceDbContext db)
{
    public async Task<string?> NewestOtherVersionAsync(string key, string version, CancellationToken cancellationToken = default)
    {
        var numbers = await db.ModelVersions.AsNoTracking().Where(v => v.Model.Key == key && v.Stage != Stage.Retired && v.Stage != Stage.Archived)
            .Select(v => new { v.Major, v.Minor, v.Pipeline }).ToListAsync(cancellationToken);
        return numbers.Select(n => new VersionNumber(n.Major, n.Minor, n.Pipeline)).Where(n => n.ToString() != version)
            .OrderDescending().Select(n => n.ToString()).FirstOrDefault();
    }
}
