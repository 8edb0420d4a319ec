using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Compliance;

/// <summary>
/// Brings the stored template versions up to the seed files in db/checklists. Idempotent: a (template, version) already
/// stored is left as it is, since assessments refer to it; a file with a higher version adds a new row.
/// </summary>
public sealed class ChecklistLibrarySeeder(GovernanceDbContext db, TimeProvider clock, IOptions<ChecklistOptions> options, ILogger<ChecklistLibrarySeeder> logger)
{
    public async Task<int> SeedAsync(CancellationToken cancellationToken = default)
    {
        var folder = options.Value.LibraryFolder;
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("No checklist templates loaded: the folder {Folder} does not exist (Checklists:LibraryPath).", folder);
            return 0;
        }
        var templates = ChecklistLibrary.LoadDirectory(folder);
        var stored = await db.ChecklistTemplateVersions.AsNoTracking()
            .Select(t => new { t.TemplateId, t.Version, t.ContentSha256 }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var added = 0;
        foreach (var template in templates)
        {
            var existing = stored.SingleOrDefault(s => s.TemplateId == template.Id && s.Version == template.Version);
            if (existing is not null)
            {
                if (existing.ContentSha256 != TemplateContent.Sha256(template))
                {
                    logger.LogWarning("Checklist template {Template} version {Version} differs from the stored one; raise its version to publish the change.",
                        template.Id, template.Version);
                }
                continue;
            }
            var version = ChecklistTemplateVersion.From(template, $"db/checklists/{template.Id}.yaml", now, "seed");
            db.ChecklistTemplateVersions.Add(version);
            db.Audit.Record("checklist-template.version-added", version, new { template = template.Id, template.Version, items = template.Items.Count, source = "seed" });
            added++;
        }
        if (added > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        logger.LogInformation("Checklist templates: {Added} version(s) added, {Stored} already stored.", added, stored.Count);
        return added;
    }
}
