namespace GovernancePortal.Compliance;

public sealed class ChecklistOptions
{
    public const string Section = "Checklists";

    /// <summary>Largest evidence file accepted, in bytes.</summary>
    public long MaxEvidenceBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Folder of the template YAML files loaded by migrate; defaults to the copy beside the executable.</summary>
    public string? LibraryPath { get; set; }

    public string LibraryFolder => string.IsNullOrWhiteSpace(LibraryPath) ? Path.Combine(AppContext.BaseDirectory, "checklists") : LibraryPath;
}
