using System.ComponentModel.DataAnnotations;

namespace GovernancePortal.Registry;

/// <summary>
/// A model's own details as the register and edit forms post them (flat, so that the fields are named "Input.Name" and
/// so on, as the request's field errors map back to them).
/// </summary>
public class ModelDetailsInput
{
    [Required(ErrorMessage = "Give the model a name.")]
    public string Name { get; set; } = "";

    public string? Description { get; set; }
    public string? BusinessOwner { get; set; }
    public string? UseCase { get; set; }

    [Required(ErrorMessage = "Choose a risk tier.")]
    public RiskTier? RiskTier { get; set; }

    public bool PersonalData { get; set; }
    public bool SpecialCategoryData { get; set; }
    public bool ProtectedHealthInformation { get; set; }
    public bool EuDataSubjects { get; set; }
    public bool AutomatedLegalEffect { get; set; }

    /// <summary>Comma-separated.</summary>
    public string? Tags { get; set; }

    public List<DataCategories> Categories() =>
        [.. Enum.GetValues<DataCategories>().Where(c => c != DataCategories.None && Has(c))];

    public List<string> TagList() =>
        Tags?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant()).ToList() ?? [];

    /// <summary>Fills the fields from a stored model.</summary>
    public void Load(Model model)
    {
        Name = model.Name;
        Description = model.Description;
        BusinessOwner = model.BusinessOwner;
        UseCase = model.UseCase;
        RiskTier = model.RiskTier;
        PersonalData = model.DataCategories.HasFlag(DataCategories.PersonalData);
        SpecialCategoryData = model.DataCategories.HasFlag(DataCategories.SpecialCategoryData);
        ProtectedHealthInformation = model.DataCategories.HasFlag(DataCategories.ProtectedHealthInformation);
        EuDataSubjects = model.EuDataSubjects;
        AutomatedLegalEffect = model.AutomatedLegalEffect;
        Tags = string.Join(", ", model.TagList);
    }

    private bool Has(DataCategories category) => category switch
    {
        DataCategories.PersonalData => PersonalData,
        DataCategories.SpecialCategoryData => SpecialCategoryData,
        DataCategories.ProtectedHealthInformation => ProtectedHealthInformation,
        _ => false,
    };
}
