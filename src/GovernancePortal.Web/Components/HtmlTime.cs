using System.Globalization;

namespace GovernancePortal.Components;

/// <summary>The one place a time is written for a <c>datetime</c> attribute.</summary>
public static class HtmlTime
{
    /// <summary>
    /// A valid global date and time string in UTC. HTML allows at most three digits of a second's fraction; the
    /// round-trip format ("O") writes seven, which validators reject.
    /// </summary>
    public static string Attribute(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
