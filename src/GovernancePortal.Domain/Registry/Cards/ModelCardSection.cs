namespace GovernancePortal.Registry;

/// <summary>One editable part of a model card; the editor shows one form per section.</summary>
public enum ModelCardSection
{
    Overview = 0,
    IntendedUse = 1,
    OutOfScopeUses = 2,
    Users = 3,
    Factors = 4,
    TrainingData = 5,
    EvaluationData = 6,
    QuantitativeAnalysis = 7,
    FairnessAnalysis = 8,
    Limitations = 9,
    EthicalConsiderations = 10,
    CaveatsAndRecommendations = 11,
    Contacts = 12,
    License = 13,
}

public enum ModelCardSectionKind
{
    /// <summary>Long text, written in Markdown and rendered with <see cref="SafeMarkdown"/>.</summary>
    Markdown = 0,
    /// <summary>Plain text shown as typed (the licence).</summary>
    PlainText = 1,
    RiskList = 2,
    ContactList = 3,
}

public sealed record ModelCardSectionInfo(
    ModelCardSection Section,
    string Title,
    string Hint,
    ModelCardSectionKind Kind);

public static class ModelCardSections
{
    private static readonly ModelCardSectionInfo[] _all =
    [
        new(ModelCardSection.Overview, "Overview",
            "What the model does in two or three sentences: the decision or task it supports, what goes in and what comes out, and who built it.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.IntendedUse, "Intended use",
            "The business process and situations the model was built for, and how its output should be used (for example, as advice to a person who decides, or as an automatic decision).",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.OutOfScopeUses, "Out-of-scope uses",
            "Uses the model must not be put to, even if it seems to work: other customer groups, other countries, other decisions, or fully automatic decisions where a person must decide.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.Users, "Intended users",
            "Who uses the output (teams, roles, customers) and who is affected by it without using it.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.Factors, "Factors",
            "Groups, conditions or settings in which the model may behave differently (for example age bands, regions, channels, devices or seasons), and which of them were checked.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.TrainingData, "Training data",
            "Where the training data came from, the period it covers, how large it is, whether it contains personal data, and how it was cleaned or selected.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.EvaluationData, "Evaluation data",
            "The data used to test the model, why it represents real use, and how it was kept separate from the training data.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.QuantitativeAnalysis, "Quantitative analysis",
            "What the measured results mean in practice: which numbers matter most, how good is good enough, and how results differ between groups. The numbers themselves come from the version's metrics.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.FairnessAnalysis, "Fairness and bias analysis",
            "Whether some groups get worse results or are treated differently, how that was checked, what was found, and what was done about it.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.Limitations, "Limitations",
            "Where the model is known to be weak or unreliable, and the situations or inputs in which its output should not be trusted.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.EthicalConsiderations, "Ethical considerations",
            "Each risk of harm to people or the organisation (for example discrimination, privacy, misuse), paired with what is done to reduce it.",
            ModelCardSectionKind.RiskList),
        new(ModelCardSection.CaveatsAndRecommendations, "Caveats and recommendations",
            "Anything else a reader should know before relying on the model, and advice on monitoring, retraining or further testing.",
            ModelCardSectionKind.Markdown),
        new(ModelCardSection.Contacts, "Contacts",
            "The people or teams to ask about the model, with an email address and their role (for example owner, data scientist, reviewer).",
            ModelCardSectionKind.ContactList),
        new(ModelCardSection.License, "Licence",
            "The licence under which the model may be used: an SPDX identifier such as MIT or Apache-2.0, \"proprietary\", or the licence text.",
            ModelCardSectionKind.PlainText),
    ];

    /// <summary>Every section in the order of the card.</summary>
    public static IReadOnlyList<ModelCardSectionInfo> All => _all;

    public static ModelCardSectionInfo Get(ModelCardSection section) =>
        Enum.IsDefined(section) ? _all[(int)section] : throw new ArgumentOutOfRangeException(nameof(section));

    public static string Title(this ModelCardSection section) => Get(section).Title;

    /// <summary>The section after this one in the card, or null after the last.</summary>
    public static ModelCardSection? Next(ModelCardSection section) =>
        (int)section + 1 < _all.Length ? _all[(int)section + 1].Section : null;

    public static string Hint(this ModelCardSection section) => Get(section).Hint;

    public static ModelCardSectionKind Kind(this ModelCardSection section) => Get(section).Kind;

    public static bool IsText(this ModelCardSection section) =>
        Get(section).Kind is ModelCardSectionKind.Markdown or ModelCardSectionKind.PlainText;
}
