using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Identity;
using GovernancePortal.RateLimiting;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed record TemplateItemResponse(
    string Id, string Text, string Guidance, string Citation, EvidenceKind Evidence, Obligation? Obligation, string? AppliesWhen);

public sealed record TemplateResponse(
    string Id, int Version, string Title, string Authority, string AppliesWhen, string AppliesBecause, IReadOnlyList<TemplateItemResponse> Items);

public sealed record EvidenceResponse(
    Guid Id, string Item, EvidenceType Type, string? Url, string? FileName, string? ContentType, long? SizeBytes, string? Sha256, string AddedBy, DateTimeOffset AddedAt);

public sealed record AnswerResponse(
    string Item, string Citation, AnswerValue Answer, string? Justification, string AnsweredBy, DateTimeOffset AnsweredAt, bool CarriedOver,
    ReviewState Review, string? ReviewComment, string? ReviewedBy, DateTimeOffset? ReviewedAt, int Revision, IReadOnlyList<EvidenceResponse> Evidence);

public sealed record ProgressResponse(int Applicable, int Answered, int Accepted, int ChangesRequested, int ToConfirm);

public sealed record AssessmentResponse(
    string Template, int TemplateVersion, string Title, string Reason, string Status, ProgressResponse Progress, bool SignedOff,
    IReadOnlyList<string> Missing, int? Revision, string? SignedOffBy, DateTimeOffset? SignedOffAt, string? VoidReason,
    IReadOnlyList<string> ApplicableItems, IReadOnlyList<AnswerResponse> Answers, IReadOnlyList<EvidenceResponse> Evidence);

public sealed record StartAssessmentRequest(string? Template, bool? CarryOver);

public sealed record AnswerRequest(AnswerValue? Answer, string? Justification, int? Revision);

public sealed record ReviewRequest(ReviewState? Decision, string? Comment, int? AnswerRevision);
public sealed record AcceptAnswersRequest(IReadOnlyList<AcceptAnswer>? Items);
public sealed record AcceptAnswer(string? Item, int? AnswerRevision);

public sealed record SignOffRequest(int? Revision);

public sealed record EvidenceLinkRequest(string? Url);

/// <summary>
/// <c>/api/v1/checklists/templates</c> and a version's assessments: answering, evidence, review and sign-off, with the
/// same strict JSON and problem details as the rest of the API.
/// </summary>
public static class ChecklistApi
{
    public static RouteGroupBuilder MapChecklistApi(this RouteGroupBuilder api)
    {
        api.MapGet("/checklists/templates", TemplatesAsync).RequireAuthorization(Policies.Reader).WithTags("Compliance").WithName("ListChecklistTemplates");
        var assessments = api.MapGroup("/models/{key}/versions/{version}/assessments").WithTags("Compliance");
        assessments.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListAssessments");
        assessments.MapPost("/", StartAsync).RequireAuthorization(Policies.ModelOwner).WithName("StartAssessment")
            .Accepts<StartAssessmentRequest>("application/json").Produces<AssessmentResponse>(StatusCodes.Status201Created);
        assessments.MapGet("/{template}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetAssessment");
        assessments.MapPut("/{template}/items/{item}", AnswerAsync).RequireAuthorization(Policies.ModelOwner).WithName("AnswerItem")
            .Accepts<AnswerRequest>("application/json").Produces<AssessmentResponse>();
        assessments.MapPost("/{template}/items/{item}/confirm", ConfirmAsync).RequireAuthorization(Policies.ModelOwner).WithName("ConfirmCarriedOverAnswer");
        assessments.MapPost("/{template}/items/{item}/evidence", AddEvidenceAsync).RequireAuthorization(Policies.ModelOwner).WithName("AddEvidence")
            .DisableAntiforgery().RequireRateLimiting(PortalRateLimiting.Uploads)
            .Accepts<EvidenceLinkRequest>("application/json", "multipart/form-data").Produces<AssessmentResponse>(StatusCodes.Status201Created);
        assessments.MapPost("/{template}/items/{item}/review", ReviewAsync).RequireAuthorization(Policies.Approver).WithName("ReviewItem")
            .Accepts<ReviewRequest>("application/json").Produces<AssessmentResponse>();
        assessments.MapPost("/{template}/review/accept", AcceptSeveralAsync).RequireAuthorization(Policies.Approver).WithName("AcceptItems")
            .Accepts<AcceptAnswersRequest>("application/json").Produces<AssessmentResponse>();
        assessments.MapPost("/{template}/submit", SubmitAsync).RequireAuthorization(Policies.ModelOwner).WithName("SubmitAssessment");
        assessments.MapPost("/{template}/sign-off", SignOffAsync).RequireAuthorization(Policies.Approver).WithName("SignOffAssessment")
            .Accepts<SignOffRequest>("application/json").Produces<AssessmentResponse>();
        api.MapGet("/models/{key}/versions/{version}/evidence/{id:guid}", EvidenceEndpoints.DownloadAsync).RequireAuthorization(Policies.Reader)
            .WithTags("Compliance").WithName("DownloadEvidence");
        api.MapDelete("/models/{key}/versions/{version}/evidence/{id:guid}", RemoveEvidenceAsync).RequireAuthorization(Policies.ModelOwner)
            .WithTags("Compliance").WithName("RemoveEvidence").Produces<AssessmentResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<IResult> TemplatesAsync(ChecklistReads checklists, CancellationToken cancellationToken) =>
        TypedResults.Ok((await checklists.LatestTemplatesAsync(cancellationToken)).Select(t => new TemplateResponse(
            t.TemplateId, t.Version, t.Title, t.Authority, t.AppliesWhen, t.AppliesBecause,
            t.Items.OrderBy(i => i.Position).Select(i => new TemplateItemResponse(i.ItemId, i.Text, i.Guidance, i.Citation, i.Evidence, i.Obligation, i.AppliesWhen))
                .ToList())).ToList());

    internal static async Task<IResult> ListAsync(string key, string version, Data.GovernanceDbContext db, ChecklistReads checklists, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return new Failure(FailureKind.NotFound, $"Model '{key}' has no version '{version}'.").ToProblem();
        }
        var rows = await checklists.ForVersionAsync(found, cancellationToken);
        return TypedResults.Ok(rows.Where(r => r.Applicability.Applies)
            .Select(r => Response(r.Applicability, r.Assessment, r.Status!)).ToList());
    }

