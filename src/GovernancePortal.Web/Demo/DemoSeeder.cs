using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed the demo portfolio when the portal starts (Development only).</summary>
    public bool SeedOnStartup { get; set; }
}

/// <summary>
/// A believable portfolio for the demo personas, made through the portal's workflow (<see cref="DemoSteps"/>) at dates in
/// the past, so that every approver, date, policy version and sign-off a page, the API, a report or the audit trail shows
/// is the same fact. Idempotent: a model already registered is left alone.
/// </summary>
public sealed class DemoSeeder(GovernanceDbContext db, IServiceProvider services, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    /// <param name="Stage">Where the version is now.</param>
    /// <param name="ServedInProduction">Was in Production before a later version replaced it (then back in Staging, or retired since).</param>
    private sealed record VersionSeed(string Number, ChangeKind Kind, Stage Stage, string Reason, bool ServedInProduction = false);

    private sealed record ModelSeed(
        string Key, string Name, string Description, string Owner, string BusinessOwner, string UseCase,
        RiskTier Risk, DataCategories Data, string Tags, VersionSeed[] Versions);

    private static readonly ModelSeed[] Portfolio =
    [
        new("credit-default-pd", "Credit default probability", "Estimates the 12-month probability of default for retail loan applicants.",
            "owner@demo.test", "Head of Retail Credit", "Loan origination decisions", RiskTier.High, DataCategories.PersonalData, "credit,retail,scorecard",
            [V("1.0.0", ChangeKind.ImprovedModel, Stage.Retired, "First production scorecard."),
             V("1.1.0", ChangeKind.ImprovedModel, Stage.Staging, "Gradient boosting replaces logistic regression."),
             V("1.2.0", ChangeKind.ImprovedModel, Stage.Production, "Adds bureau trend features; AUC +0.02."),
             V("2.0.0", ChangeKind.IncompatibleDataChange, Stage.Development, "New bureau schema with open-banking fields.")]),
        new("fraud-card-realtime", "Card fraud (real time)", "Scores card transactions for fraud within 50 ms at authorisation.",
            "owner@demo.test", "Head of Fraud Operations", "Card authorisation", RiskTier.Limited, DataCategories.PersonalData, "fraud,cards,streaming",
            [V("3.4.0", ChangeKind.ImprovedModel, Stage.Staging, "Legacy rules hybrid."),
             V("3.5.0", ChangeKind.ImprovedModel, Stage.Production, "Graph features for merchant rings."),
             V("3.5.1", ChangeKind.PipelineChange, Stage.Staging, "Feature store migration, same model.")]),
        new("aml-transaction-monitoring", "AML transaction monitoring", "Prioritises alerts for anti-money-laundering investigators.",
            "owner@demo.test", "Money Laundering Reporting Officer", "Alert triage", RiskTier.High, DataCategories.PersonalData, "aml,financial-crime",
            [V("1.0.0", ChangeKind.ImprovedModel, Stage.Production, "Replaces static thresholds."),
             V("1.0.1", ChangeKind.PipelineChange, Stage.Development, "Retraining on quarterly window.")]),
        new("churn-retail", "Retail customer churn", "Predicts which current-account customers are likely to leave within 90 days.",
            "owner@demo.test", "Head of Customer Retention", "Retention campaigns", RiskTier.Minimal, DataCategories.PersonalData, "marketing,churn",
            [V("2.1.0", ChangeKind.ImprovedModel, Stage.Production, "Adds app-usage signals."),
             V("2.2.0", ChangeKind.ImprovedModel, Stage.Staging, "Calibrated probabilities.")]),
        new("mortgage-affordability", "Mortgage affordability", "Assesses income and expenditure to recommend a maximum loan.",
            "owner@demo.test", "Head of Mortgages", "Mortgage underwriting support", RiskTier.High, DataCategories.PersonalData | DataCategories.SpecialCategoryData, "credit,mortgage",
            [V("0.9.0", ChangeKind.ImprovedModel, Stage.Development, "Pilot with underwriters.")]),
        new("sepsis-early-warning", "Sepsis early warning", "Flags inpatients at risk of sepsis in the next 6 hours from vitals and labs.",
            "owner2@demo.test", "Chief Medical Information Officer", "Clinical decision support", RiskTier.High, DataCategories.ProtectedHealthInformation | DataCategories.SpecialCategoryData, "clinical,icu,hipaa",
            [V("1.0.0", ChangeKind.ImprovedModel, Stage.Retired, "Initial validated release."),
             V("1.1.0", ChangeKind.ImprovedModel, Stage.Production, "Adds lactate trend; sensitivity +4 pts."),
             V("1.2.0", ChangeKind.ImprovedModel, Stage.Staging, "Recalibrated on 2026 cohort.")]),
        new("readmission-30d", "30-day readmission risk", "Predicts unplanned readmission within 30 days of discharge.",
            "owner2@demo.test", "Director of Care Management", "Discharge planning", RiskTier.High, DataCategories.ProtectedHealthInformation, "clinical,hipaa",
            [V("2.0.0", ChangeKind.IncompatibleDataChange, Stage.Production, "Moves to FHIR encounter data."),
             V("2.0.1", ChangeKind.PipelineChange, Stage.Development, "Container base image update.")]),
        new("radiology-triage", "Chest X-ray triage", "Orders the radiology worklist by likelihood of urgent findings.",
            "owner2@demo.test", "Clinical Director of Radiology", "Worklist prioritisation", RiskTier.High, DataCategories.ProtectedHealthInformation, "imaging,clinical,hipaa",
            [V("0.3.0", ChangeKind.ImprovedModel, Stage.Staging, "Shadow evaluation at two sites.")]),
        new("claims-triage", "Insurance claims triage", "Routes incoming claims to fast-track or specialist handling.",
            "owner2@demo.test", "Head of Claims", "Claims routing", RiskTier.Limited, DataCategories.PersonalData, "insurance,claims",
            [V("1.3.0", ChangeKind.ImprovedModel, Stage.Production, "Adds document-type classifier."),
             V("1.4.0", ChangeKind.ImprovedModel, Stage.Development, "Fine-tuned language model.")]),
        new("demand-forecast-stores", "Store demand forecast", "Forecasts daily demand per store and product family.",
            "owner2@demo.test", "Supply Chain Director", "Replenishment", RiskTier.Minimal, DataCategories.None, "forecasting,supply-chain",
            [V("4.0.0", ChangeKind.IncompatibleDataChange, Stage.Production, "New product hierarchy."),
             V("4.0.1", ChangeKind.PipelineChange, Stage.Staging, "Faster backtesting pipeline.")]),
        new("support-chat-intent", "Support chat intent", "Classifies customer chat messages into intents for routing.",
            "owner@demo.test", "Head of Customer Service", "Chat routing", RiskTier.Limited, DataCategories.PersonalData, "nlp,customer-service",
            [V("1.0.0", ChangeKind.ImprovedModel, Stage.Production, "Multilingual intent model.")]),
        new("emotion-recognition-hiring", "Interview emotion recognition", "Proposed analysis of candidate video interviews; not approved for use.",
            "owner2@demo.test", "Head of Talent Acquisition", "Candidate screening (proposed)", RiskTier.Prohibited, DataCategories.PersonalData | DataCategories.SpecialCategoryData, "hr,prohibited",
            [V("0.1.0", ChangeKind.ImprovedModel, Stage.Development, "Research prototype; halted by the AI ethics board.")]),
    ];

    /// <summary>Models whose data subjects include people in the EU (the bank's portfolio; the clinical models are US-only).</summary>
    private static readonly HashSet<string> EuDataSubjects =
    [
        "credit-default-pd", "fraud-card-realtime", "aml-transaction-monitoring", "churn-retail", "mortgage-affordability",
        "claims-triage", "support-chat-intent", "emotion-recognition-hiring",
    ];

    /// <summary>Models that decide alone with legal or similar effect (GDPR Art. 22): loan refusals and card declines.</summary>
    private static readonly HashSet<string> AutomatedLegalEffect = ["credit-default-pd", "fraud-card-realtime"];

    public async Task<int> SeedAsync(CancellationToken cancellationToken = default)
    {
        await SeedPersonasAsync(cancellationToken);
        var existing = await db.Models.Select(m => m.Key).ToListAsync(cancellationToken);
        // Whole seconds: the story's times read the same in every view, whatever precision each one keeps.
        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var added = 0;
        await using var workflow = new DemoWorkflow(services, now);
        var steps = new DemoSteps(workflow);
        foreach (var seed in Portfolio.Where(s => !existing.Contains(s.Key)))
        {
            await SeedModelAsync(steps, seed, now, cancellationToken);
            added++;
        }
        // Plans after the models: the decommission checklist applies to a version once its retirement is planned.
        await new DemoRetirements(workflow, steps, now).SeedAsync(cancellationToken);
        await new DemoAssessments(workflow, steps, now).SeedAsync(cancellationToken);
        logger.LogInformation("Demo data: {Added} model(s) added, {Existing} already present.", added, existing.Count);
        return added;
    }

    /// <summary>
    /// One model's history, 45 days a version: registered by its owner with its card; every version that reached Staging or
    /// Production was requested by the owner and approved by compliance officers under the stored policy, the checklists
    /// that apply signed off before Production. A later version in Production sends the earlier one back to Staging.
    /// </summary>
    private static async Task SeedModelAsync(DemoSteps steps, ModelSeed seed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The overdue periodic review's model went into Production long before the others (DemoReviews).
        var start = now.AddDays(-(seed.Versions.Length * 45 + 10 + DemoReviews.ExtraDays(seed.Key)));
        var officer = seed.Owner == "owner@demo.test" ? DemoSteps.FirstOfficer : DemoSteps.SecondOfficer;
        steps.Begin(start);
        await steps.RegisterModelAsync(seed.Owner, new RegisterModelRequest(seed.Key, seed.Name, seed.Description, seed.Owner, seed.BusinessOwner,
            DemoPersonas.Find(seed.Owner)!.Team, seed.UseCase, seed.Risk, Enum.GetValues<DataCategories>().Where(c => c != DataCategories.None && seed.Data.HasFlag(c)).ToList(),
            seed.Tags.Split(','), EuDataSubjects.Contains(seed.Key), AutomatedLegalEffect.Contains(seed.Key)), cancellationToken);
        string? parent = null;
        for (var index = 0; index < seed.Versions.Length; index++)
        {
            var v = seed.Versions[index];
            steps.At(start.AddDays(index * 45 + 1));
            await steps.RegisterVersionAsync(seed.Owner, seed.Key, new RegisterVersionRequest(v.Number, v.Kind, v.Reason,
                $"s3://ml-artifacts/{seed.Key}/{v.Number}/model.tar.gz", Sha256($"{seed.Key}@{v.Number}"),
                new LineageRequest($"https://git.example.com/ml/{seed.Key}", Sha256($"commit {seed.Key} {v.Number}")[..40], $"{seed.Key}-snapshot-{v.Number}",
                    "sha256:" + Sha256($"data {seed.Key} {v.Number}"), $"run-{Sha256(seed.Key + v.Number)[..8]}", null, parent, "sha256:" + Sha256($"env {v.Number}")),
                DemoMetrics(seed.Key, index).ToList(), DemoCards.For(seed.Key, v.Number, v.Stage, seed.Name, seed.Description, seed.UseCase)), cancellationToken);
            parent = v.Number;
            if (v.Stage is Stage.Development)
            {
                continue;
            }
            steps.At(start.AddDays(index * 45 + 4));
            await steps.PromoteAsync(seed.Owner, seed.Key, v.Number, Stage.Staging, "Offline evaluation passed; ready for shadow traffic.", cancellationToken);
            if (v.Stage is Stage.Staging && !v.ServedInProduction)
            {
                continue;
            }
            if (seed.Risk == RiskTier.High)
            {
                // High-risk Production requires every applicable checklist signed off (PromotionPolicies.Defaults).
                steps.At(start.AddDays(index * 45 + 8));
                await steps.AssessAllAsync(seed.Owner, officer, seed.Key, v.Number, cancellationToken);
            }
            steps.At(start.AddDays(index * 45 + 15));
            await steps.PromoteAsync(seed.Owner, seed.Key, v.Number, Stage.Production, "Validated on the holdout set and in shadow traffic; see the model card and the checklists.", cancellationToken);
        }
    }

    private async Task SeedPersonasAsync(CancellationToken cancellationToken)
    {
        var known = await db.Users.Select(u => u.ObjectId).ToListAsync(cancellationToken);
        foreach (var persona in DemoPersonas.All.Where(p => !known.Contains(p.ObjectId)))
        {
            var user = UserAccount.For(persona);
            db.Users.Add(user);
            db.Audit.Record("user.provisioned", user, new { source = "seed-demo" });
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Metrics that improve from version to version, with a weaker slice, so comparisons have something to show.</summary>
    private static IEnumerable<MetricRequest> DemoMetrics(string key, int index)
    {
        var jitter = (Sha256(key)[0] % 7) / 1000.0;
        var auc = Math.Round(0.74 + 0.02 * index + jitter, 4);
        yield return new MetricRequest("auc", auc, "holdout-2026q2", "overall", 0.72, true);
        yield return new MetricRequest("auc", Math.Round(auc - 0.03, 4), "holdout-2026q2", "age<25", 0.70, true);
        yield return new MetricRequest("recall@10%", Math.Round(0.42 + 0.03 * index + jitter, 4), "holdout-2026q2", "overall", null, true);
        yield return new MetricRequest("expected calibration error", Math.Round(0.055 - 0.005 * index, 4), "holdout-2026q2", "overall", 0.06, false);
    }

    private static VersionSeed V(string number, ChangeKind kind, Stage stage, string reason) => new(number, kind, stage, reason);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
