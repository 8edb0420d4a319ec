using System.Globalization;
using System.Net;

namespace GovernancePortal.Reports;

/// <summary>
/// Chromium's running header and footer. They are printed outside the page's own styles, so they carry their own
/// font and size; Chromium fills the <c>pageNumber</c> and <c>totalPages</c> spans.
/// </summary>
public static class PrintTemplates
{
    private const string Style =
        "font-family:'DejaVu Sans','Liberation Sans',sans-serif;font-size:7.5pt;color:#444;width:100%;margin:0 16mm;display:flex;justify-content:space-between;gap:6mm;";

    public static string Header(PrintFrame frame) =>
        $"""<div style="{Style}"><span style="overflow:hidden;white-space:nowrap;text-overflow:ellipsis;">{E(frame.Report)} · <span dir="auto">{E(frame.Subject)}</span></span><span style="white-space:nowrap;">Generated {E(Utc(frame.GeneratedAt))} by {E(frame.GeneratedBy)}</span></div>""";

    public static string Footer(PrintFrame frame) =>
        $"""<div style="{Style}"><span>Report {frame.ReportId:D}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>""";

    /// <summary>To the minute, for subjects that must fit the running header.</summary>
    public static string UtcMinute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
