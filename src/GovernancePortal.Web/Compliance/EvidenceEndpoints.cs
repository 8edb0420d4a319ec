using GovernancePortal.Components.Pages.Compliance;
using GovernancePortal.Components.UI;
using GovernancePortal.Identity;
using GovernancePortal.RateLimiting;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;

namespace GovernancePortal.Compliance;

/// <summary>
/// Evidence files for people: the assessment page's upload form (multipart, antiforgery-checked, answered with a redirect)
/// and downloads, always as an attachment that the browser must not sniff or render.
/// </summary>
public static class EvidenceEndpoints
{
    public static string UploadUrl(string key, string version, string templateId, string itemId) =>
        $"{AssessmentPage.Url(key, version, templateId)}/items/{Uri.EscapeDataString(itemId)}/evidence";

    public static string DownloadUrl(string key, string version, Guid evidenceId) =>
        $"/models/{Uri.EscapeDataString(key)}/versions/{Uri.EscapeDataString(version)}/evidence/{evidenceId}";

    public static void MapEvidenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/models/{key}/versions/{version}/compliance/{templateId}/items/{itemId}/evidence", UploadAsync)
            .RequireAuthorization(Policies.ModelOwner).DisableAntiforgery().RequireRateLimiting(PortalRateLimiting.Uploads);
        app.MapGet("/models/{key}/versions/{version}/evidence/{id:guid}", DownloadAsync).RequireAuthorization(Policies.Reader);
    }

    internal static async Task<IResult> UploadAsync(string key, string version, string templateId, string itemId, HttpContext http,
        ChecklistService checklists, RegistryService registry, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        // The form is read under the evidence size limit first, so that a form too large to read gets an answer a person
        // understands; the antiforgery token is checked before anything is stored.
        var back = AssessmentPage.Url(key, version, templateId) + $"#item-{itemId}";
        var upload = await ReadFileAsync(http, checklists.MaxEvidenceBytes, cancellationToken);
        if (upload.Problem is not null)
        {
            StatusMessages.Set(http, $"{itemId}: {upload.Problem}", isError: true);
            return TypedResults.Redirect(back);
        }
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be verified",
                detail: "The upload did not come from the portal's form, or the form expired; reload the page and try again.");
        }
        await using var stream = upload.File!.OpenReadStream();
        var result = await checklists.AddFileAsync(await registry.CallerAsync(http.User, cancellationToken), key, version, templateId, itemId,
            upload.File.FileName, stream, upload.File.Length, cancellationToken);
        if (result.Failure is { } failure)
        {
            if (failure.Kind == FailureKind.NotFound)
            {
                return TypedResults.NotFound();
            }
            StatusMessages.Set(http, $"{itemId}: {Message(failure)}", isError: true);
            return TypedResults.Redirect(back);
        }
        StatusMessages.Set(http, $"Evidence file '{Path.GetFileName(upload.File.FileName)}' added.");
        return TypedResults.Redirect(back);
    }

    internal sealed record Upload(IFormFile? File, string? Problem);

    /// <summary>The form's "file", refusing an over-long body before buffering it.</summary>
    internal static async Task<Upload> ReadFileAsync(HttpContext http, long maxBytes, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
        {
            return new(null, "Send the file as multipart/form-data.");
        }
        // The file plus a little room for the other fields and multipart framing.
        var limit = maxBytes + 64 * 1024;
        if (http.Request.ContentLength > limit)
        {
            return new(null, $"The upload is larger than the {ChecklistService.FormatSize(maxBytes)} allowed for evidence files.");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return new(null, $"The upload could not be read or is larger than the {ChecklistService.FormatSize(maxBytes)} allowed.");
        }
        var file = form.Files.GetFile("file");
        return file is null || file.Length == 0 ? new(null, "Choose a file to upload.") : new(file, null);
    }

    internal static async Task<IResult> DownloadAsync(string key, string version, Guid id, HttpContext http, ChecklistService checklists,
        RegistryService registry, CancellationToken cancellationToken)
    {
        (AssessmentEvidence Evidence, byte[] Bytes)? file;
        try
        {
            file = await checklists.EvidenceFileAsync(await registry.CallerAsync(http.User, cancellationToken), key, version, id, cancellationToken);
        }
        catch (UnauthorizedAccessException)
        {
            return TypedResults.Forbid();
        }
        if (file is null)
        {
            return TypedResults.NotFound();
        }
        Protect(http.Response);
        return TypedResults.File(file.Value.Bytes, file.Value.Evidence.ContentType ?? "application/octet-stream", file.Value.Evidence.FileName);
    }

    /// <summary>A downloaded file is never sniffed (the portal's strict CSP also applies) and never kept by shared caches.</summary>
    public static void Protect(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "private, no-store";
    }

    private static string Message(RegistryFailure failure) => failure.Errors is { Count: > 0 } errors && failure.Kind == FailureKind.Invalid
        ? string.Join(" ", errors.Values.SelectMany(e => e))
        : failure.Message;
}
