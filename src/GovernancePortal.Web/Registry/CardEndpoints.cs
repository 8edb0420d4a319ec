using System.Security.Claims;
using System.Text;
using GovernancePortal.Api;
using GovernancePortal.Data;
using GovernancePortal.Hosting;
using GovernancePortal.Identity;
using GovernancePortal.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

public sealed record CardResponse(ModelCard Card, int Revision, int Completeness, IReadOnlyList<string> Missing);

/// <summary>Model card interchange: API read/replace, Model Card Toolkit JSON and Hugging Face Markdown downloads (the editor imports JSON).</summary>
public static class CardEndpoints
{
    public const int MaxImportBytes = 1024 * 1024;

    public static RouteGroupBuilder MapCardApi(this RouteGroupBuilder api)
    {
        var card = api.MapGroup("/models/{key}/versions/{version}/card").WithTags("Registry");
        card.MapGet("/", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetModelCard");
        card.MapPut("/", PutAsync).RequireAuthorization(Policies.ModelOwner).WithName("ReplaceModelCard")
            .Accepts<ModelCard>("application/json").Produces<CardResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static void MapCardDownloads(this IEndpointRouteBuilder app)
    {
        var version = app.MapGroup("/models/{key}/versions/{version}");
        version.MapGet("/card.mct.json", ExportToolkitAsync).RequireAuthorization(Policies.Reader);
        version.MapGet("/card.md", ExportMarkdownAsync).RequireAuthorization(Policies.Reader);
    }

    private static IResult NotFound(string key, string version) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Model '{key}' has no version '{version}'.");

    internal static async Task<IResult> GetAsync(string key, string version, GovernanceDbContext db, ModelCardService cards, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return NotFound(key, version);
        }
        var current = await cards.CurrentAsync(found, cancellationToken);
        return TypedResults.Ok(new CardResponse(current.Card, current.Revision, current.Completeness.Score, current.Completeness.Missing));
    }

    internal static async Task<IResult> PutAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, GovernanceDbContext db,
        ModelCardService cards, RegistryService registry, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return NotFound(key, version);
        }
        var body = await ApiJson.ReadAsync<ModelCard>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await cards.SaveAsync(await registry.CallerAsync(user, cancellationToken), found, body.Value!, null, null, "card.replaced", cancellationToken);
        if (result.Failure is { Kind: not FailureKind.Rule } failure)
        {
            return failure.ToProblem();
        }
        return await GetAsync(key, version, db, cards, cancellationToken);
    }

    private static List<CardMetric> Metrics(ModelVersion version) =>
        version.Metrics.Select(m => new CardMetric(m.Name, m.Value, m.Dataset, m.Slice, m.Threshold, m.HigherIsBetter)).ToList();

    internal static async Task<IResult> ExportToolkitAsync(string key, string version, GovernanceDbContext db, ModelCardService cards, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return NotFound(key, version);
        }
        var current = await cards.CurrentAsync(found, cancellationToken);
        var json = ModelCardToolkitJson.Export(current.Card, found.Model.Name, found.Number.ToString(), Metrics(found),
            DateOnly.FromDateTime(found.RegisteredAt.UtcDateTime), found.ChangeReason);
        return TypedResults.File(Encoding.UTF8.GetBytes(json), "application/json", $"{key}-{version}-model-card.json");
    }

    internal static async Task<IResult> ExportMarkdownAsync(string key, string version, GovernanceDbContext db, ModelCardService cards, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return NotFound(key, version);
        }
        var current = await cards.CurrentAsync(found, cancellationToken);
        var markdown = HuggingFaceModelCard.ToMarkdown(current.Card, found.Model.Name, found.Number.ToString(), Metrics(found),
            new HuggingFaceCardOptions { Tags = found.Model.TagList });
        return TypedResults.File(Encoding.UTF8.GetBytes(markdown), "text/markdown; charset=utf-8", $"{key}-{version}-README.md");
    }
}
