using System.Reflection;

namespace GovernancePortal.Reports;

/// <summary>Names of the report kinds, the document title and the print stylesheet.</summary>
public static class ReportTitles
{
    public static string Of(ReportKind kind) => kind switch
    {
        ReportKind.VersionDossier => "Version dossier",
        ReportKind.AnnexIv => "EU AI Act technical documentation (Annex IV)",
        ReportKind.Portfolio => "Portfolio report",
        ReportKind.AuditTrail => "Audit trail report",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// The HTML title, which Chromium writes as the PDF's Title: it ends with the report id, which verification reads back
    /// when a file's bytes match no stored report.
    /// </summary>
    public static string DocumentTitle(ReportHeading heading) => $"{heading.Title}: {heading.Subject} (report {heading.Id:D})";

    public static string Stylesheet { get; } = Read("GovernancePortal.Reports.report.css");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
