using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Retirement;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

/// <summary>
/// Retirement plans for the demo portfolio (issue 15, item 8), made and carried out through the retirement workflow: the
/// card-fraud model's 3.5.0 retiring within 30 days with 3.5.1 in Staging to take over; the first credit scorecard and
/// the first sepsis model decommissioned (plan, decommission checklist signed off, Retired request approved); a cancelled
/// plan for the claims model. Added only for versions without a plan.
/// </summary>
internal sealed class DemoRetirements(DemoWorkflow workflow, DemoSteps steps, DateTimeOffset now)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await DecommissionOnceAsync("credit-default-pd", "1.0.0", new PlanInput(today.AddDays(-60), RetirementReason.Underperforming, new SuccessorRef("credit-default-pd", "1.2.0"),
            null, "The logistic scorecard lost two points of AUC against the boosted model.", [DemoSteps.FirstOfficer]), now.AddDays(-75), cancellationToken);
        await DecommissionOnceAsync("sepsis-early-warning", "1.0.0", new PlanInput(today.AddDays(-70), RetirementReason.Superseded, new SuccessorRef("sepsis-early-warning", "1.1.0"),
            null, "1.1.0 adds the lactate trend and replaced 1.0.0 on every ward.", [DemoSteps.SecondOfficer]), now.AddDays(-80), cancellationToken);
        if (await UnplannedAsync("fraud-card-realtime", "3.5.0", cancellationToken))
        {
            steps.Begin(now.AddDays(-2));
            await steps.PlanRetirementAsync("owner@demo.test", "fraud-card-realtime", "3.5.0", new PlanInput(today.AddDays(21),
                RetirementReason.Superseded, new SuccessorRef("fraud-card-realtime", "3.5.1"), null,
                "3.5.1 serves the same model from the new feature store; 3.5.0 goes once 3.5.1 is approved for Production.",
                [DemoSteps.FirstOfficer, "viewer@demo.test"]), cancellationToken);
        }
        if (await UnplannedAsync("claims-triage", "1.3.0", cancellationToken))
        {
            steps.Begin(now.AddDays(-20));
            await steps.PlanRetirementAsync("owner2@demo.test", "claims-triage", "1.3.0", new PlanInput(today.AddDays(45), RetirementReason.Underperforming, null,
                "Claims would go back to manual routing.", "The fast-track hit rate fell below the agreed floor for two months.", []), cancellationToken);
            steps.At(now.AddDays(-6));
            await steps.CancelRetirementAsync("owner2@demo.test", "claims-triage", "1.3.0",
                "Recalibration restored the fast-track hit rate; the model stays in Production.", cancellationToken);
        }
    }

    /// <summary>Plan, decommission checklist signed off, Retired request approved: the version leaves Staging for good.</summary>
    private async Task DecommissionOnceAsync(string key, string versionText, PlanInput plan, DateTimeOffset plannedAt, CancellationToken cancellationToken)
    {
        if (!await UnplannedAsync(key, versionText, cancellationToken))
        {
            return;
        }
        await DecommissionAsync(key, versionText, plan, plannedAt, cancellationToken);
    }

    private async Task DecommissionAsync(string key, string versionText, PlanInput plan, DateTimeOffset plannedAt, CancellationToken cancellationToken)
    {
        var owner = (await workflow.Db.Models.AsNoTracking().SingleAsync(m => m.Key == key, cancellationToken)).Owner;
        var officer = owner == "owner@demo.test" ? DemoSteps.FirstOfficer : DemoSteps.SecondOfficer;
        steps.Begin(plannedAt);
        await steps.PlanRetirementAsync(owner, key, versionText, plan, cancellationToken);
        steps.At(plannedAt.AddDays(5));
        await steps.AssessAsync(owner, officer, key, versionText, Approvals.PromotionPolicies.DecommissionChecklist, cancellationToken);
        steps.At(now.AddDays(plan.PlannedDate!.Value.DayNumber - DateOnly.FromDateTime(now.UtcDateTime).DayNumber));
        await steps.PromoteAsync(owner, key, versionText, Stage.Retired, "Traffic moved to the successor; the decommission checklist is signed off.", cancellationToken);
    }

    private async Task<bool> UnplannedAsync(string key, string versionText, CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(workflow.Db, key, versionText, cancellationToken);
        return version is not null && !await workflow.Db.RetirementPlans.AnyAsync(p => p.VersionId == version.Id, cancellationToken);
    }
}
