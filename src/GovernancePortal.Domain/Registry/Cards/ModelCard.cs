using System.Collections.Immutable;

namespace GovernancePortal.Registry;

/// <summary>
/// The content of a model card in the sense of Mitchell et al. (2019) and the Model Card Toolkit.
/// Immutable, with value equality over every field including the lists, so two revisions compare by content.
/// Text fields are never null; the lists are never default.
/// </summary>
public sealed record ModelCard
{
    public static ModelCard Empty { get; } = new();

    public string Overview { get; init => field = value ?? ""; } = "";

    public string IntendedUse { get; init => field = value ?? ""; } = "";

    public string OutOfScopeUses { get; init => field = value ?? ""; } = "";

    /// <summary>The intended users, and those affected by the output.</summary>
    public string Users { get; init => field = value ?? ""; } = "";

    public string Factors { get; init => field = value ?? ""; } = "";

    public string TrainingData { get; init => field = value ?? ""; } = "";

    public string EvaluationData { get; init => field = value ?? ""; } = "";

    /// <summary>Commentary on the results; the numbers themselves are the version's metrics.</summary>
    public string QuantitativeAnalysis { get; init => field = value ?? ""; } = "";

    public string FairnessAnalysis { get; init => field = value ?? ""; } = "";

    public string Limitations { get; init => field = value ?? ""; } = "";

    public ImmutableArray<EthicalConsideration> EthicalConsiderations { get; init => field = value.IsDefault ? [] : value; } = [];

    public string CaveatsAndRecommendations { get; init => field = value ?? ""; } = "";

    public ImmutableArray<ModelCardContact> Contacts { get; init => field = value.IsDefault ? [] : value; } = [];

    /// <summary>An SPDX identifier (or "proprietary"), or the licence text.</summary>
    public string License { get; init => field = value ?? ""; } = "";

    /// <summary>The text of a text section (Markdown or plain).</summary>
    public string GetText(ModelCardSection section) => section switch
    {
        ModelCardSection.Overview => Overview,
        ModelCardSection.IntendedUse => IntendedUse,
        ModelCardSection.OutOfScopeUses => OutOfScopeUses,
        ModelCardSection.Users => Users,
        ModelCardSection.Factors => Factors,
        ModelCardSection.TrainingData => TrainingData,
        ModelCardSection.EvaluationData => EvaluationData,
        ModelCardSection.QuantitativeAnalysis => QuantitativeAnalysis,
        ModelCardSection.FairnessAnalysis => FairnessAnalysis,
        ModelCardSection.Limitations => Limitations,
        ModelCardSection.CaveatsAndRecommendations => CaveatsAndRecommendations,
        ModelCardSection.License => License,
        _ => throw new ArgumentException($"{section} is not a text section.", nameof(section)),
    };

    /// <summary>A copy with one text section replaced; the other sections are kept.</summary>
    public ModelCard WithText(ModelCardSection section, string text) => section switch
    {
        ModelCardSection.Overview => this with { Overview = text },
        ModelCardSection.IntendedUse => this with { IntendedUse = text },
        ModelCardSection.OutOfScopeUses => this with { OutOfScopeUses = text },
        ModelCardSection.Users => this with { Users = text },
        ModelCardSection.Factors => this with { Factors = text },
        ModelCardSection.TrainingData => this with { TrainingData = text },
        ModelCardSection.EvaluationData => this with { EvaluationData = text },
        ModelCardSection.QuantitativeAnalysis => this with { QuantitativeAnalysis = text },
        ModelCardSection.FairnessAnalysis => this with { FairnessAnalysis = text },
        ModelCardSection.Limitations => this with { Limitations = text },
        ModelCardSection.CaveatsAndRecommendations => this with { CaveatsAndRecommendations = text },
        ModelCardSection.License => this with { License = text },
        _ => throw new ArgumentException($"{section} is not a text section.", nameof(section)),
    };

    public ModelCard WithEthicalConsiderations(IEnumerable<EthicalConsideration> considerations) =>
        this with { EthicalConsiderations = [.. considerations] };

    public ModelCard WithContacts(IEnumerable<ModelCardContact> contacts) => this with { Contacts = [.. contacts] };

