using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Http.Features;

namespace GovernancePortal.Compliance;

/// <summary>
/// Evidence files: reading an API upload under the size limit, and downloads, always as an attachment that the browser
/// must not sniff or render. People upload on the assessment page through its circuit (MudFileUpload).
/// </summary>
public static class EvidenceEndpoints
{
    public static string DownloadUrl(string key, string version, Guid evidenceId) =>
        $"/models/{Uri.EscapeDataString(key)}/versions/{Uri.EscapeDataString(version)}/evidence/{evidenceId}";

    public static void MapEvidenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/models/{key}/versions/{version}/evidence/{id:guid}", DownloadAsync).RequireAuthorization(Policies.Reader);
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
            return new(null, $"The upload is larger than the {ChecklistEvidence.FormatSize(maxBytes)} allowed for evidence files.");
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
            return new(null, $"The upload could not be read or is larger than the {ChecklistEvidence.FormatSize(maxBytes)} allowed.");
        }
        var file = form.Files.GetFile("file");
        return file is null || file.Length == 0 ? new(null, "Choose a file to upload.") : new(file, null);
    }

    internal static async Task<IResult> DownloadAsync(string key, string version, Guid id, HttpContext http, ChecklistEvidence checklists,
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
}
