using GovernancePortal.Registry;


namespace GovernancePortal.Demo;

/// <summary>Model cards for the demo portfolio: two complete ones, the rest partly written, as in a real registry.</summary>
public static class DemoCards
{
    public static ModelCard? For(string modelKey, string version, Stage stage, string name, string description, string useCase) => (modelKey, version) switch
    {
        ("sepsis-early-warning", "1.1.0") => Sepsis,
        ("credit-default-pd", "1.2.0") => CreditDefault,
        // A version in production passed its policy's card gate, so its card is complete.
        _ when stage is Stage.Production or Stage.Retired => Complete(name, description, useCase),
        // A version in Staging passed its Staging card gate (60 at most) but not yet a Production one.
        _ when stage == Stage.Staging => Draft(name, description, useCase),
        (_, _) when version.EndsWith(".0", StringComparison.Ordinal) => Partial(modelKey),
        _ => null,
    };

    private static ModelCard Complete(string name, string description, string useCase) => new()
    {
        Overview = $"{description} Maintained by the owning team and reviewed before every promotion.",
        IntendedUse = $"Supports {useCase.ToLowerInvariant()}; a trained member of staff reviews every outcome before it affects a customer or patient.",
        OutOfScopeUses = $"Any use other than {useCase.ToLowerInvariant()}, any fully automated decision, and any population outside the training data's scope.",
        Users = "The business team named as business owner, their operational staff, and the model risk team who monitor it.",
        Factors = "Performance is reported overall and for younger customers (age under 25), the slice where errors are most likely.",
        TrainingData = "Internal records from the last three years, snapshot recorded in the version's lineage, with personal identifiers removed.",
        EvaluationData = "An out-of-time holdout from the most recent quarter (holdout-2026q2) that was never used for training.",
        QuantitativeAnalysis = "AUC and recall at the top decile are reported overall and by slice; calibration error stays below the 0.06 threshold.",
        FairnessAnalysis = "Outcome rates and error rates are compared across age bands; the under-25 slice is monitored monthly.",
        Limitations = $"{name} has not been validated for new markets or products; behaviour after large economic or operational shifts is unknown.",
        EthicalConsiderations = [new("Unequal error rates for younger people.", "Slice metrics are reviewed every release and before promotion.")],
        CaveatsAndRecommendations = "Recalibrate when the base rate moves by more than 20 % from the development sample; keep human review in place.",
        Contacts = [new("Model owner", "ml-owners@demo.test", "Owner"), new("Model risk team", "compliance@demo.test", "Validation")],
        License = "Proprietary",
    };

    /// <summary>75 of 100: what the owners write before shadow traffic; fairness, ethics, caveats, factors and licence come later.</summary>
    private static ModelCard Draft(string name, string description, string useCase) => Complete(name, description, useCase) with
    {
        Factors = "", FairnessAnalysis = "", EthicalConsiderations = [], CaveatsAndRecommendations = "", License = "",
    };

    private static readonly ModelCard Sepsis = new()
    {
        Overview = "Gradient-boosted model that scores adult inpatients every hour for the risk of sepsis in the next **6 hours**, from vital signs and laboratory results in the EHR.",
        IntendedUse = "Decision support for rapid-response nurses on adult general wards. A score above the alert threshold prompts a bedside review within 30 minutes; clinicians decide on treatment.",
        OutOfScopeUses = "- Paediatric or maternity patients\n- Intensive care units (different monitoring frequency)\n- Any automated treatment decision or triage without a clinician",
        Users = "Rapid-response nurses, ward physicians and the deteriorating-patient committee.",
        Factors = "Age band, sex, admitting specialty and hospital site; performance is reported for each.",
        TrainingData = "De-identified encounters from three hospitals, 2021-2024 (412,000 admissions), Safe Harbor de-identification; snapshot `sepsis-snapshot-1.1.0`.",
        EvaluationData = "Temporally held-out admissions from 2025 (61,000) and an external site never used in training.",
        QuantitativeAnalysis = "AUC and recall at the alerting threshold are reported overall and for patients under 25; calibration error is below the 0.06 threshold.",
        FairnessAnalysis = "Recall differs by less than 3 points between sexes and across age bands above 25; the under-25 slice is weaker and is monitored monthly.",
        Limitations = "Relies on timely charting of vitals; missing lactate results lower sensitivity. Not validated for patients on comfort care.",
        EthicalConsiderations =
        [
            new("Alert fatigue could lead staff to ignore genuine alerts.", "Threshold set with nursing leads; alert volume reviewed weekly."),
            new("Under-representation of young adults in the training data.", "Slice metrics reported per release; retraining adds 2025 data."),
        ],
        CaveatsAndRecommendations = "Review the threshold when ward staffing changes. Re-validate before use at a new site.",
        Contacts = [new("Omar Okafor", "owner2@demo.test", "Model owner"), new("Clinical Safety Officer", "clinical.safety@demo.test", "Clinical safety")],
        License = "Proprietary",
    };

    private static readonly ModelCard CreditDefault = new()
    {
        Overview = "Estimates the 12-month probability of default for retail loan applicants from application and bureau data.",
        IntendedUse = "Input to loan origination decisions alongside affordability checks; underwriters review every declined application.",
        OutOfScopeUses = "Pricing, marketing selection, collections prioritisation, or any decision without the affordability check.",
        Users = "Underwriters, credit policy analysts and model risk validators.",
        Factors = "Applicant age band, region and employment type; protected characteristics are not model inputs.",
        TrainingData = "Applications 2019-2024 with 12-month outcomes (1.8 million), bureau snapshot `credit-default-pd-snapshot-1.2.0`.",
        EvaluationData = "Out-of-time sample from the first half of 2025 and a reject-inference sample.",
        QuantitativeAnalysis = "AUC is reported overall and for applicants under 25; calibration error must stay below 0.06.",
        FairnessAnalysis = "Approval-rate ratios across age bands and regions stay within 0.8-1.25 at the current cut-off.",
        Limitations = "Thin-file applicants score less reliably; economic shocks outside the training window may shift default rates.",
        EthicalConsiderations = [new("Indirect discrimination through proxies such as postcode.", "Postcode excluded; quarterly disparity testing by the model risk team.")],
        CaveatsAndRecommendations = "Recalibrate when the default rate moves by more than 20 % relative to the development sample.",
        Contacts = [new("Olivia Owner", "owner@demo.test", "Model owner")],
        License = "Proprietary",
    };

    private static ModelCard Partial(string modelKey) => new()
    {
        Overview = $"Model `{modelKey}`: see the model description in the registry. The card is being written by the owning team.",
        IntendedUse = "Supports the business process named in the registry entry; a person reviews every outcome before it affects a customer.",
        Limitations = "Evaluation on recent data is pending; do not extend to new markets without a new assessment.",
        Contacts = [new("Model owner", null, "Owner")],
    };
}
