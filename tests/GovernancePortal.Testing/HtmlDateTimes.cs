using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace GovernancePortal.Testing;

/// <summary>
/// Checks <c>datetime</c> attributes against the HTML standard's date and time microsyntaxes (a fraction of a second
/// has one to three digits), so every page a test fetches is checked, not only those a test was written for.
/// </summary>
public static partial class HtmlDateTimes
{
    public const string Selector = "[datetime]";

    public static bool IsValid(string value) => Pattern().IsMatch(value);

    /// <summary>Each invalid value, as "value (in <tag>)", for a failure message.</summary>
    public static IReadOnlyList<string> Invalid(IEnumerable<(string Tag, string Value)> attributes) =>
        [.. attributes.Where(a => !IsValid(a.Value)).Select(a => $"{a.Value} (in <{a.Tag}>)")];

    public static IReadOnlyList<string> Invalid(IParentNode document) =>
        Invalid(document.QuerySelectorAll(Selector).Select(e => (e.LocalName, e.GetAttribute("datetime") ?? "")));

    public static void ThrowIfInvalid(IParentNode document, string where)
    {
        if (Invalid(document) is { Count: > 0 } bad)
        {
            throw new InvalidOperationException($"{where} carries datetime attributes that are not valid HTML: {string.Join(", ", bad)}");
        }
    }

    // Year, month, date, yearless date, time, local date-time, time-zone offset, global date-time, week; durations are
    // not written by the portal and would fail here, which is the point.
    [GeneratedRegex("""
        ^(?:\d{4,}(?:-\d{2}(?:-\d{2})?)?
          |--\d{2}-\d{2}
          |\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?
          |\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?
          |Z|[+-]\d{2}:?\d{2}
          |\d{4,}-W\d{2})\z
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
