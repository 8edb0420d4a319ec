using System.Diagnostics;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Reports;

/// <summary>
/// The report tests' portals, one per provider, sharing one report printer (one Chromium for the whole collection), and
/// the poppler tools that read the PDFs back.
/// </summary>
public sealed class ReportPortals : IAsyncLifetime
{
    public const string ChromiumVariable = "GOVERNANCE_TEST_CHROMIUM";

    public PdfPrinter Printer { get; } = new(Options.Create(new ReportOptions
    {
        ChromiumPath = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium",
        MaxConcurrent = 2,
    }), NullLogger<PdfPrinter>.Instance);

    public ReportPortal Sqlite { get; }
    public ReportPortal PostgreSql { get; }

    public ReportPortals()
    {
        Sqlite = new ReportPortal(TestDatabase.Sqlite, Printer);
        PostgreSql = new ReportPortal(TestDatabase.PostgreSql, Printer);
    }

    public async Task InitializeAsync()
    {
        await Sqlite.InitializeAsync();
        await PostgreSql.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Sqlite).DisposeAsync();
        await ((IAsyncLifetime)PostgreSql).DisposeAsync();
        await Printer.DisposeAsync();
    }

    /// <summary>
    /// The PDF's text as <c>pdftotext</c> reads it, in content order, with all white space removed: a table cell wraps a long
    /// name onto two lines, which tests compare against without caring where it wrapped (see <see cref="Squash"/>).
    /// </summary>
    public static async Task<string> TextOfAsync(byte[] pdf)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, pdf);
            return Squash(await RunAsync("pdftotext", file, "-"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The text as laid out on the page, line by line (<c>pdftotext -layout</c>).</summary>
    public static async Task<string> LayoutTextOfAsync(byte[] pdf)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, pdf);
            return await RunAsync("pdftotext", "-layout", file, "-");
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static string Squash(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>Saves each page as a PNG under artifacts/screenshots (to be looked at) and returns the page count.</summary>
    public static async Task<int> SavePagesAsync(byte[] pdf, string name)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, pdf);
            var prefix = Path.Combine(RepositoryPaths.Artifacts("screenshots"), name);
            await RunAsync(Environment.GetEnvironmentVariable("GOVERNANCE_TEST_PDFTOPPM") is { Length: > 0 } p ? p : "pdftoppm", "-png", "-r", "60", file, prefix);
            return Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + "-*.png").Length;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary><c>pdffonts</c>' table: one line per font, the "emb" column saying whether it is embedded.</summary>
    public static async Task<string> FontsOfAsync(byte[] pdf)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, pdf);
            return await RunAsync("pdffonts", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
        return await output;
    }

    /// <summary>
    /// A portfolio report as an instance that stopped while printing it leaves it: claimed, running, never finished
    /// (<paramref name="requeuedBefore"/>: and queued again once before).
    /// </summary>
    public static Task<Guid> StuckAsync(PortalFactory portal, DateTimeOffset requestedAt, bool requeuedBefore = false) => portal.WithDbAsync(async db =>
    {
        var report = new Report
        {
            Kind = ReportKind.Portfolio, Subject = $"Production as of {requestedAt:yyyy-MM-dd HH:mm}", Status = ReportStatus.Running, Progress = 40,
            Parameters = System.Text.Json.JsonSerializer.Serialize(new { asOf = requestedAt }, Api.ApiJson.Options), RequestedBy = "viewer@demo.test",
            RequestedAt = requestedAt,
        };
        db.Reports.Add(report);
        db.Audit.Record(ReportService.Requested, nameof(Report), report.Id.ToString(), new { reportId = report.Id, kind = "portfolio", report.Subject });
        if (requeuedBefore)
        {
            db.Audit.Record(ReportService.Requeued, nameof(Report), report.Id.ToString(), new { reportId = report.Id });
        }
        await db.SaveChangesAsync();
        return report.Id;
    });
}

/// <summary>A portal whose report printer is the collection's shared one.</summary>
public sealed class ReportPortal(TestDatabase database, PdfPrinter printer) : PortalFactory(database)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton(printer));
    }
}

[CollectionDefinition(Name)]
public sealed class ReportCollection : ICollectionFixture<ReportPortals>
{
    public const string Name = "Reports";
}
