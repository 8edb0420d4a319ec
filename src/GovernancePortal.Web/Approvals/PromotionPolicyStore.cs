using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>An edit of the policy for one stage and tier, started from <paramref name="BasedOnVersion"/>.</summary>
public sealed record PolicyEdit(
    Stage TargetStage,
    RiskTier RiskTier,
    int BasedOnVersion,
    string? ChangeNote,
    IReadOnlyList<RequiredApproval> RequiredApprovals,
    int MinimumCardCompleteness,
    bool MetricThresholdsMustPass,
    bool AllowsSeveralProduction,
    TimeSpan RequestExpiry,
    IReadOnlyList<Stage> AllowedFromStages,
    bool RequireApplicableChecklistsSignedOff,
    IReadOnlyList<string>? RequiredChecklistTemplates = null)
{
    /// <summary>The edited fields laid over <paramref name="current"/> (every field but stage and tier, which name the policy).</summary>
    public PromotionPolicy ApplyTo(PromotionPolicy current) => current with
    {
        Version = current.Version + 1,
        RequiredApprovals = RequiredApprovals,
        MinimumCardCompleteness = MinimumCardCompleteness,
        MetricThresholdsMustPass = MetricThresholdsMustPass,
        AllowsSeveralProduction = AllowsSeveralProduction,
        RequestExpiry = RequestExpiry,
        AllowedFromStages = AllowedFromStages,
        RequireApplicableChecklistsSignedOff = RequireApplicableChecklistsSignedOff,
        // Not given (an API client written before the field): the current list stands rather than being cleared.
        RequiredChecklistTemplates = RequiredChecklistTemplates ?? current.RequiredChecklistTemplates,
    };
}

/// <summary>
/// Promotion policies as versioned rows: the latest version per stage and tier judges new requests; an edit adds the
/// next version under optimistic concurrency and is audited with the policy before and after.
/// </summary>
public sealed class PromotionPolicyStore(GovernanceDbContext db, TimeProvider clock, ILogger<PromotionPolicyStore> logger)
{
    public const string SeedAuthor = "system";
    public const string SeedNote = "Default policy (ADR-010), seeded when the database was prepared.";
    public const string DefaultChangedNote = "The default changed (ADR-031): this stage and tier kept the earlier default, never edited, so it follows.";

    /// <summary>The policy new requests to <paramref name="target"/> at <paramref name="tier"/> are judged under; null when none is stored.</summary>
    public async Task<PromotionPolicy?> CurrentAsync(Stage target, RiskTier tier, CancellationToken cancellationToken = default) =>
        (await LatestRowAsync(target, tier, cancellationToken))?.Policy();

    /// <summary>The latest version of every stage and tier, Staging before Production, tiers in ascending risk.</summary>
    public async Task<IReadOnlyList<PromotionPolicyVersion>> CurrentAllAsync(CancellationToken cancellationToken = default)
    {
        // A handful of rows per stage and tier; grouping in memory keeps the query the same on both providers.
        var rows = await db.PromotionPolicyVersions.AsNoTracking().ToListAsync(cancellationToken);
        return rows.GroupBy(r => (r.TargetStage, r.RiskTier))
            .Select(g => g.MaxBy(r => r.Version)!)
            .OrderBy(r => r.TargetStage).ThenBy(r => r.RiskTier)
            .ToList();
    }

    /// <summary>Every version for the stage and tier, newest first.</summary>
    public async Task<IReadOnlyList<PromotionPolicyVersion>> HistoryAsync(Stage target, RiskTier tier, CancellationToken cancellationToken = default) =>
        await db.PromotionPolicyVersions.AsNoTracking().Where(p => p.TargetStage == target && p.RiskTier == tier)
            .OrderByDescending(p => p.Version).ToListAsync(cancellationToken);

