using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Hosting;
using GovernancePortal.Identity;

namespace GovernancePortal.Reports;

public sealed record ReportLinks(string Self, string? Pdf);

public sealed record ReportResponse(Guid Id, ReportKind Kind, string Subject, ReportStatus Status, int Progress, string? Sha256,
    DateTimeOffset RequestedAt, DateTimeOffset? GeneratedAt, string GeneratedBy, long? AuditHeadSequence, string? Failure, ReportLinks Links)
{
    public static ReportResponse Of(Report r) => new(r.Id, r.Kind, r.Subject, r.Status, r.Progress, r.Sha256, r.RequestedAt, r.GeneratedAt,
        r.RequestedBy, r.AuditHeadSequence, r.Failure, new ReportLinks($"/api/v1/reports/{r.Id:D}", r.Status == ReportStatus.Ready ? $"/api/v1/reports/{r.Id:D}/pdf" : null));
}

public sealed record ReportList(IReadOnlyList<ReportResponse> Items);

public sealed record VerificationResponse(bool Genuine, string Verdict, Guid? ReportId, ReportKind? Kind, string? Subject, DateTimeOffset? GeneratedAt,
    string? GeneratedBy, long? AuditHeadSequence, string Sha256, string Reason)
{
    public static VerificationResponse Of(ReportVerification v) => new(v.Genuine, v.Verdict.ToString().ToLowerInvariant(), v.ReportId, v.Kind, v.Subject, v.GeneratedAt, v.GeneratedBy, v.AuditHeadSequence, v.Sha256, v.Reason);
}

/// <summary><c>/api/v1/reports</c> and the browser's download and dossier form (ADR-027).</summary>
public static class ReportApi
{
    public const int MaxVerifyBytes = 64 * 1024 * 1024;

    public static RouteGroupBuilder MapReportApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports").WithTags("Reports");
        reports.MapPost("/", RequestAsync).RequireAuthorization(Policies.Reader).WithName("RequestReport")
            .Accepts<ReportRequest>("application/json").Produces<ReportResponse>(StatusCodes.Status201Created).Produces<ReportResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        reports.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListReports");
        reports.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetReport");
        reports.MapGet("/{id:guid}/pdf", PdfAsync).RequireAuthorization(Policies.Reader).WithName("DownloadReport");
        reports.MapPost("/verify", VerifyAsync).RequireAuthorization(Policies.Reader).WithName("VerifyReport")
            .Accepts<byte[]>("application/pdf").Produces<VerificationResponse>();
        return api;
    }

    public static void MapReportDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/{id:guid}.pdf", PdfAsync).RequireAuthorization(Policies.Reader);
        // The version page's "Download PDF": generates the report, then sends the browser to its file.
        app.MapPost("/models/{key}/versions/{version}/reports/{kind}", GenerateFromPageAsync).RequireAuthorization(Policies.Reader).RequireAntiforgeryToken();
    }

    internal static async Task<IResult> RequestAsync(HttpRequest request, ClaimsPrincipal user, ReportService reports, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ReportRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await reports.RequestAsync(user, body.Value!, cancellationToken);
        if (result.Failure is { } failure)
        {
            return failure.ToProblem();
        }
        var report = ReportResponse.Of(result.Report!);
        return report.Status == ReportStatus.Ready ? TypedResults.Created(report.Links.Self, report) : TypedResults.Accepted(report.Links.Self, report);
    }

    internal static async Task<IResult> ListAsync(string? kind, string? subject, ClaimsPrincipal user, ReportService reports, CancellationToken cancellationToken)
    {
        ReportKind? only = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (!Enum.GetValues<ReportKind>().Any(k => ReportService.Name(k) == kind))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = ["Use versionDossier, annexIv, portfolio or auditTrail."] });
            }
            only = Enum.GetValues<ReportKind>().Single(k => ReportService.Name(k) == kind);
        }
        var list = await reports.ListAsync(user, only, subject, 200, cancellationToken);
        return TypedResults.Ok(new ReportList(list.Select(ReportResponse.Of).ToList()));
    }

    internal static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, ReportService reports, CancellationToken cancellationToken)
    {
        var report = await reports.FindAsync(id, cancellationToken);
        return report is null ? NotFound(id)
            : !await reports.MayReadAsync(user, report.Kind) ? Forbidden(report.Kind)
            : TypedResults.Ok(ReportResponse.Of(report));
    }

    internal static async Task<IResult> PdfAsync(Guid id, ClaimsPrincipal user, ReportService reports, CancellationToken cancellationToken)
    {
        var report = await reports.FindAsync(id, cancellationToken);
        if (report is null)
        {
            return NotFound(id);
        }
        if (!await reports.MayReadAsync(user, report.Kind))
        {
            return Forbidden(report.Kind);
        }
        var bytes = await reports.DownloadAsync(user, report, cancellationToken);
        return bytes is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not ready", detail: $"Report {id:D} is {report.Status.ToString().ToLowerInvariant()}; its PDF is not there yet.")
            : TypedResults.File(bytes, "application/pdf", ReportService.FileName(report));
    }

    internal static async Task<IResult> VerifyAsync(HttpRequest request, ReportVerifier verifier, CancellationToken cancellationToken)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/pdf", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the PDF",
                detail: "The request body must be the PDF file, with Content-Type: application/pdf.");
        }
        if (request.ContentLength > MaxVerifyBytes)
        {
            return TooLarge();
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxVerifyBytes)
            {
                return TooLarge();
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["Send the PDF file as the body."] });
        }
        return TypedResults.Ok(VerificationResponse.Of(await verifier.VerifyAsync(buffer.ToArray(), cancellationToken)));
    }

    internal static async Task<IResult> GenerateFromPageAsync(string key, string version, string kind, ClaimsPrincipal user, ReportService reports,
        CancellationToken cancellationToken)
    {
        ReportKind? wanted = kind switch { "dossier" => ReportKind.VersionDossier, "annex-iv" => ReportKind.AnnexIv, _ => null };
        if (wanted is null)
        {
            return TypedResults.NotFound();
        }
        var result = await reports.RequestAsync(user, new ReportRequest(wanted, key, version), cancellationToken);
        if (result.Failure is not { } failure)
        {
            return TypedResults.Redirect($"/reports/{result.Report!.Id:D}.pdf");
        }
        // A browser followed the button: a page that says why, not problem JSON.
        var reason = failure.Kind switch
        {
            FailureKind.Forbidden => "forbidden",
            FailureKind.NotFound => "not-found",
            FailureKind.Invalid => "invalid",
            _ => "unavailable",
        };
        return TypedResults.Redirect($"/reports/not-printed?model={Uri.EscapeDataString(key)}&version={Uri.EscapeDataString(version)}&reason={reason}");
    }

    private static IResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large.",
        detail: $"Reports are at most {MaxVerifyBytes / (1024 * 1024)} MiB.");

    private static IResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no report {id:D}.");

    private static IResult Forbidden(ReportKind kind) => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
        detail: $"Your roles do not allow the {ReportTitles.Of(kind).ToLowerInvariant()}.");

}
