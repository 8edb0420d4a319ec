using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Retirement;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

/// <summary>
/// Retirement plans for the demo portfolio (issue 15, item 8): the card-fraud model's 3.5.0 retiring within 30 days with
/// 3.5.1 in Staging to take over, the first credit scorecard retired (its decommission checklist signed off, see
/// <see cref="DemoAssessments"/>), and a cancelled plan for the claims model. Added only for versions without a plan.
/// </summary>
internal sealed class DemoRetirements(GovernanceDbContext db, DateTimeOffset now)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await AddAsync("fraud-card-realtime", "3.5.0", "3.5.1", plan =>
        {
            plan.PlannedDate = today.AddDays(21);
            plan.Reason = RetirementReason.Superseded;
            plan.Note = "3.5.1 serves the same model from the new feature store; 3.5.0 goes once 3.5.1 is approved for Production.";
            plan.Notify = "compliance@demo.test,viewer@demo.test";
        }, cancellationToken);
        await AddAsync("credit-default-pd", "1.0.0", "1.2.0", plan =>
        {
            plan.PlannedDate = today.AddDays(-60);
            plan.Reason = RetirementReason.Underperforming;
            plan.Note = "The logistic scorecard lost two points of AUC against the boosted model.";
            plan.State = RetirementState.Retired;
            plan.RetiredAt = now.AddDays(-58);
            (plan.RetentionUntil, plan.RetentionBasis) = RetirementRules.RetentionEnd(today.AddDays(-58), RiskTier.High, DataCategories.PersonalData, new RetirementOptions().DefaultRetentionYears);
        }, cancellationToken);
        await AddAsync("claims-triage", "1.3.0", null, plan =>
        {
            plan.PlannedDate = today.AddDays(45);
            plan.Reason = RetirementReason.Underperforming;
            plan.NoSuccessorReason = "Claims would go back to manual routing.";
            plan.State = RetirementState.Cancelled;
            plan.CancelReason = "Recalibration restored the fast-track hit rate; the model stays in Production.";
        }, cancellationToken);
    }

    private async Task AddAsync(string key, string versionText, string? successorText, Action<RetirementPlan> shape, CancellationToken cancellationToken)
    {
        var version = await FindAsync(key, versionText, cancellationToken);
        var successor = successorText is null ? null : await FindAsync(key, successorText, cancellationToken);
        if (version is null || successorText is not null && successor is null || await db.RetirementPlans.AnyAsync(p => p.VersionId == version.Id, cancellationToken))
        {
            return;
        }
        var owner = version.Model.Owner;
        var plan = new RetirementPlan
        {
            VersionId = version.Id, SuccessorVersionId = successor?.Id, CreatedBy = owner, CreatedAt = now.AddDays(-70), UpdatedBy = owner, UpdatedAt = now.AddDays(-1),
        };
        shape(plan);
        db.RetirementPlans.Add(plan);
        db.Audit.Record("retirement.planned", plan, new { model = key, version = versionText, state = plan.State.ToString(), source = "seed-demo" });
        await db.SaveChangesAsync(cancellationToken);
    }

    private Task<ModelVersion?> FindAsync(string key, string versionText, CancellationToken cancellationToken)
    {
        var number = VersionNumber.TryParse(versionText, out var parsed) ? parsed.Value : throw new ArgumentException($"Not a version number: {versionText}");
        return db.ModelVersions.AsNoTracking().Include(v => v.Model)
            .SingleOrDefaultAsync(v => v.Model.Key == key && v.Major == number.Major && v.Minor == number.Minor && v.Pipeline == number.Pipeline, cancellationToken);
    }
}
