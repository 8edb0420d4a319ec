using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Querying;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

public sealed record ModelSummary(string Key, string Name, string Owner, string Team, RiskTier RiskTier, string? ProductionVersion, int VersionCount);

public sealed record ModelResponse(
    string Key, string Name, string Description, string Owner, string BusinessOwner, string Team, string UseCase,
    RiskTier RiskTier, IReadOnlyList<DataCategories> DataCategories, bool EuDataSubjects, bool AutomatedLegalEffect,
    IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, IReadOnlyList<VersionSummary> Versions, int Revision);

public sealed record VersionSummary(string Version, Stage Stage, DateTimeOffset RegisteredAt);

public sealed record MetricResponse(string Name, double Value, string Dataset, string Slice, double? Threshold, bool HigherIsBetter);

public sealed record VersionResponse(
    string Model, string Version, Stage Stage, ChangeKind ChangeKind, string ChangeReason, string ArtifactUri, string ArtifactSha256,
    DateTimeOffset RegisteredAt, string RegisteredBy, LineageRequest Lineage, IReadOnlyList<MetricResponse> Metrics, CardResponse Card);

public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary><c>/api/v1/models</c>: what pipelines use to register models and versions.</summary>
public static class RegistryApi
{
    public static RouteGroupBuilder MapRegistryApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Registry");
        models.MapPost("/", RegisterModelAsync).RequireAuthorization(Policies.ModelOwner).WithName("RegisterModel")
            .Accepts<RegisterModelRequest>("application/json").Produces<ModelResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        models.MapGet("/", ListModelsAsync).RequireAuthorization(Policies.Reader).WithName("ListModels");
        models.MapGet("/{key}", GetModelAsync).RequireAuthorization(Policies.Reader).WithName("GetModel");
        models.MapPatch("/{key}", UpdateModelAsync).RequireAuthorization(Policies.ModelEditor).WithName("UpdateModel")
            .Accepts<UpdateModelRequest>("application/json").Produces<ModelResponse>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        models.MapPost("/{key}/versions", RegisterVersionAsync).RequireAuthorization(Policies.ModelOwner).WithName("RegisterVersion")
            .Accepts<RegisterVersionRequest>("application/json").Produces<VersionResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        models.MapGet("/{key}/versions/{version}", GetVersionAsync).RequireAuthorization(Policies.Reader).WithName("GetVersion");
        return api;
    }

    internal static async Task<IResult> RegisterModelAsync(HttpRequest request, ClaimsPrincipal user, RegistryService registry, GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<RegisterModelRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await registry.RegisterModelAsync(await registry.CallerAsync(user, cancellationToken), body.Value!, cancellationToken);
        return result.Failure is { } failure
            ? failure.ToProblem()
            : TypedResults.Created($"/api/v1/models/{result.Value!.Key}", await ModelAsync(db, result.Value.Key, cancellationToken));
    }

    internal static async Task<IResult> UpdateModelAsync(string key, HttpRequest request, ClaimsPrincipal user, RegistryService registry,
        GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<UpdateModelRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await registry.UpdateModelAsync(await registry.CallerAsync(user, cancellationToken), key, body.Value!, cancellationToken);
        return result.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ModelAsync(db, key, cancellationToken));
    }

    internal static async Task<IResult> RegisterVersionAsync(string key, HttpRequest request, ClaimsPrincipal user, RegistryService registry,
        GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<RegisterVersionRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await registry.RegisterVersionAsync(await registry.CallerAsync(user, cancellationToken), key, body.Value!, cancellationToken);
        if (result.Failure is { } failure)
        {
            return failure.ToProblem();
        }
        var version = result.Value!.Number.ToString();
        return TypedResults.Created($"/api/v1/models/{key}/versions/{version}", await VersionAsync(db, key, version, cancellationToken));
    }

    internal static async Task<IResult> ListModelsAsync(ModelCatalogue catalogue, string? search, string? stage, string? riskTier, int? page, int? pageSize,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        Stage? stageFilter = null;
        RiskTier? riskFilter = null;
        if (stage is not null)
        {
            if (Enum.TryParse<Stage>(stage, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                stageFilter = parsed;
            }
            else
            {
                errors["stage"] = [$"Use one of {string.Join(", ", Enum.GetNames<Stage>())}."];
            }
        }
        if (riskTier is not null)
        {
            if (Enum.TryParse<RiskTier>(riskTier, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                riskFilter = parsed;
            }
            else
            {
                errors["riskTier"] = [$"Use one of {string.Join(", ", Enum.GetNames<RiskTier>())}."];
            }
        }
        if (page is < 1)
        {
            errors["page"] = ["Pages start at 1."];
        }
        if (pageSize is < 1 or > TableState.MaxPageSize)
        {
            errors["pageSize"] = [$"Use 1 to {TableState.MaxPageSize}."];
        }
        if (search?.Length > 200)
        {
            errors["search"] = ["At most 200 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var state = TableState.From("name", null, page, pageSize, ["name"], "name");
        var result = await catalogue.SearchAsync(new(search, stageFilter, riskFilter, null, null, null), state, cancellationToken);
        return TypedResults.Ok(new PageResponse<ModelSummary>(
            result.Items.Select(r => new ModelSummary(r.Key, r.Name, r.Owner, r.Team, r.Risk, r.ProductionVersion, r.VersionCount)).ToList(),
            result.Total, state.Page, state.PageSize));
    }

    internal static async Task<IResult> GetModelAsync(string key, GovernanceDbContext db, CancellationToken cancellationToken) =>
        await ModelAsync(db, key, cancellationToken) is { } model
            ? TypedResults.Ok(model)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No model has the key '{key}'.");

    internal static async Task<IResult> GetVersionAsync(string key, string version, GovernanceDbContext db, CancellationToken cancellationToken) =>
        await VersionAsync(db, key, version, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Model '{key}' has no version '{version}'.");


    private static async Task<ModelResponse?> ModelAsync(GovernanceDbContext db, string key, CancellationToken cancellationToken)
    {
        var model = await db.Models.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Key == key, cancellationToken);
        return model is null ? null : new ModelResponse(model.Key, model.Name, model.Description, model.Owner, model.BusinessOwner, model.Team,
            model.UseCase, model.RiskTier,
            Enum.GetValues<DataCategories>().Where(c => c != DataCategories.None && model.DataCategories.HasFlag(c)).ToList(),
            model.EuDataSubjects, model.AutomatedLegalEffect, model.TagList, model.CreatedAt,
            model.Versions.OrderByDescending(v => v.Number).Select(v => new VersionSummary(v.Number.ToString(), v.Stage, v.RegisteredAt)).ToList(),
            model.Revision);
    }

    private static async Task<VersionResponse?> VersionAsync(GovernanceDbContext db, string key, string versionText, CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return null;
        }
        var latest = await db.ModelCardRevisions.AsNoTracking().Where(r => r.VersionId == version.Id).OrderByDescending(r => r.Number).FirstOrDefaultAsync(cancellationToken);
        var card = latest?.Card ?? ModelCard.Empty;
        var completeness = ModelCardCompleteness.Score(card, version.Metrics.Count);
        return new VersionResponse(key, version.Number.ToString(), version.Stage, version.ChangeKind, version.ChangeReason,
            version.ArtifactUri, version.ArtifactSha256, version.RegisteredAt, version.RegisteredBy,
            new LineageRequest(version.CodeRepository, version.CodeCommit, version.DataSnapshotId, version.DataSnapshotHash, version.PipelineRunId,
                version.PipelineRunUrl, version.ParentVersion, version.EnvironmentDigest),
            version.Metrics.OrderBy(m => m.Name).ThenBy(m => m.Dataset).ThenBy(m => m.Slice)
                .Select(m => new MetricResponse(m.Name, m.Value, m.Dataset, m.Slice, m.Threshold, m.HigherIsBetter)).ToList(),
            new CardResponse(card, latest?.Number ?? 0, completeness.Score, completeness.Missing));
    }
}
