using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Reviews;

/// <summary>An edit of a tier's review policy, started from <paramref name="BasedOnVersion"/>.</summary>
public sealed record ReviewPolicyEdit(RiskTier RiskTier, int BasedOnVersion, int? IntervalMonths, bool BlocksPromotionsWhenOverdue, string? ChangeNote);

/// <summary>
/// Review policies as versioned rows (ADR-026): the latest version per tier schedules reviews; an edit adds the next version,
/// audited with the policy before and after; two edits from the same version collide on the key and one wins.
/// </summary>
public sealed class ReviewPolicyStore(GovernanceDbContext db, TimeProvider clock, ILogger<ReviewPolicyStore> logger)
{
    /// <summary>The latest version of every tier that has one, in ascending risk.</summary>
    public async Task<IReadOnlyList<ReviewPolicyVersion>> CurrentAllAsync(CancellationToken cancellationToken = default)
    {
        var rows = await db.Set<ReviewPolicyVersion>().AsNoTracking().ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.RiskTier).Select(g => g.MaxBy(r => r.Version)!).OrderBy(r => r.RiskTier).ToList();
    }

    public async Task<IReadOnlyList<ReviewPolicyVersion>> HistoryAsync(RiskTier tier, CancellationToken cancellationToken = default) =>
        await db.Set<ReviewPolicyVersion>().AsNoTracking().Where(p => p.RiskTier == tier).OrderByDescending(p => p.Version).ToListAsync(cancellationToken);

    public async Task<Result<ReviewPolicyVersion>> SaveAsync(Caller caller, ReviewPolicyEdit edit, CancellationToken cancellationToken = default)
    {
        if (PolicyEditing.WhyCannotEdit(caller) is not null)
        {
            return new Failure(FailureKind.Forbidden, "Only compliance officers and admins change review policies.");
        }
        var latest = (await HistoryAsync(edit.RiskTier, cancellationToken)).FirstOrDefault();
        if (latest is null)
        {
            return new Failure(FailureKind.NotFound, $"There is no {edit.RiskTier} review policy.");
        }
        var problems = ReviewPolicies.Problems(edit.RiskTier, edit.IntervalMonths, edit.ChangeNote);
        if (problems.Count > 0)
        {
            return new Failure(FailureKind.Rule, "The review policy was not saved: some fields need attention.", problems);
        }
        if (PolicyEditing.WhyStale(edit.BasedOnVersion, latest.Version, latest.CreatedBy, latest.CreatedAt) is { } stale)
        {
            return new Failure(FailureKind.Conflict, stale);
        }
        if (latest.IntervalMonths == edit.IntervalMonths && latest.BlocksPromotionsWhenOverdue == edit.BlocksPromotionsWhenOverdue)
        {
            return new Failure(FailureKind.Rule, $"Nothing changed: version {latest.Version} already says this.");
        }
        var saved = new ReviewPolicyVersion
        {
            RiskTier = edit.RiskTier, Version = latest.Version + 1, IntervalMonths = edit.IntervalMonths, BlocksPromotionsWhenOverdue = edit.BlocksPromotionsWhenOverdue,
            CreatedBy = caller.Username, CreatedAt = clock.GetUtcNow(), ChangeNote = edit.ChangeNote!.Trim(),
        };
        db.Set<ReviewPolicyVersion>().Add(saved);
        db.Audit.Record("review-policy.changed", saved, new
        {
            tier = saved.RiskTier.ToString(), basedOnVersion = latest.Version, version = saved.Version, note = saved.ChangeNote,
            before = latest.Policy(), after = saved.Policy(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return saved;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "Someone saved this review policy at the same moment. Nothing was saved: review what changed and save again.");
        }
    }

    /// <summary>Stores version 1 of every tier that has none; idempotent and safe with several instances preparing the database.</summary>
    public async Task<int> SeedDefaultsAsync(CancellationToken cancellationToken = default)
    {
        var stored = (await db.Set<ReviewPolicyVersion>().AsNoTracking().Select(p => p.RiskTier).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var missing = ReviewPolicies.Defaults.Where(p => !stored.Contains(p.RiskTier)).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        foreach (var policy in missing)
        {
            var row = new ReviewPolicyVersion
            {
                RiskTier = policy.RiskTier, Version = policy.Version, IntervalMonths = policy.IntervalMonths, BlocksPromotionsWhenOverdue = policy.BlocksPromotionsWhenOverdue,
                CreatedBy = PromotionPolicyStore.SeedAuthor, CreatedAt = now, ChangeNote = "Default review policy (ADR-026), seeded when the database was prepared.",
            };
            db.Set<ReviewPolicyVersion>().Add(row);
            db.Audit.Record("review-policy.seeded", row, new { tier = policy.RiskTier.ToString(), version = policy.Version, after = policy });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            logger.LogInformation("Another instance seeded the review policies first.");
            return 0;
        }
        return missing.Count;
    }
}
