using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.ReviewQueue;

/// <summary>A checklist submitted for review and not yet signed off (or sent back).</summary>
public sealed record QueuedReview(Guid AssessmentId, string ModelKey, string ModelName, string Version, string Team, string TemplateId,
    string TemplateTitle, string? SubmittedBy, DateTimeOffset? SubmittedAt)
{
    /// <summary>The assessment's page, where an officer reviews the answers and signs off.</summary>
    public string Link => $"/models/{ModelKey}/versions/{Version}/compliance/{TemplateId}";
}

/// <summary>One page of the queue and how many wait in all.</summary>
public sealed record ReviewQueueSlice(IReadOnlyList<QueuedReview> Items, int Total);

/// <summary>
/// The compliance officers' review queue: checklists waiting for review, oldest submission first. The queue page and the
/// officer's home page both read it here, so they cannot disagree about what waits.
/// </summary>
public sealed class ChecklistReviewQueue(GovernanceDbContext db)
{
    public const int MaxPageSize = 100;

    public async Task<ReviewQueueSlice> PageAsync(int skip, int take, CancellationToken cancellationToken = default)
    {
        skip = Math.Max(0, skip);
        take = Math.Clamp(take, 1, MaxPageSize);
        var waiting = db.Assessments.AsNoTracking().Where(a => a.Status == AssessmentStatus.InReview);
        var total = await waiting.CountAsync(cancellationToken);
        // Id breaks ties: version 7 ids grow with time, so equal timestamps keep a stable order across pages.
        var rows = await waiting.OrderBy(a => a.SubmittedAt).ThenBy(a => a.Id).Skip(skip).Take(take)
            .Select(a => new
            {
                a.Id, a.Version.Model.Key, a.Version.Model.Name, a.Version.Model.Team, a.Version.Major, a.Version.Minor, a.Version.Pipeline,
                a.TemplateId, a.TemplateVersion.Title, a.SubmittedBy, a.SubmittedAt,
            })
            .ToListAsync(cancellationToken);
        return new ReviewQueueSlice(rows.Select(r => new QueuedReview(r.Id, r.Key, r.Name, new VersionNumber(r.Major, r.Minor, r.Pipeline).ToString(), r.Team,
            r.TemplateId, r.Title, r.SubmittedBy, r.SubmittedAt)).ToList(), total);
    }
}
