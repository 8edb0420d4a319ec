using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Reports;

public enum VerificationVerdict
{
    Genuine,
    Altered,
    Unknown,
}

public sealed record ReportVerification(VerificationVerdict Verdict, Guid? ReportId, ReportKind? Kind, string? Subject, DateTimeOffset? GeneratedAt,
    string? GeneratedBy, long? AuditHeadSequence, string Sha256, string Reason)
{
    public bool Genuine => Verdict == VerificationVerdict.Genuine;
}

/// <summary>
/// Tells whether a PDF is a report this portal generated, byte for byte. The stored SHA-256 decides: a match is genuine. A
/// file that matches nothing but names a report of this portal in its title (the PDF's metadata) is altered; anything
/// else is unknown. The bytes are never trusted for more than the id they name.
/// </summary>
public sealed partial class ReportVerifier(GovernanceDbContext db)
{
    public async Task<ReportVerification> VerifyAsync(byte[] file, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        var match = await db.Reports.AsNoTracking().Where(r => r.Sha256 == sha256 && r.Status == ReportStatus.Ready)
            .OrderBy(r => r.RequestedAt).FirstOrDefaultAsync(cancellationToken);
        if (match is not null)
        {
            return Of(VerificationVerdict.Genuine, match, sha256,
                $"Genuine: {ReportTitles.Of(match.Kind)} {match.Id:D} ({match.Subject}), generated {PrintTemplates.Utc(match.GeneratedAt!.Value)} by {match.RequestedBy}, reflecting the audit trail up to event {match.AuditHeadSequence}.");
        }
        foreach (var id in NamedReportIds(file))
        {
            var named = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (named is { Status: ReportStatus.Ready })
            {
                return Of(VerificationVerdict.Altered, named, sha256,
                    $"Altered: the file names report {named.Id:D} ({named.Subject}), but its SHA-256 {sha256} differs from the {named.Sha256} recorded when it was generated.");
            }
        }
        return new ReportVerification(VerificationVerdict.Unknown, null, null, null, null, null, null, sha256,
            "Unknown: no report of this portal has these bytes, and the file names none.");
    }

    private static ReportVerification Of(VerificationVerdict verdict, Report report, string sha256, string reason) =>
        new(verdict, report.Id, report.Kind, report.Subject, report.GeneratedAt, report.RequestedBy, report.AuditHeadSequence, sha256, reason);

    /// <summary>
    /// Report ids named in the PDF's document title. Chromium writes the title in the Info dictionary, uncompressed, as a
    /// literal string or (with any non-ASCII character) as UTF-16BE hex; the title ends "(report &lt;id&gt;)".
    /// </summary>
    public static IReadOnlyList<Guid> NamedReportIds(byte[] file)
    {
        var text = Encoding.Latin1.GetString(file);
        var ids = new List<Guid>();
        foreach (Match title in TitleEntry().Matches(text))
        {
            var value = title.Groups["hex"].Success
                ? DecodeUtf16Hex(string.Concat(title.Groups["hex"].Value.Where(c => !char.IsWhiteSpace(c))))
                : Escape().Replace(title.Groups["literal"].Value, "$1");
            if (value is not null && ReportId().Match(value) is { Success: true } id && Guid.TryParse(id.Groups[1].Value, out var guid))
            {
                ids.Add(guid);
            }
        }
        return ids;
    }

    private static string? DecodeUtf16Hex(string hex)
    {
        if (hex.Length % 2 != 0)
        {
            return null;
        }
        try
        {
            var bytes = Convert.FromHexString(hex);
            return bytes is [0xFE, 0xFF, ..] ? Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2) : Encoding.Latin1.GetString(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"/Title\s*(?:<(?<hex>[0-9A-Fa-f\s]{0,4000})>|\((?<literal>(?:[^()\\]|\\.){0,2000})\))")]
    private static partial Regex TitleEntry();

    // In a literal string, a backslash escapes the next character (parentheses, backslash).
    [GeneratedRegex(@"\\(.)")]
    private static partial Regex Escape();

    [GeneratedRegex(@"\(report ([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)")]
    private static partial Regex ReportId();
}
