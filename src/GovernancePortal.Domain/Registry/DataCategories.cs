namespace GovernancePortal.Registry;

[Flags]
public enum DataCategories
{
    None = 0,
    PersonalData = 1,
    SpecialCategoryData = 2,
    ProtectedHealthInformation = 4,
}

public static class DataCategoryNames
{
    public static string Describe(DataCategories categories) => categories == DataCategories.None
        ? "No personal data"
        : string.Join(", ", Enum.GetValues<DataCategories>()
            .Where(c => c != DataCategories.None && categories.HasFlag(c))
            .Select(Label));

    public static string Label(DataCategories category) => category switch
    {
        DataCategories.PersonalData => "Personal data",
        DataCategories.SpecialCategoryData => "Special-category data",
        DataCategories.ProtectedHealthInformation => "PHI",
        _ => "None",
    };
}