    internal static async Task<IResult> GetAsync(string key, string version, string template, ChecklistReads checklists, CancellationToken cancellationToken) =>
        await checklists.ViewAsync(key, version, template, cancellationToken) is { } view
            ? TypedResults.Ok(Response(view.Applicability, view.Assessment, view.Status))
            : new Failure(FailureKind.NotFound, $"Model '{key}' version '{version}' has no checklist '{template}'.").ToProblem();

    internal static async Task<IResult> StartAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, ChecklistCommands checklists, ChecklistReads reads,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<StartAssessmentRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (string.IsNullOrWhiteSpace(body.Value!.Template))
        {
            return new Failure(FailureKind.Invalid, "Name the checklist template to start.", new() { ["template"] = ["Name the checklist template to start, e.g. hipaa."] }).ToProblem();
        }
        var result = await checklists.StartAsync(await registry.CallerAsync(user, cancellationToken), key, version, body.Value.Template,
            body.Value.CarryOver ?? false, cancellationToken);
        return await AnswerWithAsync(result, key, version, body.Value.Template, reads, created: true, cancellationToken);
    }

    internal static async Task<IResult> AnswerAsync(string key, string version, string template, string item, HttpRequest request, ClaimsPrincipal user,
        ChecklistCommands checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<AnswerRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await checklists.AnswerAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, item,
            body.Value!.Answer, body.Value.Justification, body.Value.Revision, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> ConfirmAsync(string key, string version, string template, string item, ClaimsPrincipal user,
        ChecklistCommands checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var result = await checklists.ConfirmAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, item, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    /// <summary>A link as JSON (<c>{"url": "https://…"}</c>) or a file as multipart/form-data (field "file").</summary>
    internal static async Task<IResult> AddEvidenceAsync(string key, string version, string template, string item, HttpContext http,
        ChecklistEvidence checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var caller = await registry.CallerAsync(http.User, cancellationToken);
        Result<Assessment> result;
        if (http.Request.HasFormContentType)
        {
            var upload = await EvidenceEndpoints.ReadFileAsync(http, checklists.MaxEvidenceBytes, cancellationToken);
            if (upload.Problem is not null)
            {
                return new Failure(FailureKind.Invalid, upload.Problem, new() { ["file"] = [upload.Problem] }).ToProblem();
            }
            await using var stream = upload.File!.OpenReadStream();
            result = await checklists.AddFileAsync(caller, key, version, template, item, upload.File.FileName, stream, upload.File.Length, cancellationToken);
        }
        else
        {
            var body = await ApiJson.ReadAsync<EvidenceLinkRequest>(http.Request, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            result = await checklists.AddLinkAsync(caller, key, version, template, item, body.Value!.Url, cancellationToken);
        }
        return await AnswerWithAsync(result, key, version, template, reads, created: true, cancellationToken);
    }

    /// <summary>Answers with the assessment the evidence was taken from, as it is now.</summary>
    internal static async Task<IResult> RemoveEvidenceAsync(string key, string version, Guid id, ClaimsPrincipal user, ChecklistEvidence checklists, ChecklistReads reads,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var result = await checklists.RemoveEvidenceAsync(await registry.CallerAsync(user, cancellationToken), key, version, id, cancellationToken);
        return await AnswerWithAsync(result, key, version, result.Value?.TemplateId ?? "", reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> ReviewAsync(string key, string version, string template, string item, HttpRequest request, ClaimsPrincipal user,
        ChecklistCommands checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ReviewRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await checklists.ReviewAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, item,
            body.Value!.Decision, body.Value.Comment, body.Value.AnswerRevision, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> AcceptSeveralAsync(string key, string version, string template, HttpRequest request, ClaimsPrincipal user,
        ChecklistCommands checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<AcceptAnswersRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var answers = (body.Value!.Items ?? []).Select(i => new AnswerToAccept(i?.Item ?? "", i?.AnswerRevision)).ToList();
        var result = await checklists.AcceptSeveralAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, answers, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> SubmitAsync(string key, string version, string template, ClaimsPrincipal user, ChecklistCommands checklists, ChecklistReads reads,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var result = await checklists.SubmitAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> SignOffAsync(string key, string version, string template, HttpRequest request, ClaimsPrincipal user,
        ChecklistCommands checklists, ChecklistReads reads, RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<SignOffRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await checklists.SignOffAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, body.Value!.Revision, cancellationToken);
        return await AnswerWithAsync(result, key, version, template, reads, created: false, cancellationToken);
    }

    internal static async Task<IResult> AnswerWithAsync(Result<Assessment> result, string key, string version, string template,
        ChecklistReads reads, bool created, CancellationToken cancellationToken)
    {
        if (result.Failure is { } failure)
        {
            return failure.ToProblem();
        }
        var view = (await reads.ViewAsync(key, version, template, cancellationToken))!;
        var response = Response(view.Applicability, view.Assessment, view.Status);
        return created
            ? TypedResults.Created($"/api/v1/models/{key}/versions/{version}/assessments/{template}", response)
            : TypedResults.Ok(response);
    }

    public static AssessmentResponse Response(TemplateApplicability applicability, Assessment? assessment, TemplateStatus status)
    {
        var items = applicability.Template.Items.ToDictionary(i => i.Id);
        return new AssessmentResponse(
            applicability.Template.Id, applicability.Template.Version, applicability.Template.Title, applicability.Reason,
            status.Status is { } s ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(s.ToString()) : "notStarted",
            new ProgressResponse(status.Progress.Applicable, status.Progress.Answered, status.Progress.Accepted, status.Progress.ChangesRequested, status.Progress.ToConfirm),
            status.SignedOff, status.Missing.Select(m => m.Message).ToList(), assessment?.Revision, assessment?.SignedOffBy, assessment?.SignedOffAt,
            assessment?.Status == AssessmentStatus.SignedOff ? null : assessment?.VoidReason,
            applicability.ApplicableItems.Select(i => i.Id).ToList(),
            (assessment?.Answers ?? []).OrderBy(a => a.ItemId, StringComparer.Ordinal).Select(a => new AnswerResponse(
                a.ItemId, items.TryGetValue(a.ItemId, out var item) ? item.Citation : "", a.Answer, a.Justification, a.AnsweredBy, a.AnsweredAt, a.CarriedOver,
                a.Review, a.ReviewComment, a.ReviewedBy, a.ReviewedAt, a.Revision,
                assessment!.Evidence.Where(e => e.ItemId == a.ItemId).OrderBy(e => e.AddedAt).Select(Evidence).ToList()))
                .ToList(),
            (assessment?.Evidence ?? []).OrderBy(e => e.ItemId, StringComparer.Ordinal).ThenBy(e => e.AddedAt).Select(Evidence).ToList());
    }

    private static EvidenceResponse Evidence(AssessmentEvidence e) =>
        new(e.Id, e.ItemId, e.Type, e.Url, e.FileName, e.ContentType, e.SizeBytes, e.Sha256, e.AddedBy, e.AddedAt);

}
