using System.Globalization;

namespace GovernancePortal.Querying;

/// <summary>
/// Query-string values that pages bind as text and parse here. A typed <c>[SupplyParameterFromQuery]</c> (int?, Guid?, bool?)
/// makes Blazor throw while binding when the value does not parse, which fails the whole page with a 500 for a hand-edited or
/// truncated URL; parsed here, a malformed value reads as absent.
/// </summary>
public static class QueryValues
{
    public static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static Guid? Guid(string? text) => System.Guid.TryParse(text, out var value) ? value : null;

    public static bool? Bool(string? text) => bool.TryParse(text, out var value) ? value : null;

    /// <summary>A named (or numbered) member of <typeparamref name="T"/>, ignoring case; anything else reads as absent.</summary>
    // No lists: Enum.TryParse ORs "Staging,Production" into 3, which is Retired.
    public static T? Enum<T>(string? text) where T : struct, Enum =>
        text is not null && !text.Contains(',') && System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) ? value : null;
}
