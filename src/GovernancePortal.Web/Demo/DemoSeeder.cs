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

/// <summary>A believable portfolio for the demo personas. Idempotent: what exists is left alone.</summary>
public sealed class DemoSeeder(GovernanceDbContext db, PromotionPolicyStore policyStore, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    private sealed record VersionSeed(string Number, ChangeKind Kind, Stage Stage, string Reason);

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
            [V("3.4.0", ChangeKind.ImprovedModel, Stage.Archived, "Legacy rules hybrid."),
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
            [V("0.1.0", ChangeKind.ImprovedModel, Stage.Archived, "Research prototype; halted by the AI ethics board.")]),
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
        var policies = (await policyStore.CurrentAllAsync(cancellationToken)).Select(p => p.Policy()).ToList();
        var existing = await db.Models.Select(m => m.Key).ToListAsync(cancellationToken);
        var added = 0;
        var now = clock.GetUtcNow();
        foreach (var seed in Portfolio.Where(s => !existing.Contains(s.Key)))
        {
            var owner = DemoPersonas.Find(seed.Owner)!;
            var model = new Model
            {
                Key = seed.Key,
                Name = seed.Name,
                Description = seed.Description,
                Owner = owner.Username,
                BusinessOwner = seed.BusinessOwner,
                Team = owner.Team,
                UseCase = seed.UseCase,
                RiskTier = seed.Risk,
                DataCategories = seed.Data,
                EuDataSubjects = EuDataSubjects.Contains(seed.Key),
                AutomatedLegalEffect = AutomatedLegalEffect.Contains(seed.Key),
                Tags = seed.Tags,
                CreatedAt = now.AddDays(-400 - DemoReviews.ExtraDays(seed.Key)),
                CreatedBy = owner.Username,
            };
            db.Models.Add(model);
            db.Audit.Record("model.registered", model, new { source = "seed-demo" });
            var age = seed.Versions.Length * 45 + DemoReviews.ExtraDays(seed.Key);
            string? parent = null;
            for (var index = 0; index < seed.Versions.Length; index++)
            {
                var v = seed.Versions[index];
                VersionNumber.TryParse(v.Number, out var number);
                var version = new ModelVersion
                {
                    ModelId = model.Id,
                    Major = number!.Value.Major,
                    Minor = number.Value.Minor,
                    Pipeline = number.Value.Pipeline,
                    ChangeKind = v.Kind,
                    ChangeReason = v.Reason,
                    ArtifactUri = $"s3://ml-artifacts/{seed.Key}/{v.Number}/model.tar.gz",
                    ArtifactSha256 = Sha256($"{seed.Key}@{v.Number}"),
                    Stage = v.Stage,
                    StageChangedAt = now.AddDays(-age + 10),
                    RegisteredAt = now.AddDays(-age),
                    RegisteredBy = owner.Username,
                    CodeRepository = $"https://git.example.com/ml/{seed.Key}",
                    CodeCommit = Sha256($"commit {seed.Key} {v.Number}")[..40],
                    DataSnapshotId = $"{seed.Key}-snapshot-{v.Number}",
                    DataSnapshotHash = "sha256:" + Sha256($"data {seed.Key} {v.Number}"),
                    PipelineRunId = $"run-{Sha256(seed.Key + v.Number)[..8]}",
                    EnvironmentDigest = "sha256:" + Sha256($"env {v.Number}"),
                    ParentVersion = parent,
                };
                version.Metrics.AddRange(DemoMetrics(version.Id, seed.Key, index));
                parent = v.Number;
                db.ModelVersions.Add(version);
                db.Audit.Record("version.registered", version, new { model = seed.Key, version = v.Number, source = "seed-demo" });
                if (v.Stage == Stage.Production)
                {
                    SeedApproval(model, version, owner.Username, PromotionPolicies.Find(policies, Stage.Production, model.RiskTier));
                }
                if (DemoCards.For(seed.Key, v.Number, v.Stage, seed.Name, seed.Description, seed.UseCase) is { } card)
                {
                    var revision = ModelCardRevision.Of(version, 1, card, null, version.RegisteredAt, owner.Username);
                    db.ModelCardRevisions.Add(revision);
                    db.Audit.Record("card.revised", revision, new { model = seed.Key, version = v.Number, source = "seed-demo" });
                }
                age -= 45;
            }
            added++;
        }
        await db.SaveChangesAsync(cancellationToken);
        // Plans first: the decommission checklist applies to a version once its retirement is planned.
        await new DemoRetirements(db, now).SeedAsync(cancellationToken);
        await new DemoAssessments(db, now).SeedAsync(cancellationToken);
        logger.LogInformation("Demo data: {Added} model(s) added, {Existing} already present.", added, existing.Count);
        return added;
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
    }

    /// <summary>The approved request that put a demo version in production, so the portfolio's history is complete.</summary>
    private void SeedApproval(Model model, ModelVersion version, string requester, PromotionPolicy? policy)
    {
        if (policy is null || policy.TotalApprovals == 0 && model.RiskTier == RiskTier.Prohibited)
        {
            return;
        }
        var decidedAt = version.StageChangedAt;
        var promotion = new Promotion
        {
            VersionId = version.Id,
            FromStage = Stage.Staging,
            TargetStage = Stage.Production,
            Requester = requester,
            Justification = "Validated on the holdout set; see the model card.",
            State = PromotionRequestState.Approved,
            PolicyVersion = policy.Version,
            PolicyJson = PromotionService.SerializePolicy(policy),
            GatesJson = "[]",
            CreatedAt = decidedAt.AddDays(-3),
            ExpiresAt = decidedAt.AddDays(-3) + policy.RequestExpiry,
            DecidedAt = decidedAt,
        };
        var approvers = new[] { "compliance@demo.test", "compliance2@demo.test" }.Take(Math.Max(1, policy.TotalApprovals)).ToList();
        foreach (var (approver, index) in approvers.Select((a, i) => (a, i)))
        {
            promotion.Decisions.Add(new PromotionDecisionRecord
            {
                PromotionId = promotion.Id, Approver = approver, Role = Roles.ComplianceOfficer, Verdict = Verdict.Approve,
                Comment = "Reviewed the card, metrics and lineage.", At = decidedAt.AddHours(index - approvers.Count),
            });
        }
        db.Promotions.Add(promotion);
        db.Audit.Record("promotion.approved", promotion, new { model = model.Key, version = version.Number.ToString(), policyVersion = policy.Version, approvers, source = "seed-demo" });
    }

    /// <summary>Metrics that improve from version to version, with a weaker slice, so comparisons have something to show.</summary>
    private static IEnumerable<VersionMetric> DemoMetrics(Guid versionId, string key, int index)
    {
        var jitter = (Sha256(key)[0] % 7) / 1000.0;
        var auc = Math.Round(0.74 + 0.02 * index + jitter, 4);
        yield return new VersionMetric { VersionId = versionId, Name = "auc", Value = auc, Dataset = "holdout-2026q2", Slice = "overall", Threshold = 0.72 };
        yield return new VersionMetric { VersionId = versionId, Name = "auc", Value = Math.Round(auc - 0.03, 4), Dataset = "holdout-2026q2", Slice = "age<25", Threshold = 0.70 };
        yield return new VersionMetric { VersionId = versionId, Name = "recall@10%", Value = Math.Round(0.42 + 0.03 * index + jitter, 4), Dataset = "holdout-2026q2", Slice = "overall" };
        yield return new VersionMetric
        {
            VersionId = versionId, Name = "expected calibration error", Value = Math.Round(0.055 - 0.005 * index, 4), Dataset = "holdout-2026q2",
            Slice = "overall", Threshold = 0.06, HigherIsBetter = false,
        };
    }

    private static VersionSeed V(string number, ChangeKind kind, Stage stage, string reason) => new(number, kind, stage, reason);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
