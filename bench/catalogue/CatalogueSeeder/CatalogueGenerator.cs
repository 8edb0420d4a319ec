using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Registry;

namespace GovernancePortal.Bench;

public sealed record GeneratedCatalogue(IReadOnlyList<Model> Models, IReadOnlyList<ModelVersion> Versions, IReadOnlyList<VersionMetric> Metrics);

/// <summary>
/// A deterministic (seeded), believable portfolio: 20 business domains with 2 teams each (40 teams), six owners per team
/// (plus the two demo owners on a few models), the portal's risk tiers and data categories in plausible shares, and
/// versions that follow the registry's numbering rules with at most one Production version per model.
/// </summary>
public static class CatalogueGenerator
{
    public const int MetricKinds = 4;
    private const int OwnersPerTeam = 6;

    private sealed record Domain(string Slug, string Title, string[] Purposes, string Extra);

    // Every domain appears in about 1 model in 20, so a search for one domain word ("fraud") matches about 5%.
    private static readonly Domain[] Domains =
    [
        new("credit", "Credit", ["default probability", "limit setting", "behaviour score", "early warning"], "scorecard"),
        new("fraud", "Fraud", ["card transactions", "account takeover", "merchant rings", "application screening"], "streaming"),
        new("aml", "AML", ["alert triage", "transaction monitoring", "network risk", "sanctions screening"], "financial-crime"),
        new("churn", "Churn", ["current accounts", "credit cards", "subscriptions", "savings"], "marketing"),
        new("mortgage", "Mortgage", ["affordability", "valuation", "arrears", "prepayment"], "lending"),
        new("claims", "Claims", ["triage", "severity", "leakage", "subrogation"], "insurance"),
        new("pricing", "Pricing", ["motor premiums", "home premiums", "deposit rates", "dynamic offers"], "optimisation"),
        new("demand", "Demand", ["store forecast", "online forecast", "promotion uplift", "markdown"], "forecasting"),
        new("sepsis", "Sepsis", ["early warning", "ward deterioration", "paediatric risk", "lactate trend"], "clinical"),
        new("readmission", "Readmission", ["30-day risk", "heart failure", "frailty", "discharge planning"], "clinical"),
        new("radiology", "Radiology", ["chest x-ray triage", "fracture detection", "nodule follow-up", "worklist order"], "imaging"),
        new("marketing", "Marketing", ["next best offer", "propensity", "lifetime value", "uplift"], "campaigns"),
        new("collections", "Collections", ["roll rate", "contact strategy", "cure probability", "recovery"], "lending"),
        new("kyc", "KYC", ["document check", "identity match", "risk rating", "periodic review"], "onboarding"),
        new("payments", "Payments", ["routing", "authorisation", "chargeback risk", "instant payments"], "streaming"),
        new("supply", "Supply", ["lead time", "supplier risk", "inventory", "allocation"], "supply-chain"),
        new("support", "Support", ["chat intent", "email routing", "sentiment", "call summary"], "nlp"),
        new("workforce", "Workforce", ["attrition", "scheduling", "absence", "skills match"], "hr"),
        new("recommendation", "Recommendation", ["products", "content", "articles", "search ranking"], "ranking"),
        new("energy", "Energy", ["load forecast", "meter anomaly", "tariff switch", "outage risk"], "forecasting"),
    ];

    private static readonly (RiskTier Tier, int Weight)[] RiskShares =
        [(RiskTier.Minimal, 30), (RiskTier.Limited, 32), (RiskTier.High, 37), (RiskTier.Prohibited, 1)];

    private static readonly (DataCategories Data, int Weight)[] DataShares =
    [
        (DataCategories.None, 25), (DataCategories.PersonalData, 50), (DataCategories.PersonalData | DataCategories.SpecialCategoryData, 15),
        (DataCategories.ProtectedHealthInformation, 7), (DataCategories.ProtectedHealthInformation | DataCategories.SpecialCategoryData, 3),
    ];

    private static readonly string[] DemoOwners = ["owner@demo.test", "owner2@demo.test"];

    public static GeneratedCatalogue Generate(SeedOptions options, DateTimeOffset now)
    {
        var random = new Random(options.RandomSeed);
        var models = new List<Model>(options.Models);
        var versions = new List<ModelVersion>(options.Models * options.VersionsPerModel);
        var metrics = new List<VersionMetric>(options.Models * options.VersionsPerModel * options.MetricsPerVersion);
        for (var i = 0; i < options.Models; i++)
        {
            var domainIndex = random.Next(Domains.Length);
            var domain = Domains[domainIndex];
            var purpose = domain.Purposes[random.Next(domain.Purposes.Length)];
            var teamIndex = domainIndex * 2 + random.Next(2);
            var team = $"{domain.Title} {(teamIndex % 2 == 0 ? "Analytics" : "ML Engineering")}";
            var owner = random.Next(100) < 2
                ? DemoOwners[random.Next(DemoOwners.Length)]
                : $"owner-{teamIndex * OwnersPerTeam + random.Next(OwnersPerTeam) + 1:D3}@bench.test";
            var number = i + 1;
            var key = $"{domain.Slug}-{Slug(purpose)}-{number:D5}";
            var createdAt = now.AddDays(-random.Next(60, 1100)).AddMinutes(-random.Next(24 * 60));
            var model = new Model
            {
                Key = key,
                Name = $"{domain.Title} {purpose} {number:D5}",
                Description = $"Scores {purpose} for the {team} team. Trained on {domain.Slug} history with monthly retraining; " +
                    $"monitored for drift and fairness across customer segments. Reviewed under the model risk policy.",
                Owner = owner,
                BusinessOwner = $"Head of {domain.Title}",
                Team = team,
                UseCase = $"{char.ToUpperInvariant(purpose[0])}{purpose[1..]} decisions",
                RiskTier = Pick(random, RiskShares),
                DataCategories = Pick(random, DataShares),
                Tags = $"{domain.Slug},{Slug(purpose)},{domain.Extra}",
                CreatedAt = createdAt,
                CreatedBy = owner,
            };
            models.Add(model);
            AddVersions(random, options, model, now, versions, metrics);
        }
        return new GeneratedCatalogue(models, versions, metrics);
    }

