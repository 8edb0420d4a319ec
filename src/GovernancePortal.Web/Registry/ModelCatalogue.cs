using GovernancePortal.Querying;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

public sealed record CatalogueFilter(string? Search, Stage? Stage, RiskTier? Risk, DataCategories? Data, string? Owner, string? Team);

public sealed record CatalogueRow(
    string Key, string Name, string Team, string Owner, RiskTier Risk, DataCategories Data,
    int VersionCount, string? ProductionVersion, DateTimeOffset CreatedAt);

/// <summary>The models list behind the catalogue page: search, filters, sort and paging, all from the URL.</summary>
public sealed class ModelCatalogue(GovernanceDbContext db)
{
    public static readonly IReadOnlyCollection<string> SortKeys = ["name", "key", "risk", "team", "owner", "created"];

    public async Task<PagedResult<CatalogueRow>> SearchAsync(CatalogueFilter filter, TableState state, CancellationToken cancellationToken = default)
    {
        var models = db.Models.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim().ToLowerInvariant();
            models = models.Where(m => m.Name.ToLower().Contains(term) || m.Key.ToLower().Contains(term)
                || m.Description.ToLower().Contains(term) || m.Tags.Contains(term));
        }
        if (filter.Stage is { } stage)
        {
            models = models.Where(m => m.Versions.Any(v => v.Stage == stage));
        }
        if (filter.Risk is { } risk)
        {
            models = models.Where(m => m.RiskTier == risk);
        }
        if (filter.Data is { } data)
        {
            models = data == DataCategories.None
                ? models.Where(m => m.DataCategories == DataCategories.None)
                : models.Where(m => (m.DataCategories & data) == data);
        }
        if (!string.IsNullOrWhiteSpace(filter.Owner))
        {
            models = models.Where(m => m.Owner == filter.Owner);
        }
        if (!string.IsNullOrWhiteSpace(filter.Team))
        {
            models = models.Where(m => m.Team == filter.Team);
        }

        models = (state.Sort, state.Descending) switch
        {
            ("key", false) => models.OrderBy(m => m.Key),
            ("key", true) => models.OrderByDescending(m => m.Key),
            ("risk", false) => models.OrderBy(m => m.RiskTier == RiskTier.Minimal ? 0 : m.RiskTier == RiskTier.Limited ? 1 : m.RiskTier == RiskTier.High ? 2 : 3).ThenBy(m => m.Name),
            ("risk", true) => models.OrderByDescending(m => m.RiskTier == RiskTier.Minimal ? 0 : m.RiskTier == RiskTier.Limited ? 1 : m.RiskTier == RiskTier.High ? 2 : 3).ThenBy(m => m.Name),
            ("team", false) => models.OrderBy(m => m.Team).ThenBy(m => m.Name),
            ("team", true) => models.OrderByDescending(m => m.Team).ThenBy(m => m.Name),
            ("owner", false) => models.OrderBy(m => m.Owner).ThenBy(m => m.Name),
            ("owner", true) => models.OrderByDescending(m => m.Owner).ThenBy(m => m.Name),
            ("created", false) => models.OrderBy(m => m.Id),
            ("created", true) => models.OrderByDescending(m => m.Id),
            (_, true) => models.OrderByDescending(m => m.Name),
            _ => models.OrderBy(m => m.Name),
        };

        return await models.Select(m => new CatalogueRow(
                m.Key, m.Name, m.Team, m.Owner, m.RiskTier, m.DataCategories, m.Versions.Count,
                m.Versions.Where(v => v.Stage == Stage.Production)
                    .OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor).ThenByDescending(v => v.Pipeline)
                    .Select(v => v.Major + "." + v.Minor + "." + v.Pipeline).FirstOrDefault(),
                m.CreatedAt))
            .ToPagedAsync(state, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> TeamsAsync(CancellationToken cancellationToken = default) =>
        await db.Models.Select(m => m.Team).Distinct().OrderBy(t => t).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> OwnersAsync(CancellationToken cancellationToken = default) =>
        await db.Models.Select(m => m.Owner).Distinct().OrderBy(o => o).ToListAsync(cancellationToken);
}
