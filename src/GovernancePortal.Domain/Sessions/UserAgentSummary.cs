using System.Text.RegularExpressions;

namespace GovernancePortal.Sessions;

/// <summary>
/// "Edge 131 on Windows" from a whole User-Agent string, so an Admin can tell sessions apart at a glance (the full string
/// stays in the tooltip). Order matters: Edge and Opera also say Chrome, and Chrome also says Safari.
/// </summary>
public static partial class UserAgentSummary
{
    private static readonly (string Name, Regex Pattern)[] Browsers =
    [
        ("Edge", EdgePattern()),
        ("Opera", OperaPattern()),
        ("Firefox", FirefoxPattern()),
        ("Chromium", ChromiumPattern()),
        ("Chrome", ChromePattern()),
        ("Safari", SafariPattern()),
        ("curl", CurlPattern()),
    ];

    private static readonly (string Name, string Token)[] Systems =
    [
        ("Android", "Android"),
        ("iOS", "iPhone"),
        ("iPadOS", "iPad"),
        ("Windows", "Windows"),
        ("macOS", "Mac OS X"),
        ("ChromeOS", "CrOS"),
        ("Linux", "Linux"),
    ];

    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "—";
        }
        var browser = Browsers.Select(b => (b.Name, Match: b.Pattern.Match(userAgent))).FirstOrDefault(b => b.Match.Success);
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Token, StringComparison.Ordinal)).Name;
        var headless = userAgent.Contains("Headless", StringComparison.Ordinal) ? "headless " : "";
        if (browser.Name is null)
        {
            return system is null ? "Other" : $"Other on {system}";
        }
        var named = $"{headless}{browser.Name} {browser.Match.Groups["major"].Value}";
        return system is null ? named : $"{named} on {system}";
    }

    [GeneratedRegex(@"Edg(?:e|A|iOS)?/(?<major>\d+)")]
    private static partial Regex EdgePattern();

    [GeneratedRegex(@"OPR/(?<major>\d+)")]
    private static partial Regex OperaPattern();

    [GeneratedRegex(@"(?:Firefox|FxiOS)/(?<major>\d+)")]
    private static partial Regex FirefoxPattern();

    [GeneratedRegex(@"Chromium/(?<major>\d+)")]
    private static partial Regex ChromiumPattern();

    [GeneratedRegex(@"(?:HeadlessChrome|Chrome|CriOS)/(?<major>\d+)")]
    private static partial Regex ChromePattern();

    [GeneratedRegex(@"Version/(?<major>\d+)(?:\.\d+)*(?: Mobile/\w+)? Safari/")]
    private static partial Regex SafariPattern();

    [GeneratedRegex(@"^curl/(?<major>\d+)")]
    private static partial Regex CurlPattern();
}
