namespace GovernancePortal.Registry;

/// <summary>
/// One measured result of a model version, as the card exports show it; the web layer maps its version metrics to
/// this. A <paramref name="Slice"/> that is empty or "overall" means the whole dataset.
/// </summary>
public sealed record CardMetric(
    string Name,
    double Value,
    string Dataset,
    string? Slice = null,
    double? Threshold = null,
    bool HigherIsBetter = true)
{
    public const string Overall = "overall";

    public bool IsSliced => !string.IsNullOrWhiteSpace(Slice) && !Slice.Trim().Equals(Overall, StringComparison.OrdinalIgnoreCase);
}
