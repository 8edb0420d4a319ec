using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed record TemplateItemBody(
    string? Id, string? Text, string? Guidance, string? Citation, EvidenceKind? Evidence, Obligation? Obligation, string? AppliesWhen);

/// <summary>
/// A new version: the complete item list in order (items left out are retired), the version it starts from, and why.
/// Template-level fields left out keep the base version's.
/// </summary>
public sealed record NewTemplateVersionBody(
    int? BaseVersion, string? ChangeNote, string? Title, string? Authority, string? AppliesWhen, string? AppliesBecause, List<TemplateItemBody?>? Items);

/// <summary>The template version the caller reviewed the upgrade to; left out: whatever is newest.</summary>
public sealed record UpgradeAssessmentRequest(int? ToVersion);

public sealed record ItemChangeResponse(string Id, IReadOnlyList<string> Fields);

/// <summary>What changed from the previous version; null for a template's first version.</summary>
public sealed record VersionChangesResponse(
    IReadOnlyList<string> Details, IReadOnlyList<string> Added, IReadOnlyList<ItemChangeResponse> Changed, IReadOnlyList<string> Retired);

public sealed record TemplateVersionResponse(
    string TemplateId, int Version, string Title, string Authority, string AppliesWhen, string AppliesBecause, string Source, DateTimeOffset CreatedAt,
    string CreatedBy, string? ChangeNote, VersionChangesResponse? Changes, IReadOnlyList<TemplateItemResponse> Items);

/// <summary><c>/api/v1/checklists/templates/{id}/versions</c>: every version of a template; compliance officers publish new ones.</summary>
public static class TemplateVersionApi
{
    public static RouteGroupBuilder MapTemplateVersionApi(this RouteGroupBuilder api)
    {
        var versions = api.MapGroup("/checklists/templates/{id}/versions").WithTags("Checklists");
        versions.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListChecklistTemplateVersions")
            .Produces<List<TemplateVersionResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapGet("/{version:int}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetChecklistTemplateVersion")
            .Produces<TemplateVersionResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapPost("/", PublishAsync).RequireAuthorization(Policies.ChecklistEditor).WithName("PublishChecklistTemplateVersion")
            .Accepts<NewTemplateVersionBody>("application/json").Produces<TemplateVersionResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/models/{key}/versions/{version}/assessments/{template}/upgrade", UpgradeAsync).RequireAuthorization(Policies.ModelOwner)
            .WithTags("Compliance").WithName("UpgradeAssessment")
            .Accepts<UpgradeAssessmentRequest>("application/json").Produces<AssessmentResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<IResult> ListAsync(string id, TemplateEditing templates, CancellationToken cancellationToken)
    {
        var versions = await templates.VersionsAsync(id, cancellationToken);
        return versions.Count == 0 ? NoTemplate(id) : TypedResults.Ok(Responses(versions));
    }

    internal static async Task<IResult> GetAsync(string id, int version, TemplateEditing templates, CancellationToken cancellationToken)
    {
        var versions = await templates.VersionsAsync(id, cancellationToken);
        return Responses(versions).SingleOrDefault(v => v.Version == version) is { } found
            ? TypedResults.Ok(found)
            : versions.Count == 0
                ? NoTemplate(id)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Template '{id}' has no version {version}.");
    }

    /// <summary>
    /// Moves the version's assessment onto the newest template version, as the upgrade page does: 201 with the new
    /// assessment; 409 when it is already on the newest or a newer one was published than <c>toVersion</c>.
    /// </summary>
    internal static async Task<IResult> UpgradeAsync(string key, string version, string template, HttpRequest request, ClaimsPrincipal user,
        RegistryService registry, TemplateEditing templates, ChecklistReads checklists, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<UpgradeAssessmentRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await templates.UpgradeAsync(await registry.CallerAsync(user, cancellationToken), key, version, template, body.Value!.ToVersion, cancellationToken);
        return await ChecklistApi.AnswerWithAsync(result, key, version, template, checklists, created: true, cancellationToken);
    }

    internal static async Task<IResult> PublishAsync(string id, HttpRequest request, ClaimsPrincipal user, RegistryService registry, TemplateEditing templates,
        CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<NewTemplateVersionBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var value = body.Value!;
        var draft = new TemplateVersionDraft(value.Title, value.Authority, value.AppliesWhen, value.AppliesBecause,
            value.Items?.Select(i => i is null ? null : new ItemDraft(i.Id, i.Text, i.Guidance, i.Citation, i.Evidence, i.Obligation, i.AppliesWhen)).ToList(),
            value.ChangeNote);
        var result = await templates.PublishAsync(await registry.CallerAsync(user, cancellationToken), id, value.BaseVersion, draft, cancellationToken);
        if (result.Failure is { } failure)
        {
            return failure.Kind == FailureKind.Conflict
                ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A newer version exists", detail: failure.Message)
                : failure.ToProblem();
        }
        var all = await templates.VersionsAsync(id, cancellationToken);
        return TypedResults.Created($"/api/v1/checklists/templates/{id}/versions/{result.Value!.Version}",
            Responses(all).Single(v => v.Version == result.Value.Version));
    }

    private static List<TemplateVersionResponse> Responses(IReadOnlyList<ChecklistTemplateVersion> versions)
    {
        var responses = new List<TemplateVersionResponse>();
        ChecklistTemplate? previous = null;
        foreach (var version in versions.OrderBy(v => v.Version))
        {
            var template = version.ToTemplate();
            VersionChangesResponse? changes = null;
            if (previous is not null)
            {
                var diff = TemplateVersioning.Diff(previous, template);
                changes = new VersionChangesResponse(TemplateVersioning.ChangedDetails(previous, template),
                    diff.Where(d => d.Kind == ItemChangeKind.Added).Select(d => d.ItemId).ToList(),
                    diff.Where(d => d.Kind == ItemChangeKind.Changed).Select(d => new ItemChangeResponse(d.ItemId, d.Fields)).ToList(),
                    diff.Where(d => d.Kind == ItemChangeKind.Retired).Select(d => d.ItemId).ToList());
            }
            responses.Add(new TemplateVersionResponse(version.TemplateId, version.Version, version.Title, version.Authority, version.AppliesWhen,
                version.AppliesBecause, version.Source, version.CreatedAt, version.CreatedBy, version.ChangeNote, changes,
                template.Items.Select(i => new TemplateItemResponse(i.Id, i.Text, i.Guidance, i.Citation, i.Evidence, i.Obligation, i.AppliesWhen?.ToString())).ToList()));
            previous = template;
        }
        return responses;
    }

    private static IResult NoTemplate(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no checklist template '{id}'.");
}
