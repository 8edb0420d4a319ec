using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Audit;

public sealed record CheckpointSummary(long Sequence, string Root, string HeadHash, DateTimeOffset Timestamp, string Signature, string KeyId);

public sealed record VerifiedCheckpoint(long Sequence, string Root, string Signature, DateTimeOffset Timestamp);

public sealed record VerifyResponse(
    bool Valid, long EventCount, long HeadSequence, string HeadHash, VerifiedCheckpoint? Checkpoint,
    long? FirstInvalidSequence, string? Fault, string Reason, bool Full, long FromSequence);

/// <summary>The audit trail over the API (<c>/api/v1/audit</c>, API keys) and as downloads for signed-in auditors (<c>/audit</c>).</summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/verify", VerifyAsync).RequireAuthorization(Policies.AuditReader).WithName("VerifyAuditTrail");
        audit.MapGet("/checkpoint-key", CheckpointKeyPem).AllowAnonymous().WithName("GetCheckpointKey");
        audit.MapGet("/checkpoints", CheckpointsAsync).RequireAuthorization(Policies.AuditReader).WithName("ListCheckpoints");
        audit.MapGet("/events/{sequence:long}/proof", ProofAsync).RequireAuthorization(Policies.AuditReader).WithName("GetInclusionProof");
        audit.MapGet("/consistency", ConsistencyAsync).RequireAuthorization(Policies.AuditReader).WithName("GetConsistencyProof");
        return api;
    }

    /// <summary>File downloads for the auditor's pages: cookie-authenticated, each export audited.</summary>
    public static void MapAuditDownloads(this IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("/audit").RequireAuthorization(Policies.AuditReader);
        downloads.MapGet("/export.csv", (HttpContext http, GovernanceDbContext db, AuditSearch search, TimeProvider clock, [AsParameters] AuditFilter filter) =>
            ExportAsync(http, db, search, clock, filter, "csv"));
        downloads.MapGet("/export.jsonl", (HttpContext http, GovernanceDbContext db, AuditSearch search, TimeProvider clock, [AsParameters] AuditFilter filter) =>
            ExportAsync(http, db, search, clock, filter, "jsonl"));
        downloads.MapGet("/events/{sequence:long}/proof.json", ProofDownloadAsync);
        downloads.MapGet("/checkpoints.json", CheckpointsAsync);
        downloads.MapGet("/checkpoint-key.pem", CheckpointKeyPem);
    }

    /// <summary>Filters as query parameters; malformed dates are ignored rather than failing.</summary>
    public sealed record AuditFilter(string? From, string? To, string? Actor, string? Action, string? EntityType, string? EntityId, string? Q)
    {
        public AuditQuery ToQuery() => new(Date(From), Date(To), Actor, Action, EntityType, EntityId, Q);

        private static DateOnly? Date(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date) ? date : null;
    }

    /// <summary>Every event, or with <c>?incremental=true</c> those after the checkpoint the latest recorded verification reached.</summary>
    internal static async Task<Ok<VerifyResponse>> VerifyAsync(AuditVerificationService verification, CancellationToken cancellationToken, bool incremental = false)
    {
        var result = await verification.VerifyAsync(!incremental, cancellationToken);
        var checkpoint = result.LatestCheckpoint;
        return TypedResults.Ok(new VerifyResponse(result.Valid, result.EventCount, result.HeadSequence, result.HeadHash,
            checkpoint is null ? null : new VerifiedCheckpoint(checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Signature, checkpoint.Timestamp),
            result.FirstInvalidSequence, result.Fault?.ToString(), result.Reason, !result.Incremental, result.FromSequence));
    }

    internal static IResult CheckpointKeyPem(CheckpointKey key) =>
        TypedResults.Text(key.PublicKeyPem, "application/x-pem-file");

    internal static async Task<Ok<List<CheckpointSummary>>> CheckpointsAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.TreeSize)
            .Select(c => new CheckpointSummary(c.TreeSize, c.RootHash, c.HeadHash, c.Timestamp, c.Signature, c.KeyId))
            .ToListAsync(cancellationToken));

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ProofAsync(
        long sequence, AuditVerificationService verification, CancellationToken cancellationToken)
    {
        var outcome = await verification.ProofAsync(sequence, cancellationToken);
        return outcome.Proof is null
            ? TypedResults.Problem(statusCode: outcome.Problem!.StartsWith("There is no") ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
                title: "No inclusion proof", detail: outcome.Problem)
            : TypedResults.Text(outcome.Proof.ToJson(), "application/json");
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ConsistencyAsync(
        long from, long to, AuditVerificationService verification, CancellationToken cancellationToken)
    {
        var outcome = await verification.ConsistencyAsync(from, to, cancellationToken);
        return outcome.Proof is null
            ? TypedResults.Problem(statusCode: outcome.Status, title: "No consistency proof", detail: outcome.Problem)
            : TypedResults.Text(outcome.Proof.ToJson(), "application/json");
    }

    private static async Task<IResult> ProofDownloadAsync(long sequence, HttpContext http, GovernanceDbContext db,
        AuditVerificationService verification, CancellationToken cancellationToken)
    {
        var outcome = await verification.ProofAsync(sequence, cancellationToken);
        if (outcome.Proof is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No inclusion proof", detail: outcome.Problem);
        }
        db.Audit.Record("audit.proof-downloaded", nameof(AuditEvent), sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(outcome.Proof.ToJson()), "application/json", $"audit-event-{sequence}-proof.json");
    }

    private static async Task<IResult> ExportAsync(HttpContext http, GovernanceDbContext db, AuditSearch search, TimeProvider clock, AuditFilter filter, string format)
    {
        var query = filter.ToQuery();
        var events = search.Filter(query);
        var count = await events.CountAsync(http.RequestAborted);
        // The export is itself an audit event, recorded before the file is written.
        db.Audit.Record("audit.exported", "AuditLog", "audit", new { format, count, filters = query.ToQueryParameters() });
        await db.SaveChangesAsync(http.RequestAborted);
        var stamp = clock.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        return format == "csv"
            ? TypedResults.Stream(s => AuditExport.WriteCsvAsync(events, s, http.RequestAborted), AuditExport.CsvContentType, $"audit-{stamp}.csv")
            : TypedResults.Stream(s => AuditExport.WriteJsonLinesAsync(events, s, http.RequestAborted), AuditExport.JsonLinesContentType, $"audit-{stamp}.jsonl");
    }
}