    public Task<PromotionPolicyVersion?> LatestRowAsync(Stage target, RiskTier tier, CancellationToken cancellationToken = default) =>
        db.PromotionPolicyVersions.AsNoTracking().Where(p => p.TargetStage == target && p.RiskTier == tier)
            .OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Saves <paramref name="edit"/> as the next version, or says why not: invalid fields, a stale base, nothing changed.</summary>
    public async Task<Result<PromotionPolicyVersion>> SaveAsync(Caller caller, PolicyEdit edit, CancellationToken cancellationToken = default)
    {
        if (PolicyEditing.WhyCannotEdit(caller) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var latest = await LatestRowAsync(edit.TargetStage, edit.RiskTier, cancellationToken);
        if (latest is null)
        {
            return new Failure(FailureKind.NotFound, $"There is no {edit.TargetStage}/{edit.RiskTier} policy.");
        }
        var current = latest.Policy();
        var proposed = edit.ApplyTo(current);
        var library = await db.ChecklistTemplateVersions.AsNoTracking().Select(t => t.TemplateId).Distinct().ToListAsync(cancellationToken);
        var problems = PolicyEditing.Problems(proposed, edit.ChangeNote, library);
        if (problems.Count > 0)
        {
            return new Failure(FailureKind.Rule, "The policy was not saved: some fields need attention.",
                problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
        }
        if (PolicyEditing.WhyStale(edit.BasedOnVersion, latest.Version, latest.CreatedBy, latest.CreatedAt) is { } stale)
        {
            return new Failure(FailureKind.Conflict, stale);
        }
        if (PolicyEditing.SaysTheSame(current, proposed))
        {
            return new Failure(FailureKind.Rule, $"Nothing changed: version {current.Version} already says this.");
        }
        var saved = PromotionPolicyVersion.Of(proposed, caller.Username, clock.GetUtcNow(), edit.ChangeNote!.Trim());
        db.PromotionPolicyVersions.Add(saved);
        db.Audit.Record("policy.changed", saved, new
        {
            stage = saved.TargetStage.ToString(),
            tier = saved.RiskTier.ToString(),
            basedOnVersion = current.Version,
            version = saved.Version,
            note = saved.ChangeNote,
            changes = PromotionPolicyDiff.Compare(current, proposed),
            before = current,
            after = proposed,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return saved;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            var winner = await LatestRowAsync(edit.TargetStage, edit.RiskTier, cancellationToken);
            return new Failure(FailureKind.Conflict,
                PolicyEditing.WhyStale(edit.BasedOnVersion, winner!.Version, winner.CreatedBy, winner.CreatedAt)
                ?? "Someone saved this policy at the same moment. Nothing was saved: review what changed and save again.");
        }
    }

    /// <summary>
    /// Stores the default of every stage and tier that has no version yet, as version 1. Idempotent, and safe when
    /// several instances prepare the database at once (the key lets one of them win).
    /// </summary>
    public async Task<int> SeedDefaultsAsync(CancellationToken cancellationToken = default)
    {
        var stored = (await db.PromotionPolicyVersions.AsNoTracking().Select(p => new { p.TargetStage, p.RiskTier }).Distinct().ToListAsync(cancellationToken))
            .Select(p => (p.TargetStage, p.RiskTier)).ToHashSet();
        var missing = PromotionPolicies.Defaults.Where(p => !stored.Contains((p.TargetStage, p.RiskTier))).ToList();
        var now = clock.GetUtcNow();
        var followed = await FollowChangedDefaultsAsync(now, cancellationToken);
        if (missing.Count == 0)
        {
            return followed;
        }
        foreach (var policy in missing)
        {
            var row = PromotionPolicyVersion.Of(policy, SeedAuthor, now, SeedNote);
            db.PromotionPolicyVersions.Add(row);
            db.Audit.Record("policy.seeded", row, new { stage = policy.TargetStage.ToString(), tier = policy.RiskTier.ToString(), version = policy.Version, after = policy });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            logger.LogInformation("Another instance seeded the promotion policies first.");
            return 0;
        }
        logger.LogInformation("Seeded {Count} default promotion policies.", missing.Count);
        return missing.Count + followed;
    }

    /// <summary>
    /// A default changed in code reaches databases seeded with the earlier one as the next version (rows are immutable),
    /// authored by <see cref="SeedAuthor"/> and audited as an edit with before and after; a stage and tier an officer has
    /// edited keeps its edits.
    /// </summary>
    private async Task<int> FollowChangedDefaultsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var followed = 0;
        foreach (var latest in (await CurrentAllAsync(cancellationToken)).Where(r => r.Version == 1 && r.CreatedBy == SeedAuthor))
        {
            var current = latest.Policy();
            if (PromotionPolicies.Default(latest.TargetStage, latest.RiskTier) is not { } changed || PolicyEditing.SaysTheSame(current, changed))
            {
                continue;
            }
            var next = changed with { Version = current.Version + 1 };
            var row = PromotionPolicyVersion.Of(next, SeedAuthor, now, DefaultChangedNote);
            db.PromotionPolicyVersions.Add(row);
            db.Audit.Record("policy.changed", row, new
            {
                stage = row.TargetStage.ToString(), tier = row.RiskTier.ToString(), basedOnVersion = current.Version, version = next.Version,
                note = DefaultChangedNote, changes = PromotionPolicyDiff.Compare(current, next), before = current, after = next,
            });
            followed++;
        }
        if (followed == 0)
        {
            return 0;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            logger.LogInformation("Another instance followed the changed default policies first.");
            return 0;
        }
        logger.LogInformation("{Count} promotion policies follow a changed default.", followed);
        return followed;
    }
}
