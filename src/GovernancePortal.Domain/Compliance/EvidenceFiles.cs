using System.IO.Compression;
using System.Text;

namespace GovernancePortal.Compliance;

/// <summary>An evidence file's type as its bytes show it, or why it is refused.</summary>
public sealed record EvidenceFileCheck(string? ContentType, string? Problem)
{
    public bool Accepted => Problem is null;
}

/// <summary>
/// Which evidence files the portal keeps. The type is decided by the file's bytes (magic numbers, and for Office files
/// the package's parts), never by the name or the browser's claim; the name's extension must agree with it.
/// Anything a browser could run or render as active content (HTML, SVG, scripts, executables) is refused.
/// </summary>
public static class EvidenceFiles
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string PlainText = "text/plain";
    public const string Csv = "text/csv";
    public const string Json = "application/json";
    public const int MaxFileNameLength = 200;

    private static readonly Dictionary<string, string> TypeByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = Pdf,
        [".png"] = Png,
        [".jpg"] = Jpeg,
        [".jpeg"] = Jpeg,
        [".docx"] = Docx,
        [".xlsx"] = Xlsx,
        [".txt"] = PlainText,
        [".md"] = PlainText,
        [".csv"] = Csv,
        [".json"] = Json,
    };

    public static IReadOnlyCollection<string> Extensions => TypeByExtension.Keys;

    /// <summary>What the upload form's file picker offers.</summary>
    public static string Accept => string.Join(',', TypeByExtension.Keys.Order(StringComparer.Ordinal));

    /// <summary>Checks a whole file. The name only has to agree with what the bytes are.</summary>
    public static EvidenceFileCheck Check(string fileName, ReadOnlySpan<byte> content)
    {
        if (WhyBadFileName(fileName) is { } badName)
        {
            return new(null, badName);
        }
        if (content.IsEmpty)
        {
            return new(null, "The file is empty.");
        }
        var extension = Path.GetExtension(fileName);
        if (!TypeByExtension.TryGetValue(extension, out var claimed))
        {
            return new(null, $"Files of type '{extension}' are not accepted. Use one of {string.Join(", ", Extensions.Order(StringComparer.Ordinal))}.");
        }
        var sniffed = Sniff(content);
        if (sniffed is null)
        {
            return new(null, $"The file's content is not {Describe(claimed)} (nor any accepted type), whatever its name says.");
        }
        // .txt, .md, .csv and .json are all text underneath; the name tells which text it is.
        if (sniffed == PlainText && claimed is PlainText or Csv or Json)
        {
            return new(claimed, null);
        }
        return sniffed == claimed
            ? new(claimed, null)
            : new(null, $"The file's content is {Describe(sniffed)} but its name says {Describe(claimed)}; rename it or upload the right file.");
    }

    /// <summary>Null when the name is a plain file name; otherwise why not.</summary>
    public static string? WhyBadFileName(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "The file needs a name.";
        }
        if (fileName.Length > MaxFileNameLength)
        {
            return $"A file name is at most {MaxFileNameLength} characters.";
        }
        return fileName.Any(c => char.IsControl(c) || c is '/' or '\\' or '"') ? "The file name contains characters that are not allowed." : null;
    }

    /// <summary>The accepted type the bytes show, or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
        {
            return OfficePackage(content.ToArray());
        }
        return IsSafeText(content) ? PlainText : null;
    }

    public static string Describe(string contentType) => contentType switch
    {
        Pdf => "a PDF",
        Png => "a PNG image",
        Jpeg => "a JPEG image",
        Docx => "a Word document",
        Xlsx => "an Excel workbook",
        Csv => "CSV text",
        Json => "JSON text",
        _ => "plain text",
    };

    // A zip is only accepted as the Office document it claims to be, and never with macros.
    private static string? OfficePackage(byte[] content)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (!names.Contains("[Content_Types].xml") || names.Any(n => n.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }
            return names.Contains("word/document.xml") ? Docx : names.Contains("xl/workbook.xml") ? Xlsx : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // UTF-8 text without NUL or other binary control characters, and not markup a browser would render.
    private static bool IsSafeText(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            content = content[3..];
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            return false;
        }
        return !text.TrimStart().StartsWith('<');
    }
}