    /// <summary>Copies one section's content from another card, whatever its kind.</summary>
    public ModelCard WithSectionFrom(ModelCardSection section, ModelCard source) => section switch
    {
        ModelCardSection.EthicalConsiderations => this with { EthicalConsiderations = source.EthicalConsiderations },
        ModelCardSection.Contacts => this with { Contacts = source.Contacts },
        _ => WithText(section, source.GetText(section)),
    };

    /// <summary>Every problem with the card's content, keyed by field; empty when the card may be saved.</summary>
    public IReadOnlyList<ModelCardError> Validate() => ModelCardValidator.Validate(this);

    /// <summary>The problems in one section only, for a one-section form.</summary>
    public IReadOnlyList<ModelCardError> Validate(ModelCardSection section) =>
        [.. ModelCardValidator.Validate(this).Where(e => e.Section == section)];

    public bool Equals(ModelCard? other) =>
        other is not null
        && string.Equals(Overview, other.Overview, StringComparison.Ordinal)
        && string.Equals(IntendedUse, other.IntendedUse, StringComparison.Ordinal)
        && string.Equals(OutOfScopeUses, other.OutOfScopeUses, StringComparison.Ordinal)
        && string.Equals(Users, other.Users, StringComparison.Ordinal)
        && string.Equals(Factors, other.Factors, StringComparison.Ordinal)
        && string.Equals(TrainingData, other.TrainingData, StringComparison.Ordinal)
        && string.Equals(EvaluationData, other.EvaluationData, StringComparison.Ordinal)
        && string.Equals(QuantitativeAnalysis, other.QuantitativeAnalysis, StringComparison.Ordinal)
        && string.Equals(FairnessAnalysis, other.FairnessAnalysis, StringComparison.Ordinal)
        && string.Equals(Limitations, other.Limitations, StringComparison.Ordinal)
        && EthicalConsiderations.SequenceEqual(other.EthicalConsiderations)
        && string.Equals(CaveatsAndRecommendations, other.CaveatsAndRecommendations, StringComparison.Ordinal)
        && Contacts.SequenceEqual(other.Contacts)
        && string.Equals(License, other.License, StringComparison.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Overview, StringComparer.Ordinal);
        hash.Add(IntendedUse, StringComparer.Ordinal);
        hash.Add(OutOfScopeUses, StringComparer.Ordinal);
        hash.Add(Users, StringComparer.Ordinal);
        hash.Add(Factors, StringComparer.Ordinal);
        hash.Add(TrainingData, StringComparer.Ordinal);
        hash.Add(EvaluationData, StringComparer.Ordinal);
        hash.Add(QuantitativeAnalysis, StringComparer.Ordinal);
        hash.Add(FairnessAnalysis, StringComparer.Ordinal);
        hash.Add(Limitations, StringComparer.Ordinal);
        foreach (var consideration in EthicalConsiderations)
        {
            hash.Add(consideration);
        }
        hash.Add(CaveatsAndRecommendations, StringComparer.Ordinal);
        foreach (var contact in Contacts)
        {
            hash.Add(contact);
        }
        hash.Add(License, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}

/// <summary>A risk of harm and what is done, or advised, to reduce it.</summary>
public sealed record EthicalConsideration
{
    public EthicalConsideration(string risk, string mitigation)
    {
        Risk = risk;
        Mitigation = mitigation;
    }

    public string Risk { get; init => field = value ?? ""; } = "";

    /// <summary>Empty while no mitigation is known; the completeness score then does not count the pair.</summary>
    public string Mitigation { get; init => field = value ?? ""; } = "";
}

public sealed record ModelCardContact
{
    public ModelCardContact(string name, string? email = null, string? role = null)
    {
        Name = name;
        Email = email;
        Role = role;
    }

    public string Name { get; init => field = value ?? ""; } = "";

    // Blank is stored as null so that "" and null are the same contact.
    public string? Email { get; init => field = string.IsNullOrWhiteSpace(value) ? null : value; }

    public string? Role { get; init => field = string.IsNullOrWhiteSpace(value) ? null : value; }
}

/// <summary>A problem with one field: <paramref name="Field"/> is a path such as "Contacts[2].Email".</summary>
public sealed record ModelCardError(ModelCardSection Section, string Field, string Message);
