namespace GovernancePortal.Compliance;

/// <summary>What an answer to an item must carry besides Yes / No / Not applicable.</summary>
public enum EvidenceKind
{
    None = 0,
    Link = 1,
    File = 2,
}

/// <summary>HIPAA Security Rule implementation specifications are required or addressable (45 CFR 164.306(d)).</summary>
public enum Obligation
{
    Required = 0,
    Addressable = 1,
}

public sealed record ChecklistItem(
    string Id,
    string Text,
    string Guidance,
    string Citation,
    EvidenceKind Evidence,
    ApplicabilityRule? AppliesWhen,
    Obligation? Obligation);

/// <summary>A versioned, cited list of items, applied to a model version when <see cref="AppliesWhen"/> holds.</summary>
public sealed record ChecklistTemplate(
    string Id,
    int Version,
    string Title,
    string Authority,
    ApplicabilityRule AppliesWhen,
    string AppliesBecause,
    IReadOnlyList<ChecklistItem> Items)
{
    /// <summary>Placeholder in <see cref="AppliesBecause"/> replaced by why the rule holds for a model.</summary>
    public const string ReasonPlaceholder = "{reason}";
}

/// <summary>A template file that is not a valid template; the message says which file, item and key.</summary>
public sealed class ChecklistFormatException(string message, Exception? inner = null) : FormatException(message, inner);
