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

/// <summary>Model card interchange: API read/replace, Model Card Toolkit JSON and Hugging Face Markdown downloads, JSON import.</summary>
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
        version.MapPost("/card/import", ImportAsync).RequireAuthorization(Policies.ModelOwner).RequireAntiforgeryToken()
            .RequireRateLimiting(PortalRateLimiting.Uploads);
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

    /// <summary>A form upload from the card editor; answers with a redirect and a status message either way.</summary>
    internal static async Task<IResult> ImportAsync(string key, string version, HttpContext http, GovernanceDbContext db, ModelCardService cards,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var back = $"/models/{key}/versions/{version}/card";
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return NotFound(key, version);
        }
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file");
        string? problem = null;
        if (file is null || file.Length == 0)
        {
            problem = "Choose a Model Card Toolkit JSON file to import.";
        }
        else if (file.Length > MaxImportBytes)
        {
            problem = $"The file is larger than {MaxImportBytes / 1024} KiB.";
        }
        if (problem is null)
        {
            using var reader = new StreamReader(file!.OpenReadStream(), Encoding.UTF8);
            var imported = await cards.ImportAsync(await registry.CallerAsync(http.User, cancellationToken), found, await reader.ReadToEndAsync(cancellationToken),
                cancellationToken);
            problem = imported.Problem;
            if (problem is null)
            {
                Components.UI.StatusMessages.Set(http, $"Card imported as revision {imported.Revision!.Number}."
                    + (imported.Warnings.Count > 0 ? " Not imported: " + string.Join(" ", imported.Warnings) : ""));
                return TypedResults.Redirect(back);
            }
        }
        Components.UI.StatusMessages.Set(http, problem!, isError: true);
        return TypedResults.Redirect(back);
    }
}