    private static void AddVersions(Random random, SeedOptions options, Model model, DateTimeOffset now, List<ModelVersion> versions,
        List<VersionMetric> metrics)
    {
        var count = options.VersionsPerModel;
        // 85% of models have one version in Production, mostly one of the later ones; the rest are not live (yet).
        int? production = random.Next(100) < 85 ? Math.Max(0, count - 1 - random.Next(Math.Min(4, count))) : null;
        var span = now - model.CreatedAt;
        var number = new VersionNumber(1, 0, 0);
        string? parent = null;
        var jitter = random.Next(7) / 1000.0;
        for (var index = 0; index < count; index++)
        {
            var kind = index == 0
                ? ChangeKind.ImprovedModel
                : random.Next(100) switch { < 10 => ChangeKind.IncompatibleDataChange, < 60 => ChangeKind.ImprovedModel, _ => ChangeKind.PipelineChange };
            if (index > 0)
            {
                number = number.Next(kind);
            }
            var stage = production switch
            {
                { } p when index == p => Stage.Production,
                { } p when index < p - 2 => Stage.Archived,
                { } p when index < p => Stage.Retired,
                { } p when index == p + 1 => Stage.Staging,
                { } => Stage.Development,
                null when index < count - 3 => Stage.Archived,
                null when index == count - 1 => Stage.Staging,
                null => Stage.Development,
            };
            var text = number.ToString();
            var registeredAt = model.CreatedAt + span * ((index + 0.5) / (count + 1));
            var version = new ModelVersion
            {
                ModelId = model.Id,
                Major = number.Major,
                Minor = number.Minor,
                Pipeline = number.Pipeline,
                ChangeKind = kind,
                ChangeReason = kind switch
                {
                    ChangeKind.IncompatibleDataChange => "New source schema; features rebuilt.",
                    ChangeKind.ImprovedModel => "Retrained with new features; validation metrics improved.",
                    _ => "Pipeline dependency and base image update; same model.",
                },
                ArtifactUri = $"s3://ml-artifacts/{model.Key}/{text}/model.tar.gz",
                ArtifactSha256 = Sha256($"{model.Key}@{text}"),
                Stage = stage,
                StageChangedAt = registeredAt.AddDays(3),
                RegisteredAt = registeredAt,
                RegisteredBy = model.Owner,
                CodeRepository = $"https://git.example.com/ml/{model.Key}",
                CodeCommit = Sha256($"commit {model.Key} {text}")[..40],
                DataSnapshotId = $"{model.Key}-snapshot-{text}",
                DataSnapshotHash = "sha256:" + Sha256($"data {model.Key} {text}"),
                PipelineRunId = $"run-{Sha256(model.Key + text)[..8]}",
                EnvironmentDigest = "sha256:" + Sha256($"env {text}"),
                ParentVersion = parent,
            };
            versions.Add(version);
            metrics.AddRange(Metrics(version.Id, index, jitter).Take(options.MetricsPerVersion));
            parent = text;
        }
    }

    /// <summary>The demo seeder's metric shapes: an overall AUC, a weaker slice, recall and a lower-is-better calibration error.</summary>
    private static IEnumerable<VersionMetric> Metrics(Guid versionId, int index, double jitter)
    {
        var auc = Math.Round(0.70 + 0.01 * index + jitter, 4);
        yield return new VersionMetric { VersionId = versionId, Name = "auc", Value = auc, Dataset = "holdout", Slice = "overall", Threshold = 0.72 };
        yield return new VersionMetric
        {
            VersionId = versionId, Name = "expected calibration error", Value = Math.Round(0.08 - 0.004 * index, 4), Dataset = "holdout",
            Slice = "overall", Threshold = 0.06, HigherIsBetter = false,
        };
        yield return new VersionMetric { VersionId = versionId, Name = "auc", Value = Math.Round(auc - 0.04, 4), Dataset = "holdout", Slice = "age<25", Threshold = 0.70 };
        yield return new VersionMetric { VersionId = versionId, Name = "recall@10%", Value = Math.Round(0.40 + 0.01 * index + jitter, 4), Dataset = "holdout", Slice = "overall" };
    }

    private static T Pick<T>(Random random, (T Value, int Weight)[] shares)
    {
        var roll = random.Next(shares.Sum(s => s.Weight));
        foreach (var (value, weight) in shares)
        {
            if (roll < weight)
            {
                return value;
            }
            roll -= weight;
        }
        return shares[^1].Value;
    }

    private static string Slug(string text) => text.Replace(' ', '-').Replace("/", "-");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
