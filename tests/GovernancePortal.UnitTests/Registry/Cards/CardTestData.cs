using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

/// <summary>A complete card and metrics to start tests from.</summary>
internal static class CardTestData
{
    public static ModelCard Complete() => ModelCard.Empty with
    {
        Overview = "Scores incoming loan applications for the risk of default within twelve months.\n\nBuilt by the credit analytics team.",
        IntendedUse = "Advice to a credit officer who makes the final decision on **consumer loans** up to EUR 50,000.",
        OutOfScopeUses = "- Mortgages and business loans\n- Fully automatic rejection without a person reviewing the case",
        Users = "Credit officers in retail branches; applicants are affected by the outcome.",
        Factors = "Age band, region and application channel (branch, web, partner) were checked separately.",
        TrainingData = "Applications from 2019-2023 (1.2 million rows) from the core banking system, personal data pseudonymised.",
        EvaluationData = "A held-out sample of 2024 applications (150,000 rows), never seen in training.",
        QuantitativeAnalysis = "AUC is stable across regions; recall drops for the partner channel.",
        FairnessAnalysis = "Approval-rate ratio between age bands stays above 0.8; no gap by gender in false negatives.",
        Limitations = "Unreliable for applicants with less than six months of credit history.",
        EthicalConsiderations =
        [
            new EthicalConsideration("Indirect discrimination by postcode", "Postcode removed; regional parity monitored monthly."),
            new EthicalConsideration("Over-reliance on the score by officers", "Officers must record a reason when they follow the score."),
        ],
        CaveatsAndRecommendations = "Retrain yearly and re-check fairness after every change in lending policy.",
        Contacts =
        [
            new ModelCardContact("Jane Doe", "jane.doe@example.org", "Model owner"),
            new ModelCardContact("Credit Analytics", "credit-analytics@example.org"),
        ],
        License = "proprietary",
    };

    public static IReadOnlyList<CardMetric> Metrics() =>
    [
        new CardMetric("AUC", 0.8731, "holdout-2024"),
        new CardMetric("Recall", 0.71, "holdout-2024", "partner channel", 0.5),
        new CardMetric("False positive rate", 0.043, "holdout-2024", null, 0.5, HigherIsBetter: false),
    ];
}
