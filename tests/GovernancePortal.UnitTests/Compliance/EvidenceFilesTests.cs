using System.IO.Compression;
using System.Text;

namespace GovernancePortal.Compliance;

public sealed class EvidenceFilesTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];

    private static byte[] Zip(params string[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
                writer.Write("<xml/>");
            }
        }
        return buffer.ToArray();
    }

    [Fact]
    public void Accepted_types_are_recognised_by_their_bytes()
    {
        Assert.Equal(EvidenceFiles.Pdf, EvidenceFiles.Check("dpia.pdf", Pdf).ContentType);
        Assert.Equal(EvidenceFiles.Png, EvidenceFiles.Check("screenshot.PNG", Png).ContentType);
        Assert.Equal(EvidenceFiles.Jpeg, EvidenceFiles.Check("photo.jpeg", Jpeg).ContentType);
        Assert.Equal(EvidenceFiles.Docx, EvidenceFiles.Check("baa.docx", Zip("[Content_Types].xml", "word/document.xml")).ContentType);
        Assert.Equal(EvidenceFiles.Xlsx, EvidenceFiles.Check("log.xlsx", Zip("[Content_Types].xml", "xl/workbook.xml")).ContentType);
        Assert.Equal(EvidenceFiles.Csv, EvidenceFiles.Check("access.csv", "user,at\nalice,2026-01-01\n"u8).ContentType);
        Assert.Equal(EvidenceFiles.PlainText, EvidenceFiles.Check("notes.md", "# Notes\nAll good.\n"u8).ContentType);
        Assert.Equal(EvidenceFiles.Json, EvidenceFiles.Check("report.json", "{\"ok\":true}"u8).ContentType);
    }

    [Theory]
    [InlineData("evidence.pdf", "MZ\u0090\u0000executable")]
    [InlineData("evidence.exe", "%PDF-1.4")]
    [InlineData("page.html", "<html><script>alert(1)</script></html>")]
    [InlineData("notes.txt", "<script>alert(1)</script>")]
    [InlineData("image.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]
    [InlineData("no-extension", "%PDF-1.4")]
    public void Anything_else_is_refused_whatever_the_name_says(string name, string content) =>
        Assert.False(EvidenceFiles.Check(name, Encoding.Latin1.GetBytes(content)).Accepted);

    [Fact]
    public void A_name_that_disagrees_with_the_content_is_refused_with_both_named()
    {
        var check = EvidenceFiles.Check("dpia.pdf", Png);
        Assert.Equal("The file's content is a PNG image but its name says a PDF; rename it or upload the right file.", check.Problem);
    }

    [Fact]
    public void Zips_that_are_not_office_documents_or_carry_macros_are_refused()
    {
        Assert.False(EvidenceFiles.Check("archive.docx", Zip("payload.exe")).Accepted);
        Assert.False(EvidenceFiles.Check("macro.docx", Zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")).Accepted);
        Assert.False(EvidenceFiles.Check("truncated.docx", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).Accepted);
    }

    [Fact]
    public void Binary_content_and_bad_names_are_refused()
    {
        Assert.False(EvidenceFiles.Check("data.txt", [0x41, 0x00, 0x42]).Accepted);
        Assert.False(EvidenceFiles.Check("data.txt", [0xC3, 0x28]).Accepted);
        Assert.False(EvidenceFiles.Check("empty.txt", []).Accepted);
        Assert.False(EvidenceFiles.Check("../etc/passwd.txt", "x"u8).Accepted);
        Assert.False(EvidenceFiles.Check("a\"b.txt", "x"u8).Accepted);
        Assert.False(EvidenceFiles.Check(new string('a', 300) + ".txt", "x"u8).Accepted);
    }
}
